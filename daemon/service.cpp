// SPDX-License-Identifier: Apache-2.0
#include "daemon/service.h"

#include <Poco/JSON/Object.h>
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

// Forwards each scan event to the socket in the form `triad scan --format events` prints,
// and adds a `drift` event after a finding whose verdict changed since the last stored scan.
class SubscriberSink final : public rules::EventSink {
public:
    SubscriberSink(EventSocket& socket, std::map<std::string, std::string> previous)
        : socket_(socket), previous_(std::move(previous)) {}
    void scan_started(const rules::ScanResult& header, std::size_t check_count) override {
        socket_.broadcast(report::event_scan_started_json(header, check_count));
    }
    void finding(const rules::CheckResult& result) override {
        EventFacts facts{result.check.severity, result.check.impact, &result.check.tags, result.verdict, {}};
        socket_.broadcast(report::event_finding_json(result), &facts);
        auto before = previous_.find(result.check.id);
        if (before == previous_.end()) return;  // first scan of this check: nothing to drift from
        const std::string now(rules::to_string(result.verdict));
        if (before->second == now) return;
        Poco::JSON::Object drift(Poco::JSON_PRESERVE_KEY_ORDER);
        drift.set("event", "drift");
        drift.set("check", result.check.id);
        drift.set("old", before->second);
        drift.set("new", now);
        facts.old_verdict = rules::parse_verdict(before->second);
        socket_.broadcast(json_line(drift), &facts);
    }
    void scan_finished(const rules::ScanResult& result) override {
        socket_.broadcast(report::event_scan_finished_json(result));
    }

private:
    EventSocket& socket_;
    std::map<std::string, std::string> previous_;
};

// For a re-run of the checks whose files changed: only `drift`, against the last known verdicts.
class DriftSink final : public rules::EventSink {
public:
    DriftSink(EventSocket& socket, const std::map<std::string, std::string>& stored,
              std::map<std::string, std::string>& live)
        : socket_(socket), stored_(stored), live_(live) {}
    void scan_started(const rules::ScanResult&, std::size_t) override {}
    void scan_finished(const rules::ScanResult&) override {}
    void finding(const rules::CheckResult& result) override {
        const std::string now(rules::to_string(result.verdict));
        auto live = live_.find(result.check.id);
        auto stored = stored_.find(result.check.id);
        std::optional<std::string> before;
        if (live != live_.end()) before = live->second;
        else if (stored != stored_.end()) before = stored->second;
        live_[result.check.id] = now;
        if (!before || *before == now) return;
        Poco::JSON::Object drift(Poco::JSON_PRESERVE_KEY_ORDER);
        drift.set("event", "drift");
        drift.set("check", result.check.id);
        drift.set("old", *before);
        drift.set("new", now);
        EventFacts facts{result.check.severity, result.check.impact, &result.check.tags, result.verdict,
                         rules::parse_verdict(*before)};
        socket_.broadcast(json_line(drift), &facts);
    }

private:
    EventSocket& socket_;
    const std::map<std::string, std::string>& stored_;
    std::map<std::string, std::string>& live_;
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

void Service::scan_once() {
    std::shared_ptr<const std::vector<rules::Policy>> policies;
    std::string host, root;
    store::Retention retention;
    {
        std::lock_guard lock(mutex_);
        policies = policies_;
        host = config_.host_id;
        root = config_.root;
        retention = config_.retention;
    }
    auto previous = store_->last_verdicts(host);
    if (!previous) log("cannot read the last scan for drift: " + previous.error().describe());
    std::map<std::string, std::string> before = previous ? std::move(*previous) : std::map<std::string, std::string>{};
    for (const auto& [id, verdict] : live_verdicts_) before[id] = verdict;  // already reported as drift
    SubscriberSink sink(*socket_, std::move(before));
    rules::EventSink* sinks[] = {&sink};

    rules::ScanRequest request;
    request.policies = *policies;
    request.root = root;
    request.tool_version = TRIAD_VERSION;
    request.memo = &memo_;
    auto result = rules::run_scan(request, sinks, cancel_);
    if (!result) {
        if (result.error().code == ErrorCode::cancelled) log("scan cancelled; nothing stored");
        else log("scan failed: " + result.error().describe());
        return;
    }
    // A result run_scan returned is complete (subscribers have seen its scan_finished): it
    // is stored even when SIGTERM came meanwhile — stop() waits for this short write.
    auto id = store_->save(host, *result);
    if (!id) {
        log("cannot store the scan: " + id.error().describe());
        return;
    }
    ++scans_stored_;
    live_verdicts_.clear();  // the stored scan now holds them
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
    auto stored = store_->last_verdicts(host);
    if (!stored) log("cannot read the last scan for drift: " + stored.error().describe());
    const std::map<std::string, std::string> empty;
    DriftSink sink(*socket_, stored ? *stored : empty, live_verdicts_);
    rules::EventSink* sinks[] = {&sink};
    rules::ScanRequest request;
    request.policies = *policies;
    request.only.assign(ids.begin(), ids.end());
    request.root = root;
    request.tool_version = TRIAD_VERSION;
    request.memo = &memo_;
    auto result = rules::run_scan(request, sinks, cancel_);
    if (!result && result.error().code != ErrorCode::cancelled)
        log("re-running the checks of changed files failed: " + result.error().describe());
}

}  // namespace triad::daemon
