// SPDX-License-Identifier: Apache-2.0
// sshd_config as the sshd collector reads it: Match blocks, Include globs relative to
// /etc/ssh, every setting converted. Input parts: /etc/ssh/sshd_config, then
// /etc/ssh/sshd_config.d/a.conf and /etc/ssh/inc.conf for its Include lines to find.
#include "scanner/collectors/accounts/sshd_config.h"
#include "scanner/collectors/accounts/sshd_config_internal.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static triad::fuzz::FixtureRoot fixture;
    const auto parts = triad::fuzz::split_parts(triad::fuzz::as_text(data, size), 3);
    fixture.put("/etc/ssh/sshd_config", parts[0], /*keep_empty=*/true);
    fixture.put("/etc/ssh/sshd_config.d/a.conf", parts[1]);
    fixture.put("/etc/ssh/inc.conf", parts[2]);
    const Sysroot root = fixture.open();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["key"] = std::string("ciphers");
    (void)collect_sshd(CollectContext{root, ids}, args);
    (void)parse_sshd_time(parts[1]);
    (void)apply_algorithm_list({"a", "b", "c"}, parts[2]);
    return 0;
}
