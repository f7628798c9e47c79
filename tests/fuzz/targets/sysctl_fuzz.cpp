// SPDX-License-Identifier: Apache-2.0
// sysctl.d files as the sysctl collector reads them: assignments, '-' prefixes, keys turned
// into /proc/sys paths and matched against the key a check asks for.
#include "scanner/collectors/kernel/sysctl_internal.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner::sysctl_internal;
    for (const Assignment& a : parse_sysctl_conf(triad::fuzz::as_text(data, size))) {
        (void)key_to_path(a.key);
        (void)assignment_sets(a.key, "net.ipv4.conf.all.rp_filter");
        (void)assignment_sets(a.key, a.value);
    }
    return 0;
}
