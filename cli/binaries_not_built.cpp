// SPDX-License-Identifier: Apache-2.0
// `triad binaries` in a build without the ELF reader (TRIAD_WITH_ELF=OFF): it says so, and
// exits as for an unknown command, instead of the command vanishing without a word.
#include "cli/commands.h"

namespace triad::cli {

int run_binaries(int, char**, int) {
    print_error("'binaries' is not available: this triad was built without TRIAD_WITH_ELF (libelf)");
    return kExitUsage;
}

}  // namespace triad::cli
