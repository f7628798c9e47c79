// SPDX-License-Identifier: Apache-2.0
// The audit trail (docs/daemon.md "Audit trail"): with `audit_trail: true`, each stored scan's
// summary and each check that fails now but did not fail in the host's previous scan become
// records in the kernel audit log (libaudit's audit_log_user_message, type AUDIT_TRUSTED_APP),
// where auditd and the SIEMs reading it see them. A record names the check, its severity and
// policy, and counts and scores: never a reason or evidence, which quote the audited files.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "rules/model/events.h"

namespace triad::daemon {

// Whether this build has libaudit (TRIAD_WITH_AUDIT); without it `audit_trail: true` is refused.
bool audit_trail_built();

class AuditTrail {
public:
    // The audit netlink socket (audit_open); an error when the build or the kernel has no audit.
    static Result<std::unique_ptr<AuditTrail>> open();
    ~AuditTrail();
    AuditTrail(const AuditTrail&) = delete;
    AuditTrail& operator=(const AuditTrail&) = delete;

    // A sink for one scan of `host`: `previous` is the verdict per check of the host's last
    // stored scan (a check absent from it and failing now is a new failure too).
    std::unique_ptr<rules::EventSink> scan_sink(const std::string& host, std::map<std::string, std::string> previous);

    // The record texts, for the tests and the docs (the part after msg=' in the log).
    static std::string summary_message(const std::string& host, const rules::ScanResult& result);
    static std::string failure_message(const std::string& host, const rules::CheckResult& result);

    // Sends one record; false when the kernel refused it (the daemon logs that once per scan).
    bool send(const std::string& message, bool success);

private:
    explicit AuditTrail(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace triad::daemon
