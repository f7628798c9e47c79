// SPDX-License-Identifier: Apache-2.0
// The `file` collector: facts about named paths (globs expanded inside the root), with every
// field of a walk entry (scanner/walk/file_entry.h). Root scope.
#pragma once

#include <string>
#include <vector>

#include "scanner/core/collector.h"
#include "scanner/core/fact.h"
#include "scanner/identity/identity.h"
#include "scanner/walk/file_entry.h"

namespace triad::scanner {

// The `file` collector. A path that does not exist yields a fact with exists=false; an
// unreadable one yields an error fact with the reason.
FactSet collect_file(const Sysroot& root, const IdentityTable& ids, const std::vector<std::string>& paths);

extern const CollectorEntry kFileCollector;

}  // namespace triad::scanner
