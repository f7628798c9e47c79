// SPDX-License-Identifier: Apache-2.0
// triadd's configuration file (YAML, docs/daemon.md). Every key is checked at start: an
// unknown key, a wrong type or a bad value is refused with FILE:LINE:COL and the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/schedule.h"
#include "store/scan_store.h"

namespace triad::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/triad/triadd.yml";

// The HTTP endpoint (docs/daemon.md): off unless the `http` key is present.
struct HttpConfig {
    bool enabled = false;
    std::string listen = "127.0.0.1:9410";  // host:port; port 0 picks a free one (logged)
    std::string token_file;                 // empty: no token, loopback addresses only
    std::string token;                      // the file's content without its trailing newline
};

struct DaemonConfig {
    std::string path;                   // the file it came from
    std::vector<std::string> policies;  // files or directories
    std::string root = "/";
    Schedule schedule;
    std::string store = store::kDefaultStoreUrl;
    std::string host_id;  // default: /etc/machine-id of this machine
    std::string socket_path = "/run/triad/triad.sock";
    std::string socket_group;  // empty: the daemon's own group
    std::size_t socket_queue = 4096;  // lines queued per subscriber before events are lost
    store::Retention retention;
    HttpConfig http;
    bool audit_trail = false;  // scan summaries and new failures to the kernel audit log
    bool watch_files = true;  // drift without a scan: inotify on the `file` checks' paths
    std::vector<std::string> ignored;  // keys accepted but not implemented yet (warned at start)
};

// On error: nullopt, and `error` is "FILE:LINE:COL: reason".
std::optional<DaemonConfig> load_config(const std::string& path, std::string& error);

}  // namespace triad::daemon
