// SPDX-License-Identifier: Apache-2.0
// The `pam_option` collector: the effective value of one option of one PAM module, where
// the module actually runs. A module's settings file (pwquality.conf, faillock.conf,
// pwhistory.conf) only matters when a PAM stack runs that module, and an argument on the
// module's line overrides the file: a check built on this collector cannot pass on a
// settings file that no stack reads. Root scope.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

std::span<const FieldSpec> pam_option_fields();
FactSet collect_pam_option(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kPamOptionCollector;

}  // namespace triad::scanner
