// SPDX-License-Identifier: Apache-2.0
// The live nftables ruleset of the calling thread's network namespace, as libnftables prints
// it (`list ruleset`, output and errors buffered: a read, no nft binary is run). Shared by
// the `firewall`, `firewall_chains` and `listener_exposure` collectors; built only with
// TRIAD_WITH_NFTABLES (firewall.cpp).
#pragma once

#include <string>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// --proc is the live procfs: only then is the kernel's ruleset the audited system's.
bool live_procfs(const Sysroot& proc);

// The listing with libnftables' NFT_CTX_OUTPUT_* `flags` (JSON, TERSE, HANDLE, ...). An
// error without CAP_NET_ADMIN (checked first: libnftables would complain on stderr) or when
// the kernel refuses, and for a listing larger than 64 MiB.
Result<std::string> list_live_ruleset(unsigned flags);

}  // namespace triad::scanner
