// SPDX-License-Identifier: Apache-2.0
// SELinux configuration as the selinux collectors read it: /etc/selinux/config, and the
// policy's file_contexts (handed to libselinux's labeler) with customizable_types. Input
// parts: the config, file_contexts, customizable_types.
#include "scanner/collectors/mac/selinux.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static triad::fuzz::FixtureRoot fixture;
    const auto parts = triad::fuzz::split_parts(triad::fuzz::as_text(data, size), 3);
    fixture.put("/etc/selinux/config", parts[0], /*keep_empty=*/true);
    fixture.put("/etc/selinux/targeted/contexts/files/file_contexts", parts[1]);
    fixture.put("/etc/selinux/targeted/contexts/customizable_types", parts[2]);
    const Sysroot root = fixture.open();
    const IdentityTable ids = IdentityTable::load(root);
    const CollectContext ctx{root, ids};
    (void)collect_selinux(ctx, {});
    SelectArgs args;
    args.values["path"] = std::string("/etc/selinux/*");
    (void)collect_selinux_files(ctx, args);
    return 0;
}
