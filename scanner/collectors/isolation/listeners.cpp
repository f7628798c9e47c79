// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/listeners.h"

#include <algorithm>
#include <map>
#include <set>

#include "scanner/collectors/isolation/listener_binaries.h"
#include "scanner/proc/proc_isolation.h"
#include "scanner/proc/proc_table.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"proto", ValueKind::string, "tcp, tcp6, udp or udp6"},
    {"address", ValueKind::string, "the local address it is bound to (0.0.0.0, ::, 127.0.0.1, ...)"},
    {"port", ValueKind::integer, "the local port"},
    {"loopback", ValueKind::boolean, "bound to a loopback address only: reachable from this host alone"},
    {"inode", ValueKind::integer, "the socket's inode (the link target of /proc/PID/fd/N)"},
    {"attributed", ValueKind::boolean, "some process holding it was found; false: unattributed (see hidden_processes)"},
    {"processes", ValueKind::list, "the processes holding it (\"PID NAME\")"},
    {"exe", ValueKind::list, "their binaries (/proc/PID/exe)"},
    {"uid", ValueKind::integer, "the lowest real uid among them"},
    {"root", ValueKind::boolean, "some process holding it runs as uid 0"},
    {"capabilities", ValueKind::list, "the effective capabilities of its processes (union)"},
    {"seccomp", ValueKind::string, "the weakest seccomp mode among them: disabled, filter, strict"},
    {"no_new_privs", ValueKind::boolean, "every process holding it has NoNewPrivs set"},
    {"lsm_label", ValueKind::string, "the LSM label of its first process; absent when no LSM labels processes"},
    {"container", ValueKind::string, "the container its first process runs in, as its cgroup path names it; absent on the host"},
    {"hidden_processes", ValueKind::list, "unattributed only: processes whose descriptors the kernel hid from the reader (\"PID NAME: reason\")"},
    {"pie", ValueKind::boolean, "every binary holding it is position independent (ELF reader; absent when it cannot say, see hardening_error)"},
    {"relro", ValueKind::string, "the weakest RELRO among its binaries: full, partial or none"},
    {"canary", ValueKind::boolean, "every binary holding it references the stack protector"},
    {"nx", ValueKind::boolean, "every binary holding it has a non-executable stack"},
    {"hardening_error", ValueKind::string, "why pie/relro/canary/nx are absent: binary unreadable, deleted, not ELF, or the ELF reader not built"},
};
static_assert(std::size(kFields) == kLsnFieldCount);

