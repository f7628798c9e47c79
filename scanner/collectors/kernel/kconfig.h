// SPDX-License-Identifier: Apache-2.0
// The `kconfig` collector: options of the kernel build configuration — the running kernel's
// /proc/config.gz (through zlib) or the audited root's /boot/config-RELEASE. One fact per
// option the select names. Root scope: offline it reads the newest /boot/config-*.
#pragma once

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum KconfigField : std::size_t { kKconfigOption, kKconfigValue, kKconfigEnabled, kKconfigListed, kKconfigFile, kKconfigRelease, kKconfigFieldCount };

// The specs live here so a build without zlib (TRIAD_WITH_ZLIB=OFF) still knows them.
inline constexpr FieldSpec kKconfigFields[] = {
    {"option", ValueKind::string, "the option, with its CONFIG_ prefix"},
    {"value", ValueKind::string, "y, m, n (\"is not set\" or not in the file), a number or a string (unquoted)"},
    {"enabled", ValueKind::boolean, "the value is y, m or a non-empty setting"},
    {"listed", ValueKind::boolean, "the file names the option at all (options whose dependencies are unmet are left out)"},
    {"file", ValueKind::string, "where the configuration was read: /proc/config.gz or /boot/config-RELEASE"},
    {"release", ValueKind::string, "the kernel release the configuration belongs to, when known"},
};

inline constexpr ArgSpec kKconfigArgs[] = {
    {"option", ArgKind::list, true, "option name(s), with or without the CONFIG_ prefix"},
};

inline constexpr CollectorEntry kKconfigCollectorSpec{
    "kconfig", Scope::root, kKconfigFields, kKconfigArgs, nullptr,
    "kernel build configuration options (/proc/config.gz or /boot/config-RELEASE)\n"
    "\n"
    "One object per `option`. On the running system it reads the running kernel's "
    "/proc/config.gz (decompressed with zlib), else /boot/config-RELEASE or "
    "/lib/modules/RELEASE/config for the running release; under an offline root, the "
    "newest /boot/config-* by Debian version order. An option the file does not name is "
    "`n`, as the kernel build treats it. A root with no kernel configuration is "
    "not_applicable (a container image has no kernel); a running system whose "
    "configuration cannot be found is an error.",
};

extern const CollectorEntry kKconfigCollector;

}  // namespace triad::scanner
