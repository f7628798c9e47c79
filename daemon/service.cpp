// SPDX-License-Identifier: Apache-2.0
#include "daemon/service.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <iostream>
#include <map>
#include <sstream>

#include "reporters/events.h"
#include "rules/load/policy_loader.h"
#include "rules/scan.h"

namespace triad::daemon {
namespace {

std::string json_line(const Poco::JSON::Object& object) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(object, out);
    return out.str();
}

// Stored evidence is JSON this daemon wrote; text that does not parse (a store edited by hand)
// is passed on as a string rather than dropped.
Poco::Dynamic::Var parsed_evidence(const std::string& json) {
    try {
        return Poco::JSON::Parser().parse(json);
    } catch (const Poco::Exception&) {
        return json;
    }
}

// Broadcasts a `drift` event when `result`'s verdict or evidence differs from `before`. Evidence
// is compared in its stored form (store::evidence_json), so a failing check whose failing
// objects or observed values changed drifts too.
void broadcast_drift(EventSocket& socket, const rules::CheckResult& result, const store::PreviousResult& before,
                     const store::PreviousResult& now) {
    const bool verdict_changed = before.verdict != now.verdict;
    const bool evidence_changed = before.evidence_json != now.evidence_json;
    if (!verdict_changed && !evidence_changed) return;
    Poco::JSON::Object drift(Poco::JSON_PRESERVE_KEY_ORDER);
    drift.set("event", "drift");
    drift.set("check", result.check.id);
    drift.set("old", before.verdict);
    drift.set("new", now.verdict);
    Poco::JSON::Array changed;
    if (verdict_changed) changed.add("verdict");
    if (evidence_changed) changed.add("evidence");
    drift.set("changed", changed);
    drift.set("old_evidence", parsed_evidence(before.evidence_json));
    drift.set("new_evidence", parsed_evidence(now.evidence_json));
    EventFacts facts{result.check.severity, result.check.impact, &result.check.tags, result.verdict,
                     rules::parse_verdict(before.verdict)};
    socket.broadcast(json_line(drift), &facts);
}

store::PreviousResult as_previous(const rules::CheckResult& result) {
    return {std::string(rules::to_string(result.verdict)), store::evidence_json(result)};
}

// Forwards each scan event to the socket in the form `triad scan --format events` prints,
// and adds a `drift` event after a finding whose verdict or evidence changed since the host's
// last stored scan (or since a re-run of its files' checks reported it).
class SubscriberSink final : public rules::EventSink {
public:
    SubscriberSink(EventSocket& socket, std::map<std::string, store::PreviousResult> previous)
        : socket_(socket), previous_(std::move(previous)) {}
    void scan_started(const rules::ScanResult& header, std::size_t check_count) override {
        socket_.broadcast(report::event_scan_started_json(header, check_count));
    }
    void finding(const rules::CheckResult& result) override {
        EventFacts facts{result.check.severity, result.check.impact, &result.check.tags, result.verdict, {}};
        socket_.broadcast(report::event_finding_json(result), &facts);
        auto before = previous_.find(result.check.id);
        if (before == previous_.end()) return;  // first scan of this check: nothing to drift from
        broadcast_drift(socket_, result, before->second, as_previous(result));
    }
    void scan_finished(const rules::ScanResult& result) override {
        socket_.broadcast(report::event_scan_finished_json(result));
    }

private:
    EventSocket& socket_;
    std::map<std::string, store::PreviousResult> previous_;
};

// For a re-run of the checks whose files changed: only `drift`, against the last known results
// (those of earlier re-runs first, then the stored scan's).
class DriftSink final : public rules::EventSink {
public:
    DriftSink(EventSocket& socket, const std::map<std::string, store::PreviousResult>& stored,
              std::map<std::string, store::PreviousResult>& live)
        : socket_(socket), stored_(stored), live_(live) {}
    void scan_started(const rules::ScanResult&, std::size_t) override {}
    void scan_finished(const rules::ScanResult&) override {}
    void finding(const rules::CheckResult& result) override {
        store::PreviousResult now = as_previous(result);
        auto live = live_.find(result.check.id);
        auto stored = stored_.find(result.check.id);
        std::optional<store::PreviousResult> before;
        if (live != live_.end()) before = live->second;
        else if (stored != stored_.end()) before = stored->second;
        live_[result.check.id] = now;
        if (before) broadcast_drift(socket_, result, *before, now);
    }

private:
    EventSocket& socket_;
    const std::map<std::string, store::PreviousResult>& stored_;
    std::map<std::string, store::PreviousResult>& live_;
};

std::string diagnostics_text(const rules::LoadResult& loaded) {
    std::string text;
    for (const auto& d : loaded.diagnostics) text += (text.empty() ? "" : "\n") + d.str();
    return text;
}

}  // namespace

