// SPDX-License-Identifier: Apache-2.0
#include "daemon/audit_trail.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if TRIAD_AUDIT_TRAIL
#include <libaudit.h>
#endif

#include "daemon/service.h"

namespace triad::daemon {
namespace {

// name=value in the audit log's own quoting: "value" when it is plain text, else hex
// (audit_encode_nv_string), so a policy's text cannot forge fields of the record.
std::string field(const char* name, const std::string& value) {
#if TRIAD_AUDIT_TRAIL
    if (char* encoded = audit_encode_nv_string(name, value.c_str(), 0)) {
        std::string out(encoded);
        std::free(encoded);
        return out;
    }
#endif
    return std::string(name) + "=?";
}

std::string score(const std::optional<double>& v) {
    if (!v) return "?";  // undecided
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *v);
    return buf;
}

class Sink final : public rules::EventSink {
public:
    Sink(AuditTrail& trail, std::string host, std::map<std::string, std::string> previous)
        : trail_(trail), host_(std::move(host)), previous_(std::move(previous)) {}
    ~Sink() override {
        if (refused_ > 0)
            log("audit trail: the kernel refused " + std::to_string(refused_) + " record(s) of this scan");
    }
    void scan_started(const rules::ScanResult&, std::size_t) override {}
    void finding(const rules::CheckResult& result) override {
        if (result.verdict != rules::Verdict::fail) return;
        auto before = previous_.find(result.check.id);
        if (before != previous_.end() && before->second == "fail") return;  // not new
        if (!trail_.send(AuditTrail::failure_message(host_, result), false)) ++refused_;
    }
    void scan_finished(const rules::ScanResult& result) override {
        if (!trail_.send(AuditTrail::summary_message(host_, result), result.counts.fail == 0 && result.counts.error == 0))
            ++refused_;
    }

private:
    AuditTrail& trail_;
    std::string host_;
    std::map<std::string, std::string> previous_;
    int refused_ = 0;
};

}  // namespace

#if TRIAD_AUDIT_TRAIL
bool audit_trail_built() { return true; }

Result<std::unique_ptr<AuditTrail>> AuditTrail::open() {
    const int fd = audit_open();
    if (fd < 0)
        return Error{ErrorCode::io, std::string("cannot open the kernel audit socket: ") + std::strerror(errno), ""};
    return std::unique_ptr<AuditTrail>(new AuditTrail(fd));
}

AuditTrail::~AuditTrail() {
    if (fd_ >= 0) audit_close(fd_);
}

bool AuditTrail::send(const std::string& message, bool success) {
    // hostname, address and terminal "?": the record is about the audited host (host=), not a login.
    return audit_log_user_message(fd_, AUDIT_TRUSTED_APP, message.c_str(), nullptr, nullptr, nullptr,
                                  success ? 1 : 0) > 0;
}
#else
bool audit_trail_built() { return false; }

Result<std::unique_ptr<AuditTrail>> AuditTrail::open() {
    return Error{ErrorCode::usage, "this build has no audit trail (built without libaudit, TRIAD_WITH_AUDIT=OFF)", ""};
}

AuditTrail::~AuditTrail() = default;

bool AuditTrail::send(const std::string&, bool) { return false; }
#endif

std::unique_ptr<rules::EventSink> AuditTrail::scan_sink(const std::string& host,
                                                        std::map<std::string, std::string> previous) {
    return std::make_unique<Sink>(*this, host, std::move(previous));
}

std::string AuditTrail::summary_message(const std::string& host, const rules::ScanResult& r) {
    const auto& c = r.counts;
    return "op=triad-scan " + field("host", host) + " " + field("started", r.started_at) +
           " checks=" + std::to_string(c.pass + c.fail + c.error + c.not_applicable + c.waived) +
           " pass=" + std::to_string(c.pass) + " fail=" + std::to_string(c.fail) + " error=" + std::to_string(c.error) +
           " not_applicable=" + std::to_string(c.not_applicable) + " waived=" + std::to_string(c.waived) +
           " confidentiality=" + score(r.scores.confidentiality.score) + " integrity=" + score(r.scores.integrity.score) +
           " availability=" + score(r.scores.availability.score) + " overall=" + score(r.scores.overall);
}

std::string AuditTrail::failure_message(const std::string& host, const rules::CheckResult& r) {
    return "op=triad-fail " + field("host", host) + " " + field("check", r.check.id) + " severity=" +
           std::string(rules::to_string(r.check.severity)) + " " + field("policy", r.check.policy);
}

}  // namespace triad::daemon
