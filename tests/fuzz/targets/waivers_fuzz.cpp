// SPDX-License-Identifier: Apache-2.0
// Waiver files (YAML) as `triad scan --waivers` loads them.
#include "rules/score/waivers.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::set<std::string> known{"ssh-001", "ssh-002", "kernel-010"};
    (void)triad::rules::load_waivers_text(std::string(triad::fuzz::as_text(data, size)), "fuzz.yml", known);
    return 0;
}
