// SPDX-License-Identifier: Apache-2.0
// Shell-style path globs expanded inside the audited root (through the Sysroot, so no match
// leaves it): how collectors turn "/etc/pam.d/*" into the files to read.
#pragma once

#include <string>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::scanner {

// Paths named by `pattern` inside the root: the pattern itself when it has no wildcard,
// else every match of its wildcard components (shell rules: '*' skips dotfiles), sorted.
Result<std::vector<std::string>> expand_path_glob(const Sysroot& root, const std::string& pattern);

}  // namespace triad::scanner