void log(const std::string& message) { std::cerr << "triadd: " << message << std::endl; }

Result<std::unique_ptr<Service>> Service::start(DaemonConfig config) {
    rules::LoadResult loaded = rules::load_policies(config.policies);
    if (!loaded.ok()) return Error{ErrorCode::usage, diagnostics_text(loaded), ""};
    auto store = store::ScanStore::open(config.store);
    if (!store) return store.error();
    auto socket = EventSocket::open(config.socket_path, config.socket_group, config.socket_queue);
    if (!socket) return socket.error();
    auto service = std::unique_ptr<Service>(
        new Service(std::move(config), std::move(loaded.policies), std::move(*store), std::move(*socket)));
    service->watch_files();
    return service;
}

void Service::watch_files(bool quiet) {
    std::shared_ptr<const std::vector<rules::Policy>> policies;
    std::string root;
    {
        std::lock_guard lock(mutex_);
        policies = policies_;
        root = config_.root;
        if (!config_.watch_files || stopping_) policies = nullptr;
    }
    if (!policies) {  // `watch: false`, or stopping
        std::lock_guard watch_lock(watch_mutex_);
        watch_.reset();
        return;
    }
    auto watch = FileWatch::start(root, *policies, [this](std::set<std::string> ids) {
        std::lock_guard lock(mutex_);
        pending_drift_.merge(ids);
        wake_.notify_one();
    });
    if (!watch) {
        log("file changes are not watched (drift waits for the next scan): " + watch.error().describe());
        return;
    }
    // The new watch is in place before the old one goes: no change falls between them (one
    // seen by both is one entry in pending_drift_). The old thread is joined outside mutex_,
    // which its callback takes.
    std::unique_ptr<FileWatch> old;
    std::lock_guard watch_lock(watch_mutex_);
    old = std::move(watch_);
    watch_ = std::move(*watch);
    if (!quiet) log("watching " + std::to_string(watch_->directories()) + " directories for drift");
}

Service::Service(DaemonConfig config, std::vector<rules::Policy> policies, std::unique_ptr<store::ScanStore> store,
                 std::unique_ptr<EventSocket> socket)
    : config_(std::move(config)),
      policies_(std::make_shared<const std::vector<rules::Policy>>(std::move(policies))),
      store_(std::move(store)),
      socket_(std::move(socket)) {
    thread_ = std::thread([this] { worker(); });
}

Service::~Service() { stop(); }

std::string Service::host_id() {
    std::lock_guard lock(mutex_);
    return config_.host_id;
}

void Service::request_scan() {
    std::lock_guard lock(mutex_);
    pending_ = true;  // a second request while one waits is the same request
    wake_.notify_one();
}

void Service::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
        cancel_.cancel();
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard watch_lock(watch_mutex_);  // the worker (joined) re-arms no more
    watch_.reset();
}

void Service::reload() {
    std::string error;
    auto fresh = load_config(config_.path, error);
    rules::LoadResult loaded;
    if (fresh) {
        loaded = rules::load_policies(fresh->policies);
        if (!loaded.ok()) error = diagnostics_text(loaded);
    }
    if (!error.empty()) {
        log("reload failed, keeping the running configuration and policies:\n" + error);
        Poco::JSON::Object event(Poco::JSON_PRESERVE_KEY_ORDER);
        event.set("event", "reload_failed");
        event.set("error", error);
        socket_->broadcast(json_line(event));
        return;
    }
    // The store and socket stay as opened; policies, root, schedule and retention apply
    // from the next scan (docs/daemon.md).
    std::unique_lock lock(mutex_);
    fresh->store = config_.store;
    fresh->socket_path = config_.socket_path;
    fresh->socket_group = config_.socket_group;
    fresh->socket_queue = config_.socket_queue;
    config_ = std::move(*fresh);
    policies_ = std::make_shared<const std::vector<rules::Policy>>(std::move(loaded.policies));
    log("reloaded " + config_.path + ": " + std::to_string(policies_->size()) + " policies");
    lock.unlock();
    watch_files();
}

void Service::worker() {
    for (;;) {
        std::set<std::string> drift;
        bool full = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return pending_ || !pending_drift_.empty() || stopping_; });
            if (stopping_) return;
            if (!pending_) {
                drift = std::move(pending_drift_);
                pending_drift_.clear();
            } else {
                pending_drift_.clear();  // the full scan looks at those checks too
            }
            full = pending_;
            pending_ = false;
        }
        if (full) scan_once();
        else drift_once(drift);
    }
}

