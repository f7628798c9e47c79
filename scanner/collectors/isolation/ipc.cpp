// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/ipc.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>

#include "scanner/proc/proc_files.h"
#include "scanner/proc/proc_isolation.h"
#include "scanner/proc/proc_table.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"kind", ValueKind::string, "sysv-shm, sysv-msg, sysv-sem, posix-shm, posix-sem, posix-mq, unix-socket, abstract-socket, shm-mount"},
    {"key", ValueKind::string, "SysV key as ipcs prints it (0x0001e240); 0x00000000 is IPC_PRIVATE"},
    {"id", ValueKind::integer, "SysV identifier (shmid, msqid, semid)"},
    {"path", ValueKind::string, "POSIX object, socket or mount point path (\"@name\" for an abstract socket)"},
    {"mode", ValueKind::mode, "permission bits (SysV perms; the file's mode for POSIX objects and path sockets)"},
    {"uid", ValueKind::integer, "owner uid"},
    {"gid", ValueKind::integer, "owner gid"},
    {"owner", ValueKind::string, "owner name from the audited root's passwd; absent when unknown", FieldNeeds::user_names},
    {"creator_pid", ValueKind::integer, "SysV: the process that created it (shm cpid)"},
    {"last_pid", ValueKind::integer, "SysV: the last process that attached (shm lpid), sent (msg lspid) or operated"},
    {"attached", ValueKind::integer, "shm: processes attached (nattch); msg: messages queued"},
    {"size", ValueKind::integer, "shm: bytes; msg: bytes queued; sem: semaphores in the set; POSIX: file size"},
    {"world_readable", ValueKind::boolean, "others may read (SysV/POSIX objects, path sockets); true for every abstract socket"},
    {"world_writable", ValueKind::boolean, "others may write (for a socket: connect); true for every abstract socket, which has no permissions"},
    {"listening", ValueKind::boolean, "unix sockets: it accepts connections"},
    {"processes", ValueKind::list, "unix sockets: the processes holding it (\"PID NAME\"); SysV shm: creator and last attacher where alive"},
    {"nodev", ValueKind::boolean, "shm-mount: mounted nodev"},
    {"nosuid", ValueKind::boolean, "shm-mount: mounted nosuid"},
    {"noexec", ValueKind::boolean, "shm-mount: mounted noexec"},
};
static_assert(std::size(kFields) == kIpcFieldCount);

constexpr std::size_t kMaxTable = 64 * 1024 * 1024;
constexpr std::size_t kMaxEntries = 100000;

template <typename T>
bool number(std::string_view s, T& out, int base = 10) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < text.size() && out.size() < kMaxEntries + 1) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

Fact base_fact(const std::string& object, const std::string& kind) {
    Fact f;
    f.object = object;
    f.fields.resize(kIpcFieldCount);
    f.fields[kIpcKind] = Value{kind};
    return f;
}

void set_owner(Fact& f, const CollectContext& ctx, std::int64_t uid, std::int64_t gid, std::uint32_t mode) {
    f.fields[kIpcUid] = Value{uid};
    f.fields[kIpcGid] = Value{gid};
    if (const std::string* name = ctx.ids.user_name(static_cast<uid_t>(uid))) f.fields[kIpcOwner] = Value{*name};
    f.fields[kIpcMode] = Value{Mode{mode & 07777}};
    f.fields[kIpcWorldReadable] = Value{(mode & 04) != 0};
    f.fields[kIpcWorldWritable] = Value{(mode & 02) != 0};
}

// The entries of a directory of the audited root (/dev/shm, the mqueue mount), each
// lstat'ed; an unreadable one is an error fact.
void add_directory_objects(const CollectContext& ctx, const std::string& dir, const std::string& kind, FactSet& out) {
    auto fd = ctx.root.open_path(dir, O_RDONLY | O_DIRECTORY, /*follow_final=*/false);
    if (!fd) {
        if (fd.error().code != ErrorCode::not_found) out.push_back(Fact::error(dir, fd.error().describe()));
        return;
    }
    std::vector<std::string> names = list_proc_dir(fd->get());
    std::sort(names.begin(), names.end());
    if (names.size() > kMaxEntries) names.resize(kMaxEntries);
    for (const std::string& n : names) {
        if (ctx.cancelled()) return;
        const std::string path = dir + "/" + n;
        auto st = ctx.root.lstat(path);
        if (!st) {
            out.push_back(Fact::error(path, st.error().describe()));
            continue;
        }
        std::string k = kind;
        if (kind == "posix-shm") {
            if (S_ISDIR(st->stx_mode)) continue;  // not an object (a directory some program made)
            if (n.starts_with("sem.")) k = "posix-sem";
        }
        Fact f = base_fact(path, k);
        f.fields[kIpcPath] = Value{path};
        f.fields[kIpcSize] = Value{static_cast<std::int64_t>(st->stx_size)};
        set_owner(f, ctx, st->stx_uid, st->stx_gid, st->stx_mode);
        out.push_back(std::move(f));
    }
}

}  // namespace

