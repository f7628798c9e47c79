// SPDX-License-Identifier: Apache-2.0
// The `ipc` collector: what processes can talk through besides the network. SysV shared
// memory segments, message queues and semaphore sets (/proc/sysvipc/*: key, owner, mode,
// creator and attach count); POSIX shared memory and semaphores (/dev/shm) and message
// queues (the mqueue file system, where mounted): mode and owner of each; the /dev/shm
// mount's options; and every bound Unix-domain socket (/proc/net/unix), path or abstract,
// with the processes that hold it. Host scope. FIFOs and sockets in the file system are
// judged by the `files` collector (type fifo/socket), which walks once for every check.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/collector.h"

namespace triad::scanner {

enum IpcField : std::size_t {
    kIpcKind, kIpcKey, kIpcId, kIpcPath, kIpcMode, kIpcUid, kIpcGid, kIpcOwner, kIpcCreatorPid, kIpcLastPid,
    kIpcAttached, kIpcSize, kIpcWorldReadable, kIpcWorldWritable, kIpcListening, kIpcProcesses, kIpcNodev,
    kIpcNosuid, kIpcNoexec, kIpcFieldCount
};

// One row of /proc/sysvipc/{shm,msg,sem}.
struct SysvObject {
    std::string kind;        // sysv-shm, sysv-msg, sysv-sem
    std::int64_t key = 0;    // signed decimal in the file
    std::int64_t id = 0;
    std::uint32_t mode = 0;  // octal text in the file
    std::int64_t uid = 0, gid = 0, cpid = -1, lpid = -1, attached = -1, size = 0;
};
// Parses one table; `table` is shm, msg or sem. Malformed rows are left out.
std::vector<SysvObject> parse_sysvipc(std::string_view text, std::string_view table);
// The key as ipcs prints it: "0x0001e240" (two's complement for negative keys).
std::string sysv_key_text(std::int64_t key);

// One bound socket of /proc/net/unix.
struct UnixSocket {
    std::uint64_t inode = 0;
    std::string path;        // "@name" for an abstract socket
    bool listening = false;  // __SO_ACCEPTCON
    std::string type;        // stream, dgram, seqpacket
};
std::vector<UnixSocket> parse_proc_net_unix(std::string_view text);

extern const CollectorEntry kIpcCollector;

}  // namespace triad::scanner
