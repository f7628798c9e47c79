// SPDX-License-Identifier: Apache-2.0
// The kernel command line and boot configuration readers (/proc/cmdline, /etc/default/grub,
// grub.cfg) and modprobe.d files. The first byte picks the parser.
#include "scanner/collectors/kernel/kernel_cmdline_internal.h"
#include "scanner/collectors/kernel/kernel_modules_internal.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    if (size == 0) return 0;
    const std::string_view text = triad::fuzz::as_text(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto params = cmdline_internal::split_cmdline(text);
            (void)cmdline_internal::find_param(params, "lockdown");
            break;
        }
        case 1: {
            std::map<std::string, std::string> vars;
            (void)cmdline_internal::apply_grub_defaults(text, vars);
            break;
        }
        case 2: (void)cmdline_internal::first_linux_line(text); break;
        case 3:
            for (const auto& rule : modules_internal::parse_modprobe_conf(text))
                (void)modules_internal::install_disables(rule.rest);
            (void)modules_internal::loaded_modules(text);
            break;
    }
    return 0;
}