// "0.0.0.0:22" / "[::]:53" → address and port.
std::pair<std::string, std::int64_t> split_address(const std::string& local) {
    const std::size_t colon = local.rfind(':');
    std::string addr = local.substr(0, colon);
    if (addr.size() >= 2 && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
    std::int64_t port = 0;
    try {
        port = std::stoll(local.substr(colon + 1));
    } catch (...) {
        port = -1;
    }
    return {addr, port};
}

FactSet collect_listeners(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("listeners", "needs the running system (/proc)")};
    const ProcessTable table = read_process_table(*ctx.proc);
    std::map<std::uint64_t, std::vector<const ProcessInfo*>> owners;
    StringList hidden;
    for (const ProcessInfo& p : table.processes) {
        for (std::uint64_t inode : p.sockets) owners[inode].push_back(&p);
        if (!p.fd_error.empty()) hidden.push_back(std::to_string(p.pid) + " " + p.name + ": " + p.fd_error);
    }
    std::map<int, std::optional<ProcessIsolation>> isolation;  // read once per owning process
    auto iso = [&](int pid) -> const ProcessIsolation* {
        auto [it, fresh] = isolation.try_emplace(pid);
        if (fresh)
            if (auto r = read_process_isolation(*ctx.proc, std::to_string(pid))) it->second = std::move(*r);
        return it->second ? &*it->second : nullptr;
    };
    FactSet out;
    for (const ListeningSocket& s : table.listening) {
        if (ctx.cancelled()) break;
        Fact f;
        f.object = s.describe();
        f.fields.resize(kLsnFieldCount);
        const auto [addr, port] = split_address(s.local);
        f.fields[kLsnProto] = Value{s.proto};
        f.fields[kLsnAddress] = Value{addr};
        f.fields[kLsnPort] = Value{port};
        f.fields[kLsnLoopback] = Value{s.loopback};
        f.fields[kLsnInode] = Value{static_cast<std::int64_t>(s.inode)};
        auto it = owners.find(s.inode);
        const bool attributed = it != owners.end();
        f.fields[kLsnAttributed] = Value{attributed};
        if (!attributed) {
            f.fields[kLsnHiddenProcesses] = Value{hidden};
            out.push_back(std::move(f));
            continue;
        }
        StringList procs, exes, caps;
        std::vector<ListenerBinary> binaries;
        std::set<std::string> cap_set;
        std::optional<std::int64_t> uid;
        bool root = false, nnp = true, nnp_known = true;
        int weakest = -1;
        for (const ProcessInfo* p : it->second) {
            procs.push_back(std::to_string(p->pid) + " " + p->name);
            if (!p->exe.empty()) exes.push_back(p->exe);
            binaries.push_back({p->exe, p->exe_deleted, p->exe_error});
            if (p->uid) {
                uid = uid ? std::min(*uid, *p->uid) : *p->uid;
                root = root || *p->uid == 0;
            }
            if (p->seccomp) {
                const int rank = *p->seccomp == 0 ? 0 : *p->seccomp == 2 ? 1 : 2;
                weakest = weakest < 0 ? rank : std::min(weakest, rank);
            }
            if (p->no_new_privs) nnp = nnp && *p->no_new_privs;
            else nnp_known = false;
            if (const ProcessIsolation* i = iso(p->pid); i && i->cap_eff)
                for (std::string& c : capability_names(*i->cap_eff)) cap_set.insert(std::move(c));
        }
        std::sort(exes.begin(), exes.end());
        exes.erase(std::unique(exes.begin(), exes.end()), exes.end());
        f.fields[kLsnProcesses] = Value{procs};
        f.fields[kLsnExe] = Value{exes};
        if (uid) f.fields[kLsnUid] = Value{*uid};
        f.fields[kLsnRoot] = Value{root};
        f.fields[kLsnCapabilities] = Value{StringList(cap_set.begin(), cap_set.end())};
        if (weakest >= 0) f.fields[kLsnSeccomp] = Value{std::string(weakest == 0 ? "disabled" : weakest == 1 ? "filter" : "strict")};
        if (nnp_known) f.fields[kLsnNoNewPrivs] = Value{nnp};
        if (const ProcessIsolation* first = iso(it->second.front()->pid)) {
            if (first->lsm_label) f.fields[kLsnLsmLabel] = Value{*first->lsm_label};
            if (const ContainerRef ref = first->container(); !ref.engine.empty()) f.fields[kLsnContainer] = Value{ref.name()};
        }
        add_binary_hardening(ctx, binaries, f);
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kListenersCollector{
    "listeners", Scope::host, kFields, {}, collect_listeners,
    "every listening socket with the process that holds it and how that process is confined\n"
    "\n"
    "One object per listening socket (`tcp 0.0.0.0:22`): TCP in LISTEN and unconnected bound "
    "UDP of /proc/net/{tcp,tcp6,udp,udp6} in every network namespace a process is in, "
    "matched to processes through the socket inodes behind /proc/PID/fd. A socket no "
    "process could be found for is kept with `attributed` false and the processes whose "
    "descriptors the kernel hid (EACCES) in `hidden_processes`: it is never dropped. The "
    "ELF hardening of the binaries holding it (pie, relro, canary, nx; the weakest wins) "
    "comes from the scan's ELF reader memo, shared with `processes` and `elf`; in a build "
    "without TRIAD_WITH_ELF those fields are absent and `hardening_error` says why.",
};

}  // namespace triad::scanner
