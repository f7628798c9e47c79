// SPDX-License-Identifier: Apache-2.0
// AppArmor profile files as the apparmor_profiles collector reads their headers (names,
// flags=(...) modes, nested hats and child profiles).
#include "scanner/collectors/mac/apparmor.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)triad::scanner::parse_profile_headers(triad::fuzz::as_text(data, size));
    return 0;
}
