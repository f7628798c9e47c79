// SPDX-License-Identifier: Apache-2.0
// The `crypttab` collector: each volume the audited root's /etc/crypttab sets up at boot
// (name, device, key file, options), cross-checked with /etc/fstab (where the mapping is
// mounted, whether it is swap), and its key file (mode, owner, and whether the file system
// that holds it is itself encrypted). One fact per line. Root scope: works offline; on the
// running system the key file's file system is judged from the live device chain.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kCrypttabCollector;

}  // namespace triad::scanner
