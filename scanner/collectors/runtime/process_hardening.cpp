// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/runtime/process_hardening.h"

#include <map>

#include "scanner/elf/elf_cache.h"
#include "scanner/proc/proc_table.h"

namespace triad::scanner {
namespace {

}  // namespace

FactSet collect_processes(const CollectContext& ctx, const SelectArgs& args) {
    if (!ctx.proc) return {Fact::not_applicable("processes", "needs the running system (/proc)")};
    const std::optional<bool> only_listening = args.boolean("listening");
    ElfMemo own_memo;
    ElfMemo& elf = ctx.memo ? ctx.memo->get<ElfMemo>() : own_memo;
    FactSet out;
    for (const ProcessInfo& p : read_processes(*ctx.proc)) {
        if (ctx.cancelled()) break;
        if (p.exe.empty() && p.exe_error.empty()) continue;  // kernel thread
        if (only_listening && *only_listening != p.listens_on_network) continue;
        const std::string object = std::to_string(p.pid) + " " + p.name;
        if (!p.exe_error.empty()) {
            out.push_back(Fact::error(object, "cannot read its binary: " + p.exe_error));
            continue;
        }
        Fact f;
        f.object = object;
        f.fields.resize(kProcFieldCount);
        f.fields[kProcPid] = Value{std::int64_t{p.pid}};
        f.fields[kProcName] = Value{p.name};
        f.fields[kProcExe] = Value{p.exe};
        f.fields[kProcDeleted] = Value{p.exe_deleted};
        if (p.uid) f.fields[kProcUid] = Value{*p.uid};
        if (p.seccomp) f.fields[kProcSeccomp] = Value{std::string(seccomp_mode_name(*p.seccomp))};
        if (p.no_new_privs) f.fields[kProcNoNewPrivs] = Value{*p.no_new_privs};
        f.fields[kProcListening] = Value{p.listens_on_network};
        if (!p.listening.empty()) f.fields[kProcListeningOn] = Value{StringList(p.listening)};
        // The binary as it is on disk now; a replaced one no longer tells what runs.
        if (p.exe_deleted) {
            out.push_back(Fact::error(object, "its binary " + p.exe + " was deleted or replaced since it started (restart it)"));
            continue;
        }
        auto info = elf.read(ctx.root, p.exe);
        if (!info) {
            out.push_back(Fact::error(object, "cannot judge its binary " + p.exe + ": " + info.error().message));
            continue;
        }
        f.fields[kProcKind] = Value{info->kind};
        f.fields[kProcPie] = Value{info->pie};
        f.fields[kProcNx] = Value{info->nx};
        f.fields[kProcCanary] = Value{info->canary};
        f.fields[kProcRelro] = Value{info->relro};
        f.fields[kProcFortified] = Value{std::int64_t{info->fortified}};
        f.fields[kProcFortifiable] = Value{std::int64_t{info->fortifiable}};
        f.fields[kProcCetIbt] = Value{info->cet_ibt};
        f.fields[kProcCetShstk] = Value{info->cet_shstk};
        out.push_back(std::move(f));
    }
    return out;
}

const CollectorEntry kProcessesCollector = with_collect(kProcessesCollectorSpec, collect_processes);

}  // namespace triad::scanner
