// SPDX-License-Identifier: Apache-2.0
// The `processes` collector: each running process (not kernel threads) with the binary
// behind /proc/PID/exe, resolved inside the audited root and judged like the `elf`
// collector judges files, its seccomp mode, NoNewPrivs and listening sockets — so a report
// can say "this listening daemon has no canary and no seccomp filter". Host scope.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum ProcessField : std::size_t {
    kProcPid, kProcName, kProcExe, kProcDeleted, kProcUid, kProcSeccomp, kProcNoNewPrivs, kProcListening,
    kProcListeningOn, kProcKind, kProcPie, kProcNx, kProcCanary, kProcRelro, kProcFortified, kProcFortifiable,
    kProcCetIbt, kProcCetShstk, kProcFieldCount
};

std::span<const FieldSpec> process_fields();
std::span<const ArgSpec> process_args();
FactSet collect_processes(const CollectContext& ctx, const SelectArgs& args);

}  // namespace triad::scanner
