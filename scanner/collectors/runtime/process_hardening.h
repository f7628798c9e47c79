// SPDX-License-Identifier: Apache-2.0
// The `processes` collector: each running process (not kernel threads) with the binary
// behind /proc/PID/exe, resolved inside the audited root and judged like the `elf`
// collector judges files, its seccomp mode, NoNewPrivs and listening sockets — so a report
// can say "this listening daemon has no canary and no seccomp filter". Host scope.
#pragma once

#include <iterator>
#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum ProcessField : std::size_t {
    kProcPid, kProcName, kProcExe, kProcDeleted, kProcUid, kProcSeccomp, kProcNoNewPrivs, kProcListening,
    kProcListeningOn, kProcKind, kProcPie, kProcNx, kProcCanary, kProcRelro, kProcFortified, kProcFortifiable,
    kProcCetIbt, kProcCetShstk, kProcFieldCount
};

// The collector's specs are here rather than in process_hardening.cpp so that a build
// without libelf (TRIAD_WITH_ELF=OFF) still has them: policies that select `processes` then
// load as usual and their checks say the collector is not built (left_out() in
// scanner/core/collector.h).
inline constexpr FieldSpec kProcessFields[] = {
    {"pid", ValueKind::integer, "process id"},
    {"name", ValueKind::string, "command name (Name: in /proc/PID/status)"},
    {"exe", ValueKind::string, "the binary (/proc/PID/exe), as a path inside the audited root"},
    {"deleted", ValueKind::boolean, "the binary was deleted or replaced since the process started"},
    {"uid", ValueKind::integer, "real user id"},
    {"seccomp", ValueKind::string, "disabled, strict or filter; absent if the kernel has no seccomp"},
    {"no_new_privs", ValueKind::boolean, "NoNewPrivs: execve cannot gain privileges"},
    {"listening", ValueKind::boolean, "listens (TCP) or is bound (UDP) on a non-loopback address: reachable from the network"},
    {"listening_on", ValueKind::list, "every socket it listens on (\"tcp 0.0.0.0:22\"), loopback included; absent if none"},
    {"kind", ValueKind::string, "the binary's kind: exec, pie, dso, static, static-pie"},
    {"pie", ValueKind::boolean, "the binary is position independent"},
    {"nx", ValueKind::boolean, "the binary asks for a non-executable stack"},
    {"canary", ValueKind::boolean, "the binary uses stack canaries"},
    {"relro", ValueKind::string, "full, partial or none"},
    {"fortified", ValueKind::integer, "distinct __*_chk functions the binary imports"},
    {"fortifiable", ValueKind::integer, "distinct imported functions with a __*_chk variant"},
    {"cet_ibt", ValueKind::boolean, "x86 indirect branch tracking"},
    {"cet_shstk", ValueKind::boolean, "x86 shadow stack"},
};
static_assert(std::size(kProcessFields) == kProcFieldCount);

inline constexpr ArgSpec kProcessArgs[] = {
    {"listening", ArgKind::boolean, false, "only processes listening on a network address (true) or not (false)"},
};

inline constexpr CollectorEntry kProcessesCollectorSpec{
    "processes", Scope::host, kProcessFields, kProcessArgs, nullptr,
    "running processes: their binary's hardening, seccomp, NoNewPrivs, listening sockets\n"
    "\n"
    "One object per running process (`PID NAME`; kernel threads are left out), with the "
    "binary behind /proc/PID/exe resolved inside the audited root and judged as the `elf` "
    "collector judges files, its seccomp mode, NoNewPrivs and the sockets it listens on, "
    "so a check can say which network-facing daemon lacks a canary or a seccomp filter. "
    "Needs the running system. A process whose binary cannot be read, or was deleted or "
    "replaced since it started, is an error naming it.",
};

// The spec with its collect function (process_hardening.cpp).
extern const CollectorEntry kProcessesCollector;

FactSet collect_processes(const CollectContext& ctx, const SelectArgs& args);

}  // namespace triad::scanner
