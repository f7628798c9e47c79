// SPDX-License-Identifier: Apache-2.0
// The `umask` collector: the default file-creation mask that logins get — UMASK of
// /etc/login.defs (pam_umask, useradd) and the `umask` commands of /etc/profile,
// /etc/bash.bashrc and /etc/profile.d/*.sh. One fact per file. Root scope.
#pragma once

#include <optional>
#include <string_view>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum UmaskField : std::size_t { kUmaskFile, kUmaskSet, kUmaskValue, kUmaskDirMode, kUmaskFileMode, kUmaskLine, kUmaskFieldCount };

struct UmaskSetting {
    std::uint32_t mask = 0;
    int line = 0;
};

// The last `umask NNN` command of a shell file (octal; a symbolic umask such as u=rwx,g=rx
// is understood too). Only commands at the start of a line or after `;`, `&&`, `then` count.
std::optional<UmaskSetting> last_shell_umask(std::string_view text);

// An octal or symbolic (u=rwx,g=rx,o=) umask; nullopt when it is neither.
std::optional<std::uint32_t> parse_umask(std::string_view word);

extern const CollectorEntry kUmaskCollector;

}  // namespace triad::scanner