std::string sysv_key_text(std::int64_t key) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(static_cast<std::uint32_t>(key)));
    return buf;
}

std::vector<SysvObject> parse_sysvipc(std::string_view text, std::string_view table) {
    std::vector<SysvObject> out;
    auto rows = lines(text);
    for (std::size_t i = 1; i < rows.size() && out.size() < kMaxEntries; ++i) {  // row 0: the column names
        auto w = split_proc_words(rows[i]);
        SysvObject o;
        o.kind = "sysv-" + std::string(table);
        // shm: key shmid perms size cpid lpid nattch uid gid ...
        // msg: key msqid perms cbytes qnum lspid lrpid uid gid ...
        // sem: key semid perms nsems uid gid ...
        const std::size_t need = table == "sem" ? 6 : 9;
        if (w.size() < need || !number(w[0], o.key) || !number(w[1], o.id) || !number(w[2], o.mode, 8) || !number(w[3], o.size))
            continue;
        bool ok = true;
        if (table == "shm") ok = number(w[4], o.cpid) && number(w[5], o.lpid) && number(w[6], o.attached) && number(w[7], o.uid) && number(w[8], o.gid);
        else if (table == "msg") ok = number(w[4], o.attached) && number(w[5], o.lpid) && number(w[7], o.uid) && number(w[8], o.gid);
        else ok = number(w[4], o.uid) && number(w[5], o.gid);
        if (ok) out.push_back(o);
    }
    return out;
}

std::vector<UnixSocket> parse_proc_net_unix(std::string_view text) {
    // "Num RefCount Protocol Flags Type St Inode Path"; Flags 00010000 is __SO_ACCEPTCON.
    std::vector<UnixSocket> out;
    auto rows = lines(text);
    for (std::size_t i = 1; i < rows.size() && out.size() < kMaxEntries; ++i) {
        auto w = split_proc_words(rows[i]);
        if (w.size() < 8) continue;  // unbound: no path
        UnixSocket s;
        std::uint64_t flags = 0, type = 0;
        if (!number(w[3], flags, 16) || !number(w[4], type, 16) || !number(w[6], s.inode)) continue;
        s.listening = (flags & 0x10000) != 0;
        s.type = type == 1 ? "stream" : type == 2 ? "dgram" : type == 5 ? "seqpacket" : std::to_string(type);
        // The path is the rest of the line (it may hold spaces).
        s.path = std::string(rows[i].substr(static_cast<std::size_t>(w[7].data() - rows[i].data())));
        out.push_back(std::move(s));
    }
    return out;
}

namespace {

FactSet collect_ipc(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("ipc", "needs the running system (/proc)")};
    FactSet out;
    const ProcessTable table = read_process_table(*ctx.proc);
    std::map<std::int64_t, std::string> names;
    std::map<std::uint64_t, std::vector<std::string>> holders;  // socket inode → "PID NAME"
    for (const ProcessInfo& p : table.processes) {
        names[p.pid] = p.name;
        for (std::uint64_t inode : p.sockets) holders[inode].push_back(std::to_string(p.pid) + " " + p.name);
    }

    // SysV objects of the reader's IPC namespace.
    for (const char* t : {"shm", "msg", "sem"}) {
        const std::string file = std::string("sysvipc/") + t;
        auto text = ctx.proc->read_file(file, kMaxTable);
        if (!text) {
            if (text.error().code != ErrorCode::not_found) out.push_back(Fact::error("/proc/" + file, text.error().describe()));
            continue;  // a kernel without SysV IPC
        }
        for (const SysvObject& o : parse_sysvipc(*text, t)) {
            Fact f = base_fact(o.kind + " " + sysv_key_text(o.key) + " id " + std::to_string(o.id), o.kind);
            f.fields[kIpcKey] = Value{sysv_key_text(o.key)};
            f.fields[kIpcId] = Value{o.id};
            f.fields[kIpcSize] = Value{o.size};
            set_owner(f, ctx, o.uid, o.gid, o.mode);
            if (o.cpid >= 0) f.fields[kIpcCreatorPid] = Value{o.cpid};
            if (o.lpid >= 0) f.fields[kIpcLastPid] = Value{o.lpid};
            if (o.attached >= 0) f.fields[kIpcAttached] = Value{o.attached};
            StringList procs;
            for (std::int64_t pid : {o.cpid, o.lpid})
                if (auto it = names.find(pid); pid > 0 && it != names.end()) procs.push_back(std::to_string(pid) + " " + it->second);
            std::sort(procs.begin(), procs.end());
            procs.erase(std::unique(procs.begin(), procs.end()), procs.end());
            f.fields[kIpcProcesses] = Value{procs};
            out.push_back(std::move(f));
        }
    }

