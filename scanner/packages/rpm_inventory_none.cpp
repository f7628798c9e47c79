// SPDX-License-Identifier: Apache-2.0
// read_rpm_inventory in a build without librpm (TRIAD_WITH_RPM=OFF): a root without an
// rpmdb is still told apart from one whose rpmdb this build cannot read, so a collector
// that also reads dpkg (package_integrity) can say which it is.
#include "scanner/packages/rpm_inventory.h"

namespace triad::scanner {

Result<RpmInventory> read_rpm_inventory(const Sysroot& root, RpmRead) {
    for (const char* db : {"/var/lib/rpm/rpmdb.sqlite", "/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/rpmdb.sqlite",
                           "/usr/lib/sysimage/rpm/Packages"})
        if (root.lstat(db))
            return Error{ErrorCode::unsupported, "an rpmdb, which this triad cannot read: it was built without librpm (TRIAD_WITH_RPM=OFF)",
                         root.display(db)};
    return Error{ErrorCode::not_found, "no rpmdb (rpmdb.sqlite or Packages in /var/lib/rpm or /usr/lib/sysimage/rpm)",
                 root.display("/var/lib/rpm")};
}

}  // namespace triad::scanner
