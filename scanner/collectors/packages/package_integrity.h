// SPDX-License-Identifier: Apache-2.0
// The `package_integrity` collector: every file an installed Debian package owns, hashed and
// compared with the digest dpkg recorded when it installed it — info/PACKAGE.md5sums for
// ordinary files, the status file's Conffiles field for configuration files — as debsums
// does. Only the files that differ are objects: changed, missing, not a regular file any more,
// or unreadable, each with its package and whether it is a conffile (an edited
// /etc/ssh/sshd_config is expected; a changed /usr/bin/sudo is not). Root scope.
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
    kIntPath, kIntPackage, kIntStatus, kIntConffile, kIntKind, kIntExpected, kIntActual, kIntFieldCount
};

inline constexpr FieldSpec kPackageIntegrityFields[] = {
    {"path", ValueKind::string, "the file as the package installed it (inside the audited root)"},
    {"package", ValueKind::string, "the package that owns it (PACKAGE or PACKAGE:ARCH, as dpkg names its md5sums)"},
    {"status", ValueKind::string, "changed (content differs), missing, not_regular (now a symlink, directory or device), or no_md5sums (the package has no digests: nothing of it can be verified)"},
    {"conffile", ValueKind::boolean, "a configuration file dpkg tracks (Conffiles): edits by the admin are expected"},
    {"kind", ValueKind::string, "executable (any execute bit, or in a bin/sbin directory), library (*.so, *.so.N), unit (a systemd unit file) or other"},
    {"expected", ValueKind::string, "the MD5 dpkg recorded"},
    {"actual", ValueKind::string, "the MD5 of the file now; absent when it is missing or not a regular file"},
};
static_assert(std::size(kPackageIntegrityFields) == kIntFieldCount);

inline constexpr ArgSpec kPackageIntegrityArgs[] = {
    {"kinds", ArgKind::list, false,
     "hash only files of these kinds (executable, library, unit, other); default all. A missing file's kind comes from its path"},
    {"conffiles", ArgKind::boolean, false, "true: only conffiles; false: only the other files; default both"},
    {"setuid", ArgKind::boolean, false,
     "true: only regular files whose mode on disk has the setuid or setgid bit (found with one fstatat per file "
     "before anything is opened). dpkg records no modes, so a missing file or one replaced by a symlink is not among them"},
};

inline constexpr CollectorEntry kPackageIntegrityCollectorSpec{
    "package_integrity", Scope::root, kPackageIntegrityFields, kPackageIntegrityArgs, nullptr,
    "package files whose content differs from what dpkg installed (debsums)\n"
    "\n"
    "Every file of every installed package (status installed or half-configured) is hashed "
    "on the scan's executor and compared with info/PACKAGE.md5sums, and every conffile with "
    "the MD5 in the status file's Conffiles field. Objects are only the files that differ, "
    "named by path. Diversions (/var/lib/dpkg/diversions) are followed, and files dpkg's "
    "path-exclude rules kept from being installed are left out, as debsums does. An unreadable "
    "file is an error naming it. A root without /var/lib/dpkg/status is not_applicable.",
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
