// SPDX-License-Identifier: Apache-2.0
// The `sudo_defaults` and `sudo_rules` collectors: the audited root's /etc/sudoers with
// every #include / @include and #includedir / @includedir followed as sudo follows them.
// One fact per Defaults parameter and one per user specification. Root scope.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

std::span<const FieldSpec> sudo_default_fields();
std::span<const FieldSpec> sudo_rule_fields();

FactSet collect_sudo_defaults(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_sudo_rules(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kSudoDefaultsCollector;
extern const CollectorEntry kSudoRulesCollector;

}  // namespace triad::scanner
