// SPDX-License-Identifier: Apache-2.0
// The kernel build configuration as the kconfig collector reads it: /boot/config-* text, and
// /proc/config.gz through its bounded gunzip. The first byte picks which.
#include "scanner/collectors/kernel/kconfig_internal.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner::kconfig_internal;
    if (size == 0) return 0;
    const std::string_view text = triad::fuzz::as_text(data + 1, size - 1);
    if (data[0] & 1) {
        auto plain = gunzip(text, 1 << 20);
        if (plain) (void)parse_kconfig(*plain);
    } else {
        (void)parse_kconfig(text);
    }
    return 0;
}
