// SPDX-License-Identifier: Apache-2.0
// The table of collectors: the policy validator checks selects against it; the engine
// calls through it.
#pragma once

#include <span>
#include <string_view>

#include "scanner/core/collector.h"

namespace triad::scanner {

std::span<const CollectorEntry> collectors();
const CollectorEntry* find_collector(std::string_view name);

}  // namespace triad::scanner
