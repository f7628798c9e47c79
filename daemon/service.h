// SPDX-License-Identifier: Apache-2.0
// What triadd does between signals: one worker thread runs scans through rules::run_scan,
// one at a time; a request while a scan runs is queued once (further requests fold into
// it). Each scan's events go to the socket's subscribers as they happen, with a `drift`
// event for every check whose verdict differs from the host's last stored scan; the
// complete result is stored in one transaction, then retention applies.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/cancel.h"
#include "daemon/audit_trail.h"
#include "daemon/config.h"
#include "daemon/event_socket.h"
#include "daemon/file_watch.h"
#include "rules/model/policy.h"
#include "scanner/core/scan_inputs.h"
#include "scanner/core/scan_memo.h"
#include "store/scan_store.h"

namespace triad::daemon {

class Service {
public:
    // Loads the policies; errors (every diagnostic, one per line) refuse the start.
    static Result<std::unique_ptr<Service>> start(DaemonConfig config);
    ~Service();  // stop() if not yet stopped

    void request_scan();
    // Re-reads the config file and its policies. A config or policy that fails to load keeps
    // the running set; the error is logged and broadcast as a `reload_failed` event.
    void reload();
    // Cancels the scan in flight (its result is not stored) and joins the worker.
    void stop();
    const DaemonConfig& config() const { return config_; }
    // For the HTTP endpoint's threads: the host id in effect (a reload may change it), the
    // subscriber fan-out, and the scans stored since this daemon started.
    std::string host_id();
    EventSocket& events() { return *socket_; }
    std::uint64_t scans_stored() const { return scans_stored_.load(); }

private:
    Service(DaemonConfig config, std::vector<rules::Policy> policies, std::unique_ptr<store::ScanStore> store,
            std::unique_ptr<EventSocket> socket);
    void worker();
    void scan_once();
    // Drift without a full scan: the checks whose files changed (FileWatch) are run again
    // and each verdict that differs from the last known one is sent as `drift`.
    void watch_files(bool quiet = false);
    void drift_once(const std::set<std::string>& ids);
    // This host's pending-update history from the store, for a scan's inputs; when it cannot
    // be read (logged), one that says why.
    scanner::PendingHistory pending_history(const std::string& host);

    DaemonConfig config_;
    std::shared_ptr<const std::vector<rules::Policy>> policies_;
    std::unique_ptr<store::ScanStore> store_;
    std::unique_ptr<EventSocket> socket_;
    std::unique_ptr<AuditTrail> audit_;  // opened by the first scan with audit_trail: true
    scanner::ScanMemo memo_;  // unchanged binaries are read once across scans
    CancelToken cancel_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool pending_ = false, stopping_ = false;
    std::set<std::string> pending_drift_;  // checks whose files changed, not yet re-run
    // Results decided by re-runs since the last stored scan (worker thread only): drift is
    // measured against these first, so a change is reported once, not again by the next scan.
    std::map<std::string, store::PreviousResult> live_results_;
    std::mutex watch_mutex_;  // watch_ is replaced by the worker (after a scan) and by reload/stop
    std::unique_ptr<FileWatch> watch_;
    std::atomic<std::uint64_t> scans_stored_{0};
    std::thread thread_;
};

// One line on stderr: "triadd: message" (the service manager's journal keeps it).
void log(const std::string& message);

}  // namespace triad::daemon
