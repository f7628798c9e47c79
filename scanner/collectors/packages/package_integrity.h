// SPDX-License-Identifier: Apache-2.0
// The `package_integrity` collector: every file an installed Debian package owns, hashed and
// compared with the digest dpkg recorded when it installed it — info/PACKAGE.md5sums for
// ordinary files, the status file's Conffiles field for configuration files — as debsums
// does; and every file of every package in the root's rpmdb, compared with the digest, file
// type and symlink target its header records, as rpm -Va does. Only the files that differ
// are objects: changed, missing, not of the recorded type any more, or unreadable, each with
// its package and whether it is a conffile (an edited /etc/ssh/sshd_config is expected; a
// changed /usr/bin/sudo is not). Root scope.
#pragma once

#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum PackageIntegrityField : std::size_t {
    kIntPath, kIntPackage, kIntStatus, kIntConffile, kIntKind, kIntExpected, kIntActual, kIntAlgorithm, kIntDatabase,
    kIntFieldCount
};

inline constexpr FieldSpec kPackageIntegrityFields[] = {
    {"path", ValueKind::string, "the file as the package installed it (inside the audited root)"},
    {"package", ValueKind::string, "the package that owns it (dpkg: PACKAGE or PACKAGE:ARCH, as dpkg names its md5sums; rpm: name-[epoch:]version-release.arch)"},
    {"status", ValueKind::string, "changed (content or symlink target differs), missing, not_regular (a regular file now a symlink, directory or device), not_directory / not_symlink / wrong_type (rpm: a directory, symlink or device now of another type), or no_md5sums (a dpkg package without digests: nothing of it can be verified)"},
    {"conffile", ValueKind::boolean, "a configuration file (dpkg's Conffiles, rpm's %config): edits by the admin are expected"},
    {"kind", ValueKind::string, "executable (any execute bit, or in a bin/sbin directory), library (*.so, *.so.N), unit (a systemd unit file) or other (also every directory)"},
    {"expected", ValueKind::string, "the digest the package database recorded (dpkg: MD5; rpm: in `algorithm`), or the symlink target rpm recorded"},
    {"actual", ValueKind::string, "the digest (or symlink target) now; absent when the file is missing or of another type"},
    {"algorithm", ValueKind::string, "md5, sha1, sha256 or sha512 (the rpm header's FILEDIGESTALGO; always md5 for dpkg), or link for a symlink's target"},
    {"database", ValueKind::string, "dpkg or rpm: which package database recorded the file"},
};
static_assert(std::size(kPackageIntegrityFields) == kIntFieldCount);

inline constexpr ArgSpec kPackageIntegrityArgs[] = {
    {"kinds", ArgKind::list, false,
     "hash only files of these kinds (executable, library, unit, other); default all. A missing file's kind comes from its path"},
    {"conffiles", ArgKind::boolean, false, "true: only conffiles; false: only the other files; default both"},
    {"setuid", ArgKind::boolean, false,
     "true: only regular files whose mode on disk has the setuid or setgid bit, and for rpm also those its "
     "package installed setuid or setgid. The modes are found before anything is opened: from the scan's "
     "file-system walk for a directory it listed in full, else with one fstatat per file. dpkg records no modes, "
     "so a missing dpkg file or one replaced by a symlink is not among them; an rpm one is"},
};

inline constexpr CollectorEntry kPackageIntegrityCollectorSpec{
    "package_integrity", Scope::root, kPackageIntegrityFields, kPackageIntegrityArgs, nullptr,
    "package files whose content differs from what dpkg or rpm installed (debsums, rpm -Va)\n"
    "\n"
    "Every file of every installed package (status installed or half-configured) is hashed "
    "on the scan's executor and compared with info/PACKAGE.md5sums, and every conffile with "
    "the MD5 in the status file's Conffiles field. Diversions (/var/lib/dpkg/diversions) are "
    "followed, and files dpkg's path-exclude rules kept from being installed are left out, as "
    "debsums does. On a root with an rpmdb (rpmdb.sqlite, or a Berkeley DB Packages; read "
    "without writing, as rpm_packages reads it) every file of every package is checked as "
    "rpm -Va checks it: present (unless %config(missingok)), of the recorded type, with the "
    "recorded symlink target or file digest (MD5, SHA1, SHA256 or SHA512 as the header "
    "says); %ghost files and files the rpmdb records as not installed, netshared or of the "
    "other multilib colour are left out, as rpm -V leaves out their content. Owner, group, "
    "mode bits, size and mtime are not compared. Objects are only the files that differ, named "
    "by path. An unreadable file is an error naming it. A root with neither "
    "/var/lib/dpkg/status nor an rpmdb is not_applicable.",
};

extern const CollectorEntry kPackageIntegrityCollector;

// A `Conffiles:` entry of the dpkg status file.
struct Conffile {
    std::string path;
    std::string md5;
    bool obsolete = false;
    bool remove_on_upgrade = false;
};
std::vector<Conffile> parse_conffiles(std::string_view field);

// dpkg's path-exclude / path-include rules from the root's dpkg.cfg and dpkg.cfg.d, in order;
// excluded(path) applies the last rule that matches, as dpkg does when unpacking.
struct PathFilters {
    std::vector<std::pair<bool, std::string>> rules;  // (exclude?, glob)
    bool excluded(const std::string& path) const;
};

}  // namespace triad::scanner
