// SPDX-License-Identifier: Apache-2.0
// The Debian package state of an audited root, as libapt-pkg computes it: installed packages
// with their source, the candidate apt would upgrade each to and the archive it comes from,
// holds, packages no configured repository provides, the Release files apt knows and the
// APT::Periodic settings. Read the way `apt list --upgradable` reads it, but never with the
// dpkg lock and never writing apt's binary cache. On the running system a pkgcache.bin that
// apt would consider valid (and that passes stricter checks: owned by root, not writable by
// others, no index file changed since, even with its mtime restored) is read, never rebuilt;
// otherwise, and always for an offline root, the cache is built in memory.
//
// Offline roots work too: apt's configuration is pointed at the root (Dir, and
// Dir::State::status, whose default is an absolute host path) and apt's architectures are set
// from the root's dpkg database, so libapt-pkg never runs `dpkg` to ask the host. libapt-pkg
// opens files by their host path, so every file and directory it will read is first checked
// through the Sysroot: a symlink among them (which apt would resolve on the host, outside the
// root) is refused instead of followed. The APT_CONFIG file of triad's own environment is
// read for the running system, as apt reads it, and never for an offline root.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/cancel.h"
#include "base/result.h"
#include "scanner/core/scan_memo.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct AptPackage {
    std::string name;            // "bash", "libc6:i386" (the architecture only when foreign)
    std::string architecture;    // of the installed version: amd64, all, i386
    std::string version;         // installed
    std::string source;          // source package
    std::string source_version;
    std::string state;           // dpkg's: installed, half-configured, unpacked, ...
    bool held = false;           // dpkg selection "hold"
    bool auto_installed = false; // apt's extended_states: installed as a dependency
    bool upgradable = false;     // the candidate is newer than the installed version
    std::string candidate;       // the version apt would install; empty when there is none
    std::string candidate_source_version;  // the source version it is built from (the CVE feed names source versions)
    std::vector<std::string> candidate_archives;  // "Debian/bookworm-security", each repository offering it
    bool security_update = false;  // upgradable, and a security archive offers the candidate
    bool provided = false;         // some configured repository offers some version of it
};

// One repository (a `deb` line or deb822 stanza, one suite) apt is configured with.
struct AptRelease {
    std::string uri;             // http://deb.debian.org/debian-security
    std::string dist;            // bookworm-security
    bool downloaded = false;     // its Release/InRelease file is in the lists directory
    std::string release_file;    // that file, as a path inside the root; empty when not downloaded
    std::string origin, label, suite, codename, version;
    bool security = false;       // a security archive (see is_security_archive)
    std::int64_t date = 0;       // the Release file's Date, Unix time; 0 when unknown
    std::int64_t valid_until = 0;  // its Valid-Until; 0 when it has none
};

struct AptInventory {
    std::string native_architecture;
    std::vector<std::string> foreign_architectures;
    std::vector<AptPackage> packages;   // every package with an installed version, by name
    std::vector<AptRelease> releases;   // in sources.list order
    // APT::Periodic::* and Unattended-Upgrade::* values from the root's apt configuration
    // ("APT::Periodic::Unattended-Upgrade" -> "1"), only those that are set.
    std::vector<std::pair<std::string, std::string>> periodic;
    std::vector<std::string> warnings;  // what libapt-pkg warned about (an unreadable list)
    // apt's binary cache file as apt's configuration names it (Dir::Cache::pkgcache); empty
    // for an offline root (never read there) and when the configuration names none.
    std::string cache_file;
    bool cache_used = false;     // the packages were read from cache_file, not built in memory
    std::string cache_unused;    // why cache_file was not used ("stale: /var/lib/dpkg/status changed after the cache")
};

// Whether a Release file's fields name a security archive. Debian: Codename ends in
// "-security" (bookworm-security) or Label is Debian-Security; never the Suite, which moves
// (bookworm's security suite is now "oldstable-security"). Ubuntu names its security pocket
// only in the Suite (jammy-security, Codename jammy, Label Ubuntu), so for Origin Ubuntu the
// Suite decides; Ubuntu suites are never renamed.
bool is_security_archive(std::string_view origin, std::string_view label, std::string_view codename,
                         std::string_view suite);

// libgcrypt, under libapt-pkg's Hashes, initialises itself on first use without a lock, so two
// threads whose first hashes start together corrupt it (a scan crashed when the cache build
// and package_integrity's hashing began at the same moment). Every caller of Hashes, and of
// libapt-pkg code that hashes (building the cache does), calls this first: the first call
// makes one Hashes while the others wait.
void prepare_apt_hashes();

// Reads the package state of the root. An error when the root has no dpkg status file (not
// a Debian-family system: the error's code is not_found), when a file apt would read is a
// symlink (escaped_root), or when libapt-pkg reports an error. libapt-pkg keeps global
// state, so calls are serialised. Building the cache takes about a second on a full
// system; once `cancel` is set it stops at libapt-pkg's next progress report (error code
// cancelled). `use_cache_file` false builds the cache in memory even where a valid cache
// file exists (to compare the two readings).
Result<AptInventory> read_apt_inventory(const Sysroot& root, const CancelToken* cancel = nullptr,
                                        bool use_cache_file = true);

// The inventory of the root, read once per memo (once per scan) however many collectors ask.
// Without a memo it is read on each call.
std::shared_ptr<const Result<AptInventory>> apt_inventory(const Sysroot& root, ScanMemo* memo,
                                                          const CancelToken* cancel = nullptr);

}  // namespace triad::scanner
