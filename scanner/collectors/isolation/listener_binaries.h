// SPDX-License-Identifier: Apache-2.0
// The ELF hardening of the binaries behind a listening socket, for the `listeners`
// collector. Two implementations chosen by CMake: listener_binaries.cpp reads through the
// scan's ElfMemo (the reader `processes` and `elf` share, so each binary is read once per
// scan); listener_binaries_not_built.cpp, in a build without TRIAD_WITH_ELF, leaves the
// fields absent and says why. The listeners collector itself never needs libelf.
#pragma once

#include <string>
#include <vector>

#include "scanner/core/collector.h"

namespace triad::scanner {

struct ListenerBinary {
    std::string exe;        // /proc/PID/exe target
    bool deleted = false;   // replaced on disk since the process started
    std::string exe_error;  // why the link could not be read
};

// Sets kLsnPie, kLsnRelro, kLsnCanary and kLsnNx of `f` (the weakest over the binaries),
// or, when any binary cannot be judged, only kLsnHardeningError with the reason.
void add_binary_hardening(const CollectContext& ctx, const std::vector<ListenerBinary>& binaries, Fact& f);

}  // namespace triad::scanner
