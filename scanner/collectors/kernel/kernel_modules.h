// SPDX-License-Identifier: Apache-2.0
// The `kernel_modules` collector: for each named module, whether the running kernel has it
// loaded (/proc/modules; live) or whether the audited root's modprobe.d configuration keeps
// it from loading (`install NAME /bin/false`, `blacklist NAME`; configured). One fact per module.
#pragma once

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum KernelModuleField : std::size_t {
    kModuleName, kModuleSource, kModuleLoaded, kModuleDisabled, kModuleBlacklisted, kModuleInstall, kModuleFile, kModuleLine,
    kModuleFieldCount
};

extern const CollectorEntry kKernelModulesCollector;

}  // namespace triad::scanner
