// SPDX-License-Identifier: Apache-2.0
#include "base/version_compare.h"

#include <apt-pkg/debversion.h>

namespace triad {

int compare_versions(std::string_view a, std::string_view b) {
    // debVS.CmpVersion is pure: it needs neither pkgInitConfig nor the package cache.
    return debVS.DoCmpVersion(a.data(), a.data() + a.size(), b.data(), b.data() + b.size());
}

}  // namespace triad
