// SPDX-License-Identifier: Apache-2.0
// The `kernel_cmdline` collector: whether a kernel command-line parameter is given, and its
// value — live (/proc/cmdline of the running kernel), configured (GRUB_CMDLINE_LINUX and
// GRUB_CMDLINE_LINUX_DEFAULT of the root's /etc/default/grub and grub.d, or
// /etc/kernel/cmdline) or in the generated /boot/grub/grub.cfg. One fact per parameter.
#pragma once

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum KernelCmdlineField : std::size_t {
    kCmdlineParam, kCmdlineSource, kCmdlinePresent, kCmdlineValue, kCmdlineFile, kCmdlineLine, kCmdlineFieldCount
};

extern const CollectorEntry kKernelCmdlineCollector;

}  // namespace triad::scanner
