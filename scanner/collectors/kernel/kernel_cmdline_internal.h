// SPDX-License-Identifier: Apache-2.0
// Pure parts of the kernel_cmdline collector: splitting a command line as the kernel does,
// and the GRUB_CMDLINE_LINUX* assignments of /etc/default/grub.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triad::scanner::cmdline_internal {

struct Param {
    std::string name;   // before the first '='
    std::string value;  // after it, unquoted; empty for a bare flag
    bool has_value = false;
};

// Splits on blanks, keeping double-quoted stretches whole (param="a b"), and stops at "--":
// what follows goes to init, not to the kernel.
std::vector<Param> split_cmdline(std::string_view line);

// The last occurrence of `name` wins, as for most kernel parameters. Names compare with
// '-' and '_' equal, as the kernel's parameter parser does.
std::optional<Param> find_param(const std::vector<Param>& params, std::string_view name);

// The shell assignments GRUB_CMDLINE_LINUX=... and GRUB_CMDLINE_LINUX_DEFAULT=... of a
// /etc/default/grub-style file, applied on top of `vars` (the earlier files' values):
// quotes are removed and $NAME / ${NAME} of these two variables are substituted, which is
// what grub.d snippets use to append. Returns, per variable, the line that set it last.
std::map<std::string, int> apply_grub_defaults(std::string_view text, std::map<std::string, std::string>& vars);

// The kernel command line of the first `linux` (or `linuxefi`) line of a grub.cfg: the
// words after the kernel image. Empty when there is none.
std::optional<std::pair<std::string, int>> first_linux_line(std::string_view grub_cfg);

}  // namespace triad::scanner::cmdline_internal
