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
// Errors: a directory on the way that exists but cannot be listed (permission_denied with
// its path): an unreadable directory is never an empty one.
Result<std::vector<std::string>> expand_path_glob(const Sysroot& root, const std::string& pattern);

// The names in directory `dir` of the root (without "." and ".."), unsorted. A directory
// that does not exist is empty; one that exists but cannot be opened or read is an error
// naming it, so that what depends on its files becomes an error, never "nothing there".
Result<std::vector<std::string>> list_directory(const Sysroot& root, const std::string& dir);

}  // namespace triad::scanner
