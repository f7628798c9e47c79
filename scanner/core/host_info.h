// SPDX-License-Identifier: Apache-2.0
// What a report says about its target: host name, kernel and OS of the audited root.
#pragma once

#include <string>

#include "scanner/core/sysroot.h"

namespace triad::scanner {

struct HostInfo {
    std::string hostname;  // /etc/hostname of the root; the live name on the host
    std::string kernel;    // live kernel release on the host; empty for an offline root
    std::string os;        // PRETTY_NAME from the root's /etc/os-release
};

HostInfo read_host_info(const Sysroot& root);

}  // namespace triad::scanner
