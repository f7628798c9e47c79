// SPDX-License-Identifier: Apache-2.0
// A PAM service stack as the pam collector reads it: include, substack and @include of other
// services. Input parts: /etc/pam.d/login, /etc/pam.d/common-auth, /etc/pam.d/other.
#include "scanner/collectors/accounts/pam.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static triad::fuzz::FixtureRoot fixture;
    const auto parts = triad::fuzz::split_parts(triad::fuzz::as_text(data, size), 3);
    fixture.put("/etc/pam.d/login", parts[0], /*keep_empty=*/true);
    fixture.put("/etc/pam.d/common-auth", parts[1]);
    fixture.put("/etc/pam.d/other", parts[2]);
    const Sysroot root = fixture.open();
    std::string error;
    (void)read_pam_service(root, "login", error);
    return 0;
}
