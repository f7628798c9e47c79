// SPDX-License-Identifier: Apache-2.0
// The installed RPM packages of an audited root, from its rpmdb, read with librpm and never
// written to. The sqlite rpmdb (Fedora 33+, RHEL 9: rpmdb.sqlite) is opened by sqlite as an
// immutable read-only file through the Sysroot's descriptor — librpm's own sqlite backend
// creates rpmdb.sqlite-shm and -wal beside it even for a query — and each row's header blob
// is decoded by librpm (headerImport). The Berkeley DB rpmdb of older releases (Packages)
// is read by librpm's read-only bdb_ro backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// One file of an installed package as its header records it (RPMTAG_BASENAMES/DIRNAMES with
// FILEDIGESTS, FILEDIGESTALGO, FILEMODES, FILEFLAGS, FILELINKTOS, FILESTATES, FILEVERIFYFLAGS),
// the data `rpm -V` verifies against.
struct RpmFile {
    // What the rpmdb says happened to the file at install time (RPMFILE_STATE_*).
    enum class State { normal, replaced, not_installed, netshared, wrong_color, missing };
    std::string path;         // as installed (relocations applied)
    std::string digest;       // lowercase hex; empty for directories, symlinks and most %ghost files
    int digest_algo = 0;      // OpenPGP hash algorithm number (1 MD5, 2 SHA1, 8 SHA256, 10 SHA512...)
    std::uint32_t mode = 0;   // recorded st_mode: file type and permission bits
    std::string link;         // recorded symlink target
    bool config = false;      // %config
    bool ghost = false;       // %ghost: not in the payload, content not verified
    bool missingok = false;   // %config(missingok): absence is not a finding
    bool verify_digest = true;  // %verify(not md5) clears it
    bool verify_link = true;    // %verify(not link) clears it
    State state = State::normal;
};

struct RpmPackage {
    std::string name;
    std::optional<std::int64_t> epoch;  // absent when the package has none
    std::string version, release, arch;
    std::string source_rpm;  // "bash-5.1.8-6.el9.src.rpm"; empty for gpg-pubkey pseudo packages
    std::string nevra;       // name-[epoch:]version-release.arch
    std::vector<RpmFile> files;  // only when read with RpmRead::with_files
};

struct RpmInventory {
    std::string database;  // the rpmdb file read, inside the root
    std::string backend;   // sqlite or bdb_ro
    std::vector<RpmPackage> packages;  // sorted by nevra
};

// The rpmdb directories looked at, in order: RHEL/CentOS and Fedora before 36, then
// Fedora 36+ (/usr/lib/sysimage/rpm, /var/lib/rpm being a symlink to it there).
// not_found when the root has no rpmdb; unsupported (naming the option) when it has one and
// triad was built without librpm (TRIAD_WITH_RPM=OFF: rpm_inventory_none.cpp); an error naming the file for anything unreadable or
// malformed, or for an sqlite database with changes still in its write-ahead log.
enum class RpmRead { packages, with_files };
Result<RpmInventory> read_rpm_inventory(const Sysroot& root, RpmRead what = RpmRead::packages);

}  // namespace triad::scanner
