// SPDX-License-Identifier: Apache-2.0
// Built without TRIAD_WITH_ELF: no ELF reader, so the hardening fields stay absent.
#include "scanner/collectors/isolation/listener_binaries.h"

#include "scanner/collectors/isolation/listeners.h"

namespace triad::scanner {

void add_binary_hardening(const CollectContext&, const std::vector<ListenerBinary>&, Fact& f) {
    f.fields[kLsnHardeningError] =
        Value{std::string("the ELF reader is not built into this triad (built without TRIAD_WITH_ELF)")};
}

}  // namespace triad::scanner
