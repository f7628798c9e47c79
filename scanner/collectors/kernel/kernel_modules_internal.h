// SPDX-License-Identifier: Apache-2.0
// Pure parts of the kernel_modules collector: module-name spelling and the modprobe.d
// commands that keep a module from loading.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triad::scanner::modules_internal {

// kmod treats '-' and '_' in module names alike; the kernel lists them with '_'.
std::string normalize_module(std::string_view name);

// The names of /proc/modules (first column), normalized.
std::vector<std::string> loaded_modules(std::string_view proc_modules);

struct ModprobeRule {
    std::string command;  // install, blacklist
    std::string module;   // normalized
    std::string rest;     // install: the command line it runs instead
    int line = 0;
};

// The install and blacklist lines of one modprobe.d file (continued lines joined, '#' comments).
std::vector<ModprobeRule> parse_modprobe_conf(std::string_view text);

// Whether an install command keeps the module from loading: it runs only /bin/false,
// /bin/true (or their /usr/bin forms) or nothing useful, and never modprobe/insmod.
bool install_disables(std::string_view command);

}  // namespace triad::scanner::modules_internal
