// SPDX-License-Identifier: Apache-2.0
// Pure parts of the sysctl collector: key spelling, sysctl.d syntax and the order in which
// systemd-sysctl applies configuration files.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triad::scanner::sysctl_internal {

// sysctl.d(5): '.' and '/' both separate; when the first separator is '.', dots and
// slashes swap. Returns the /proc/sys path form: "kernel/yama/ptrace_scope".
std::string key_to_path(std::string_view key);

struct Assignment {
    std::string key;    // as written, without a leading '-'
    std::string value;  // trimmed
    int line = 0;
};

// KEY = VALUE lines; blank lines and lines starting with '#' or ';' are skipped, as are
// lines without '=' (systemd-sysctl ignores them with a warning).
std::vector<Assignment> parse_sysctl_conf(std::string_view text);

// Whether an assignment's key (which may hold a glob, as systemd 240+ allows) sets `key`.
bool assignment_sets(std::string_view assignment_key, std::string_view key);

// The configuration files in the order they are applied, from each directory's listing
// (directories in priority order: /etc, /run, /usr/local/lib, /usr/lib, /lib). A name in
// a higher-priority directory hides the same name below it; the survivors are applied in
// name order, so a later name overrides an earlier one.
std::vector<std::string> config_order(const std::vector<std::pair<std::string, std::vector<std::string>>>& listings);

}  // namespace triad::scanner::sysctl_internal
