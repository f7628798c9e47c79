// SPDX-License-Identifier: Apache-2.0
// Result JSON files as `triad report` and `triad diff` read them back.
#include "reporters/result_reader.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)triad::report::parse_result_json(triad::fuzz::as_text(data, size), "fuzz.json");
    return 0;
}
