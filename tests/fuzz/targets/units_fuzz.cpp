// SPDX-License-Identifier: Apache-2.0
// systemd unit files as the services collectors read them: sections, continuation lines,
// quoting, comments.
#include "scanner/collectors/services/unit_files.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string error;
    (void)triad::scanner::units::parse_unit_text(triad::fuzz::as_text(data, size), "fuzz.service", &error);
    return 0;
}