scanner::PendingHistory Service::pending_history(const std::string& host) {
    auto history = store_->pending_history(host);
    if (history) return std::move(*history);
    // Without it every pending update's age is unknown (an error per package, saying why),
    // never guessed.
    log("cannot read the pending-update history: " + history.error().describe());
    scanner::PendingHistory unreadable;
    unreadable.host = host;
    unreadable.unreadable = history.error().describe();
    return unreadable;
}

void Service::scan_once() {
    std::shared_ptr<const std::vector<rules::Policy>> policies;
    std::string host, root;
    store::Retention retention;
    bool audit = false;
    {
        std::lock_guard lock(mutex_);
        policies = policies_;
        host = config_.host_id;
        root = config_.root;
        retention = config_.retention;
        audit = config_.audit_trail;
    }
    auto previous = store_->last_results(host);
    if (!previous) log("cannot read the last scan for drift: " + previous.error().describe());
    // The audit trail (audit_trail.h): opened once, by the first scan that asks for it.
    std::unique_ptr<rules::EventSink> audit_sink;
    if (audit && !audit_) {
        auto opened = AuditTrail::open();
        if (opened) audit_ = std::move(*opened);
        else log("audit trail unavailable: " + opened.error().describe());
    }
    if (audit && audit_) {
        // The trail names new failures only, so it needs the previous verdicts, not evidence.
        std::map<std::string, std::string> previous_verdicts;
        if (previous)
            for (const auto& [check_id, result] : *previous) previous_verdicts.emplace(check_id, result.verdict);
        for (const auto& [check_id, result] : live_results_) previous_verdicts[check_id] = result.verdict;
        audit_sink = audit_->scan_sink(host, std::move(previous_verdicts));
    }
    std::map<std::string, store::PreviousResult> before =
        previous ? std::move(*previous) : std::map<std::string, store::PreviousResult>{};
    for (const auto& [id, result] : live_results_) before[id] = result;  // already reported as drift
    SubscriberSink sink(*socket_, std::move(before));
    std::vector<rules::EventSink*> sinks{&sink};
    if (audit_sink) sinks.push_back(audit_sink.get());

    rules::ScanRequest request;
    request.policies = *policies;
    request.root = root;
    request.tool_version = TRIAD_VERSION;
    request.memo = &memo_;
    request.pending_history = pending_history(host);
    auto result = rules::run_scan(request, sinks, cancel_);
    if (!result) {
        if (result.error().code == ErrorCode::cancelled) log("scan cancelled; nothing stored");
        else log("scan failed: " + result.error().describe());
        return;
    }
    // A result run_scan returned is complete (subscribers have seen its scan_finished): it
    // is stored even when SIGTERM came meanwhile — stop() waits for this short write.
    // The pending updates this scan saw are recorded with it (one transaction), so the next
    // scan knows since when each has been pending.
    const auto pending = memo_.get<scanner::ScanOutputs>().pending();
    auto id = store_->save(host, *result, pending ? &*pending : nullptr);
    if (!id) {
        log("cannot store the scan: " + id.error().describe());
        return;
    }
    ++scans_stored_;
    live_results_.clear();  // the stored scan now holds them
    // Directories a change removed and re-created (a package upgrade, a restored backup) are
    // new inodes: the watch is set again on what exists now.
    watch_files(/*quiet=*/true);
    auto dropped = store_->apply_retention(host, retention);
    if (!dropped) log("retention failed: " + dropped.error().describe());
    log("scan " + std::to_string(*id) + " stored: " + std::to_string(result->counts.fail) + " failed, " +
        std::to_string(result->counts.pass) + " passed, " + std::to_string(result->duration_ms) + " ms");
}

void Service::drift_once(const std::set<std::string>& ids) {
    std::shared_ptr<const std::vector<rules::Policy>> policies;
    std::string host, root;
    {
        std::lock_guard lock(mutex_);
        policies = policies_;
        host = config_.host_id;
        root = config_.root;
    }
    auto stored = store_->last_results(host);
    if (!stored) log("cannot read the last scan for drift: " + stored.error().describe());
    const std::map<std::string, store::PreviousResult> empty;
    DriftSink sink(*socket_, stored ? *stored : empty, live_results_);
    rules::EventSink* sinks[] = {&sink};
    rules::ScanRequest request;
    request.policies = *policies;
    request.only.assign(ids.begin(), ids.end());
    request.root = root;
    request.tool_version = TRIAD_VERSION;
    request.memo = &memo_;
    request.pending_history = pending_history(host);
    auto result = rules::run_scan(request, sinks, cancel_);
    if (!result && result.error().code != ErrorCode::cancelled)
        log("re-running the checks of changed files failed: " + result.error().describe());
}

}  // namespace triad::daemon
