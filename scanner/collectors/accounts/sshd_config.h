// SPDX-License-Identifier: Apache-2.0
// The `sshd` collector: the effective OpenSSH server settings of the audited root, read as
// sshd reads /etc/ssh/sshd_config — Include globs relative to /etc/ssh, keywords without
// case, the first value wins, built-in defaults of Debian 12's OpenSSH 9.2. One fact for
// the global settings and one per Match block (its settings over the global ones, as a
// connection that matches only that block sees them). Root scope.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

std::span<const FieldSpec> sshd_fields();
FactSet collect_sshd(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kSshdCollector;

}  // namespace triad::scanner
