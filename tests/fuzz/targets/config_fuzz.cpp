// SPDX-License-Identifier: Apache-2.0
// The generic key-value reader behind login.defs, the config collector and the other
// KEY VALUE / KEY=VALUE files. The first byte picks the syntax; the rest is the file.
#include "scanner/config/config_file.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    if (size == 0) return 0;
    const std::string_view text = triad::fuzz::as_text(data + 1, size - 1);
    ConfigSyntax syntax;
    syntax.separator = static_cast<ConfigSeparator>(data[0] % 4);
    syntax.case_insensitive_keys = data[0] & 4;
    if (data[0] & 8) syntax.stop_at = "Match";
    (void)parse_config(text, syntax);
    (void)logical_lines(text, data[0] & 16);
    return 0;
}
