// SPDX-License-Identifier: Apache-2.0
// The `stale_code` collector: processes that still run code an upgrade has replaced — an
// executable mapping (/proc/PID/maps) of a file that was deleted, or replaced by another file
// at the same path, since the process mapped it, and an exe link marked deleted. Such a
// process keeps running the old, unpatched code until it is restarted, whatever the package
// database says is installed. One fact per such process, with the files and the packages
// that own their paths (dpkg's md5sums lists). Host scope.
#pragma once

#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/collector.h"
#include "scanner/core/fact.h"

namespace triad::scanner {

enum StaleCodeField : std::size_t { kStalePid, kStaleName, kStaleExe, kStaleFiles, kStalePackages, kStaleFieldCount };

inline constexpr FieldSpec kStaleCodeFields[] = {
    {"pid", ValueKind::integer, "process id"},
    {"name", ValueKind::string, "command name (Name: in /proc/PID/status)"},
    {"exe", ValueKind::string, "the process's binary (/proc/PID/exe), without the kernel's \" (deleted)\""},
    {"files", ValueKind::list, "each deleted or replaced file it maps executable (or runs), as \"PATH (deleted)\" or \"PATH (replaced)\""},
    {"packages", ValueKind::list, "the installed packages that own those paths (dpkg md5sums lists); absent when none does"},
};
static_assert(std::size(kStaleCodeFields) == kStaleFieldCount);

inline constexpr CollectorEntry kStaleCodeCollectorSpec{
    "stale_code", Scope::host, kStaleCodeFields, {}, nullptr,
    "processes still running deleted or replaced executables or libraries\n"
    "\n"
    "One object per process (`PID NAME`) with an executable mapping in /proc/PID/maps (or an "
    "exe link) whose file was deleted, or whose path now names a different file, since it was "
    "mapped: after an upgrade, a process that was not restarted. Shared memory and memfd "
    "mappings (/dev/shm, /memfd:, SYSV) are not files of the system and are left out. A "
    "process whose maps cannot be read is an error naming it. Needs the running system.",
};

extern const CollectorEntry kStaleCodeCollector;

// One executable mapping of a maps file whose file is gone or replaced.
struct StaleMapping {
    std::string path;
    bool deleted = false;          // the kernel marked it " (deleted)"
    unsigned dev_major = 0, dev_minor = 0;
    unsigned long long inode = 0;
};

// The executable, file-backed mappings of a /proc/PID/maps text, one per distinct path.
std::vector<StaleMapping> executable_file_mappings(std::string_view maps);

}  // namespace triad::scanner
