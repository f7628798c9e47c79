// SPDX-License-Identifier: Apache-2.0
// Version ordering as dpkg defines it (epoch, upstream, revision; '~' before everything),
// through libapt-pkg's own implementation rather than a re-implementation.
#pragma once

#include <string_view>

namespace triad {

// <0, 0, >0 as a is older than, equal to, newer than b.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace triad
