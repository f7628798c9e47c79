// SPDX-License-Identifier: Apache-2.0
// dpkg's record of the files each package installed and their MD5 digests:
// /var/lib/dpkg/info/PACKAGE[:ARCH].md5sums, one "<32 hex digits>  <path without leading />"
// line per regular file. Read through the Sysroot, bounded. Used to name the package a file
// belongs to (stale_code) and as the reference digests of package integrity.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct Md5sumEntry {
    std::string path;  // absolute, as installed ("/usr/bin/sudo")
    std::string md5;   // 32 lowercase hex digits
};

// Parses one md5sums file; a malformed line is an error naming `where` and the line.
Result<std::vector<Md5sumEntry>> parse_md5sums(std::string_view text, const std::string& where);

// The same parse without copying: views into `text`. `path` is as the line writes it (dpkg
// writes no leading /), `md5` as written (upper case is possible; parse_md5sums lowers it).
struct Md5sumLine {
    std::string_view md5;
    std::string_view path;
};
Result<std::vector<Md5sumLine>> parse_md5sums_lines(std::string_view text, const std::string& where);

// The packages that have an md5sums file in the root's dpkg database, as dpkg names the
// file (PACKAGE or PACKAGE:ARCH), sorted.
Result<std::vector<std::string>> md5sums_packages(const Sysroot& root);

// Path -> package of every file every md5sums file lists. On merged-/usr systems a file is
// also found under the other spelling (/lib/x <-> /usr/lib/x, /bin, /sbin, /lib64): dpkg
// records the path the package ships, the kernel reports the one that was opened. Files
// that cannot be read are listed in `errors` and left out.
struct FileOwners {
    std::unordered_map<std::string, std::string> owner;
    std::vector<std::string> errors;
    const std::string* find(const std::string& path) const;
};
FileOwners read_file_owners(const Sysroot& root);

}  // namespace triad::scanner