    // POSIX shared memory and semaphores, the /dev/shm mount, and message queues.
    add_directory_objects(ctx, "/dev/shm", "posix-shm", out);
    std::vector<MountEntry> mounts;
    if (auto mi = ctx.proc->read_file("self/mountinfo", kMaxTable)) mounts = parse_mountinfo(*mi);
    const MountEntry* shm = nullptr;
    std::set<std::string> mqueue_points;
    for (const MountEntry& m : mounts) {
        if (m.mount_point == "/dev/shm") shm = &m;  // stacked mounts: the last one is what is seen
        if (m.fstype == "mqueue") mqueue_points.insert(m.mount_point);
    }
    if (shm) {
        Fact f = base_fact("mount /dev/shm", "shm-mount");
        f.fields[kIpcPath] = Value{std::string("/dev/shm")};
        f.fields[kIpcNodev] = Value{shm->has_option("nodev")};
        f.fields[kIpcNosuid] = Value{shm->has_option("nosuid")};
        f.fields[kIpcNoexec] = Value{shm->has_option("noexec")};
        if (auto st = ctx.root.lstat("/dev/shm")) set_owner(f, ctx, st->stx_uid, st->stx_gid, st->stx_mode);
        out.push_back(std::move(f));
    }
    for (const std::string& mp : mqueue_points) add_directory_objects(ctx, mp, "posix-mq", out);

    // Bound Unix sockets of every network namespace a process is in.
    std::map<std::uint64_t, UnixSocket> sockets;
    std::set<std::string> seen_ns;
    auto add_unix = [&](const std::string& path) {
        if (auto text = ctx.proc->read_file(path, kMaxTable))
            for (UnixSocket& s : parse_proc_net_unix(*text)) sockets.emplace(s.inode, std::move(s));
    };
    add_unix("net/unix");
    for (const ProcessInfo& p : table.processes)
        if (auto ns = ctx.proc->read_link(std::to_string(p.pid) + "/ns/net"); ns && seen_ns.insert(*ns).second)
            add_unix(std::to_string(p.pid) + "/net/unix");
    std::map<std::string, Fact> by_path;  // one fact per path: a socket path bound in several namespaces is merged
    for (const auto& [inode, s] : sockets) {
        if (ctx.cancelled()) break;
        const bool abstract = s.path.starts_with("@");
        auto [it, fresh] = by_path.try_emplace(s.path);
        Fact& f = it->second;
        if (fresh) {
            f = base_fact((abstract ? "abstract-socket " : "unix-socket ") + s.path, abstract ? "abstract-socket" : "unix-socket");
            f.fields[kIpcPath] = Value{s.path};
            f.fields[kIpcListening] = Value{s.listening};
            f.fields[kIpcProcesses] = Value{StringList{}};
            if (abstract) {
                // An abstract socket has no owner or mode: anyone in its network namespace can connect.
                f.fields[kIpcWorldReadable] = Value{true};
                f.fields[kIpcWorldWritable] = Value{true};
            } else if (auto st = ctx.root.lstat(s.path)) {
                set_owner(f, ctx, st->stx_uid, st->stx_gid, st->stx_mode);
            } else if (st.error().code != ErrorCode::not_found) {
                f = Fact::error("unix-socket " + s.path, st.error().describe());
                continue;
            }
        }
        if (f.status != FactStatus::ok) continue;
        if (s.listening) f.fields[kIpcListening] = Value{true};
        auto& procs = std::get<StringList>(f.fields[kIpcProcesses]->data);
        if (auto h = holders.find(inode); h != holders.end()) procs.insert(procs.end(), h->second.begin(), h->second.end());
        std::sort(procs.begin(), procs.end());
        procs.erase(std::unique(procs.begin(), procs.end()), procs.end());
    }
    for (auto& [path, f] : by_path) out.push_back(std::move(f));
    return out;
}

}  // namespace

const CollectorEntry kIpcCollector{
    "ipc", Scope::host, kFields, {}, collect_ipc,
    "SysV and POSIX IPC objects, the /dev/shm mount, and bound Unix sockets with their processes\n"
    "\n"
    "One object per SysV shared-memory segment, message queue and semaphore set "
    "(/proc/sysvipc/*, the reader's IPC namespace), per POSIX shared-memory object, "
    "semaphore (/dev/shm) and message queue (the mqueue mount), one for the /dev/shm mount's "
    "options, and one per bound Unix-domain socket (/proc/net/unix of every network "
    "namespace), with the processes that hold it. Select by `kind`. FIFOs and sockets in "
    "the file system are judged with the `files` collector (type fifo, socket).",
};

}  // namespace triad::scanner
