// SPDX-License-Identifier: Apache-2.0
// SELinux configuration as the selinux collectors read it: /etc/selinux/config, and the
// policy's file_contexts (handed to libselinux's labeler) with customizable_types. Input
// parts: the config, file_contexts, customizable_types.
#include "scanner/collectors/mac/selinux.h"
#include "tests/fuzz/fuzz_root.h"

// libselinux 3.4 (Debian 12) leaks the strings of a file_contexts line it rejects for non-ASCII
// bytes (strndup in read_spec_entries, no free on that error path; a C program calling only
// selabel_open and selabel_close on such a file leaks the same). triad closes every handle it
// opens; the library's own leak is suppressed here so it does not hide triad's.
extern "C" const char* __lsan_default_suppressions() { return "leak:libselinux.so.1\n"; }

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
