// SPDX-License-Identifier: Apache-2.0
// sudoers as the sudo collectors read it: Defaults, user specifications, aliases and the
// #include / @includedir lines. Input parts: /etc/sudoers, /etc/sudoers.d/a, /etc/sudo.inc.
#include "scanner/collectors/accounts/sudoers.h"
#include "scanner/collectors/accounts/sudoers_internal.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static triad::fuzz::FixtureRoot fixture;
    const auto parts = triad::fuzz::split_parts(triad::fuzz::as_text(data, size), 3);
    fixture.put("/etc/sudoers", parts[0], /*keep_empty=*/true);
    fixture.put("/etc/sudoers.d/a", parts[1]);
    fixture.put("/etc/sudo.inc", parts[2]);
    (void)read_sudoers(fixture.open(), "/etc/sudoers");
    return 0;
}
