// SPDX-License-Identifier: Apache-2.0
// triadd's HTTP endpoint (docs/daemon.md): the event stream as server-sent events, the last
// stored scan, a scan request, health and Prometheus metrics, on Poco::Net::HTTPServer.
// Every path but /healthz needs `Authorization: Bearer TOKEN` when a token is configured.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "daemon/config.h"
#include "store/scan_store.h"

namespace triad::daemon {

class Service;

class HttpServer {
public:
    // Binds config.listen and starts serving; the store is opened a second time (SQLite in
    // WAL mode lets this reader run beside the scan worker's writes).
    static Result<std::unique_ptr<HttpServer>> start(const HttpConfig& config, const std::string& store_url,
                                                     Service& service);
    ~HttpServer();  // ends open event streams, stops accepting and joins the handler threads

    std::string address() const;  // host:port actually bound (port 0 in the config picks one)

    // Used by the request handlers.
    bool authorized(const std::string& authorization_header) const;
    bool stopping() const { return stopping_.load(); }
    Service& service() { return service_; }
    // The last stored scan of the daemon's host: its triad.result/1 JSON; empty when none.
    Result<std::string> latest_scan_json();
    // A page of GET /v1/scans: {"scans":[...]} (interim form until helper-14pg's is merged).
    Result<std::string> scans_json(const std::string& host, std::size_t limit, std::int64_t before);
    Result<std::string> metrics_text();
    std::atomic<int> event_streams{0};

private:
    HttpServer(const HttpConfig& config, std::unique_ptr<store::ScanStore> store, Service& service);

    std::string token_;
    Service& service_;
    std::mutex store_mutex_;  // one Poco::Data session, used by one handler at a time
    std::unique_ptr<store::ScanStore> store_;
    std::atomic<bool> stopping_{false};
    Poco::ThreadPool pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Equal strings, in a time that does not depend on where they first differ.
bool same_secret(std::string_view presented, std::string_view expected);

// Prometheus text exposition of one stored scan (nullptr: none stored yet) and the daemon's counters.
std::string prometheus_metrics(const store::ScanRow* last, std::uint64_t scans_stored, std::size_t subscribers);

}  // namespace triad::daemon
