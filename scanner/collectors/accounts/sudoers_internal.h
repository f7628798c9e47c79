// SPDX-License-Identifier: Apache-2.0
// The sudoers parser behind the sudo collectors, shared with its tests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct SudoDefault {
    std::string name;
    std::string value;     // empty for a flag
    std::string op;        // "", "=", "+=", "-="
    bool negated = false;  // "!name"
    std::string scope;     // global, user, host, runas, command
    std::string binding;   // the list after Defaults: @ > !
    std::string file;
    int line = 0;
};

struct SudoRule {
    std::vector<std::string> users;
    std::vector<std::string> hosts;
    std::vector<std::string> runas;     // every distinct (runas) of the line
    std::vector<std::string> commands;  // as written, without tags
    std::vector<std::string> nopasswd_commands;
    std::vector<std::string> tags;      // every tag used on the line (NOPASSWD, NOEXEC...)
    std::string file;
    int line = 0;
};

struct Sudoers {
    std::vector<std::string> files;  // read, in order
    std::vector<SudoDefault> defaults;
    std::vector<SudoRule> rules;
    std::string error;  // an include that could not be read, a loop, a file too deep
};

// Reads `path` (normally /etc/sudoers) and everything it includes.
Sudoers read_sudoers(const Sysroot& root, const std::string& path);

// Parses one file's text; includes are reported through `on_include(target, is_dir)`.
void parse_sudoers_text(const std::string& text, const std::string& file, Sudoers& out,
                        const std::function<void(const std::string&, bool)>& on_include);

}  // namespace triad::scanner
