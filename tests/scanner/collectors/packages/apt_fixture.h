// SPDX-License-Identifier: Apache-2.0
// A Debian root for the package collectors, written by the test: a dpkg status file, an apt
// sources.list and, for each repository, the Release and Packages files `apt update` would
// have stored in /var/lib/apt/lists (named as apt names them). The real apt tools read the
// same root (apt_args()), so tests compare triad with `apt list` and `apt-cache policy`.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace triad::test {

struct FixturePackage {
    FixturePackage(std::string n, std::string v, std::string a = "amd64", std::string st = "install ok installed",
                   std::string src = "")
        : name(std::move(n)), version(std::move(v)), arch(std::move(a)), status(std::move(st)), source(std::move(src)) {}
    std::string name;
    std::string version;
    std::string arch;
    std::string status;
    std::string source;  // "Source:" line value, e.g. "zsrc (1.5-1)"; empty: none
};

struct FixtureRepo {
    FixtureRepo(std::string host, std::string d, std::string o, std::string l, std::string s, std::string c,
                std::time_t t, std::vector<FixturePackage> p, bool dl = true)
        : host_path(std::move(host)), dist(std::move(d)), origin(std::move(o)), label(std::move(l)), suite(std::move(s)),
          codename(std::move(c)), date(t), packages(std::move(p)), downloaded(dl) {}
    std::string host_path;  // "example.org/debian"
    std::string dist;       // "bookworm-security"
    std::string origin, label, suite, codename;
    std::time_t date = 0;   // 0: no Date field
    std::vector<FixturePackage> packages;
    bool downloaded = true;  // false: only the sources.list line, no lists files
};

inline std::string rfc1123(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S UTC", &tm);
    return buf;
}

inline std::string status_stanza(const FixturePackage& p) {
    std::string s = "Package: " + p.name + "\nStatus: " + p.status + "\nPriority: optional\nSection: misc\n"
                    "Installed-Size: 1\nMaintainer: Test <test@example.org>\nArchitecture: " + p.arch + "\n";
    if (!p.source.empty()) s += "Source: " + p.source + "\n";
    s += "Version: " + p.version + "\nDescription: fixture package " + p.name + "\n\n";
    return s;
}

inline std::string packages_stanza(const FixturePackage& p) {
    std::string s = "Package: " + p.name + "\nVersion: " + p.version + "\nArchitecture: " + p.arch +
                    "\nMaintainer: Test <test@example.org>\nInstalled-Size: 1\nPriority: optional\nSection: misc\n";
    if (!p.source.empty()) s += "Source: " + p.source + "\n";
    s += "Filename: pool/main/" + p.name + "_" + p.version + "_" + p.arch + ".deb\nSize: 1000\n"
         "SHA256: 0000000000000000000000000000000000000000000000000000000000000000\nDescription: fixture package " +
         p.name + "\n\n";
    return s;
}

// apt's file name for a URI in the lists directory: '/' becomes '_' (URItoFileName).
inline std::string lists_name(const std::string& host_path, const std::string& rest) {
    std::string s = host_path + "/" + rest;
    for (char& c : s)
        if (c == '/') c = '_';
    return s;
}

inline void write_apt_root(const std::string& root, const std::vector<FixturePackage>& installed,
                           const std::vector<FixtureRepo>& repos) {
    std::string status;
    for (const FixturePackage& p : installed) status += status_stanza(p);
    write_file(root + "/var/lib/dpkg/status", status);
    make_dirs(root + "/var/lib/dpkg/info");
    make_dirs(root + "/var/lib/apt/lists/partial");
    make_dirs(root + "/etc/apt/apt.conf.d");
    make_dirs(root + "/etc/apt/preferences.d");
    make_dirs(root + "/etc/apt/sources.list.d");
    std::string sources;
    for (const FixtureRepo& r : repos) {
        sources += "deb [trusted=yes] http://" + r.host_path + " " + r.dist + " main\n";
        if (!r.downloaded) continue;
        std::string release = "Origin: " + r.origin + "\nLabel: " + r.label + "\nSuite: " + r.suite +
                              "\nCodename: " + r.codename + "\n";
        if (r.date) release += "Date: " + rfc1123(r.date) + "\n";
        // apt refuses a Release file without hash entries; the index's real hash is not
        // checked when the cache is built, only when `apt update` downloads it.
        release += "Architectures: amd64\nComponents: main\nDescription: fixture\nSHA256:\n " +
                   std::string(64, '0') + " 0 main/binary-amd64/Packages\n";
        write_file(root + "/var/lib/apt/lists/" + lists_name(r.host_path, "dists/" + r.dist + "/Release"), release);
        std::string packages;
        for (const FixturePackage& p : r.packages) packages += packages_stanza(p);
        write_file(root + "/var/lib/apt/lists/" + lists_name(r.host_path, "dists/" + r.dist + "/main/binary-amd64/Packages"),
                   packages);
    }
    write_file(root + "/etc/apt/sources.list", sources);
}

// Options that make the apt tools read `root` the way triad does, with no cache file.
inline std::vector<std::string> apt_args(const std::string& root) {
    return {"-o", "Dir=" + root + "/",
            "-o", "Dir::State::status=" + root + "/var/lib/dpkg/status",
            "-o", "Dir::Cache::pkgcache=",
            "-o", "Dir::Cache::srcpkgcache=",
            "-o", "APT::Architecture=amd64",
            "-o", "APT::Architectures::=amd64"};
}

}  // namespace triad::test
