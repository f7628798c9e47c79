// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the package-database parsers triad wrote itself: dpkg md5sums lines,
// the dpkg status Conffiles field, debian-security-support lists and /proc/PID/maps. The
// input's first byte picks the parser; the rest is its text. Every parser must return (a
// value or an error naming its input) on any bytes, without reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/collectors/packages/package_integrity.h"
#include "scanner/collectors/packages/security_support.h"
#include "scanner/collectors/packages/stale_code.h"
#include "scanner/packages/dpkg_md5sums.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    using namespace triad::scanner;
    switch (data[0] % 5) {
        case 0: (void)parse_md5sums(text, "fuzz.md5sums"); break;
        case 1: (void)parse_conffiles(text); break;
        case 2: (void)parse_support_list(text, true, "security-support-ended.deb12"); break;
        case 3: (void)parse_support_list(text, false, "security-support-limited"); break;
        case 4: (void)executable_file_mappings(text); break;
    }
    return 0;
}
