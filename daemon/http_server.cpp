// SPDX-License-Identifier: Apache-2.0
#include "daemon/http_server.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <poll.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <optional>
#include <sstream>

#include "base/utc_time.h"
#include "daemon/dashboard.h"
#include "daemon/service.h"
#include "store/scan_row_json.h"

namespace triad::daemon {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr int kMaxEventStreams = 8;  // each holds a handler thread; the rest stay for the other paths
constexpr int kHandlerThreads = kMaxEventStreams + 4;

void reply(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& type,
           const std::string& body) {
    response.setStatusAndReason(status);
    response.setContentType(type);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

void reply_json_error(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& message) {
    reply(response, status, "application/json", "{\"error\":\"" + message + "\"}\n");
}

// The event stream: a subscriber of the daemon's own fan-out (EventSocket::attach), each
// line sent as one `data:` event. Ends when the client goes or the daemon stops.
void stream_events(HttpServer& server, HTTPServerRequest& request, HTTPServerResponse& response) {
    std::string filter_error;
    auto filter = filter_from_query(request.getURI(), filter_error);  // ?severity=high,critical&verdict=fail
    if (!filter) return reply_json_error(response, HTTPResponse::HTTP_BAD_REQUEST, filter_error);
    if (++server.event_streams > kMaxEventStreams) {
        --server.event_streams;
        reply_json_error(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "too many event streams");
        return;
    }
    struct Release {
        HttpServer& s;
        ~Release() { --s.event_streams; }
    } release{server};
    auto fd = server.service().events().attach(std::move(*filter));
    if (!fd) {
        reply_json_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "cannot subscribe");
        return;
    }
    response.setContentType("text/event-stream");
    response.set("Cache-Control", "no-cache");
    response.setChunkedTransferEncoding(true);
    std::ostream& out = response.send();
    out << ": triadd events\n\n" << std::flush;  // headers and a comment now: the client knows it is subscribed
    std::string buffer;
    int idle_ms = 0;
    while (out && !server.stopping()) {
        pollfd p{fd->get(), POLLIN, 0};
        int ready = ::poll(&p, 1, 250);  // short, so that a stopping daemon is noticed
        if (ready == 0) {
            // A comment now and then: a client that went away is found by the failed write.
            if ((idle_ms += 250) >= 15'000) {
                out << ": keepalive\n\n" << std::flush;
                idle_ms = 0;
            }
            continue;
        }
        char chunk[16384];
        ssize_t n = ::read(fd->get(), chunk, sizeof chunk);
        if (n <= 0) return;  // the fan-out closed (daemon stopping)
        idle_ms = 0;
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1)
            out << "data: " << std::string_view(buffer).substr(start, nl - start) << "\n\n";
        buffer.erase(0, start);
        out << std::flush;
    }
}

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(HttpServer& server) : server_(server) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        try {
            route(request, response);
        } catch (const Poco::Net::NetException&) {
            // The client went away mid-response: nothing to answer.
        } catch (const Poco::IOException&) {
        }
    }

private:
    void route(HTTPServerRequest& request, HTTPServerResponse& response) {
        std::string path = request.getURI().substr(0, request.getURI().find('?'));
        const std::string& method = request.getMethod();
        // The dashboard page holds no data (it asks for the token and reads the paths below).
        if (path == "/") {
            if (method != "GET") return not_allowed(response, "GET");
            return serve_dashboard(response);
        }
        // Health carries nothing secret: probes need no token.
        if (path == "/healthz") {
            if (method != "GET") return not_allowed(response, "GET");
            return reply(response, HTTPResponse::HTTP_OK, "text/plain", "ok\n");
        }
        if (!server_.authorized(request.get("Authorization", ""))) {
            response.set("WWW-Authenticate", "Bearer realm=\"triadd\"");
            return reply_json_error(response, HTTPResponse::HTTP_UNAUTHORIZED, "a valid bearer token is required");
        }
        // The versioned API (docs/daemon.md "HTTP"): one entry per path.
        if (path == "/v1/events") {
            if (method != "GET") return not_allowed(response, "GET");
            return stream_events(server_, request, response);
        }
        if (path == "/v1/scans") {
            if (method == "POST") {
                server_.service().request_scan();  // queued once, as SIGUSR1 and the schedule do
                return reply(response, HTTPResponse::HTTP_ACCEPTED, "application/json", "{\"queued\":true}\n");
            }
            if (method != "GET") return not_allowed(response, "GET, POST");
            return list_scans(request, response);
        }
        if (path == "/v1/results/latest") {
            if (method != "GET") return not_allowed(response, "GET");
            return stored_json(response, server_.latest_scan_json(), "no scan stored yet");
        }
        if (path.rfind("/v1/scans/", 0) == 0) {
            if (method != "GET") return not_allowed(response, "GET");
            const auto id = positive_integer(path.substr(std::string_view("/v1/scans/").size()));
            if (!id) return reply_json_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such scan");
            return stored_json(response, server_.scan_json(*id), "no such scan");
        }
        if (path == "/metrics") {
            if (method != "GET") return not_allowed(response, "GET");
            auto text = server_.metrics_text();
            if (!text) return reply_json_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "store unreadable");
            return reply(response, HTTPResponse::HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", *text);
        }
        reply_json_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such path");
    }
    // GET /v1/scans?limit=N&before=ID&host=H: newest first, N per page (default 50, at most
    // 1000); the next page starts below the last id of this one.
    void list_scans(HTTPServerRequest& request, HTTPServerResponse& response) {
        std::size_t limit = 50;
        std::int64_t before = 0;
        std::string host = server_.service().host_id();
        try {
            for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
                if (key == "host") {
                    host = value;
                    continue;
                }
                const auto n = positive_integer(value);
                if (key == "limit" && n && *n <= 1000) limit = static_cast<std::size_t>(*n);
                else if (key == "before" && n) before = *n;
                else
                    return reply_json_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                                            "bad query parameter '" + key + "' (limit=1..1000, before=ID, host=H)");
            }
        } catch (const Poco::SyntaxException&) {
            return reply_json_error(response, HTTPResponse::HTTP_BAD_REQUEST, "malformed query");
        }
        auto json = server_.scans_json(host, limit, before);
        if (!json) return reply_json_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "store unreadable");
        reply(response, HTTPResponse::HTTP_OK, "application/json", *json);
    }
    static void stored_json(HTTPServerResponse& response, const Result<std::string>& json, const std::string& none) {
        if (!json) return reply_json_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "store unreadable");
        if (json->empty()) return reply_json_error(response, HTTPResponse::HTTP_NOT_FOUND, none);
        reply(response, HTTPResponse::HTTP_OK, "application/json", *json);
    }
    static std::optional<std::int64_t> positive_integer(std::string_view text) {
        std::int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || end != text.data() + text.size() || n <= 0) return std::nullopt;
        return n;
    }
    static void not_allowed(HTTPServerResponse& response, const std::string& allow) {
        response.set("Allow", allow);
        reply_json_error(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method not allowed");
    }
    HttpServer& server_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(HttpServer& server) : server_(server) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(server_);
    }

private:
    HttpServer& server_;
};

std::string uri_encoded(const std::string& text) {
    std::string out;
    Poco::URI::encode(text, "&=?#+", out);
    return out;
}

// One scan of GET /v1/scans: what `triad history --format json` shows for it, and its link.
Poco::JSON::Object scan_summary(const store::ScanRow& r) {
    Poco::JSON::Object o = store::scan_row_json(r);
    o.set("href", "/v1/scans/" + std::to_string(r.id));
    return o;
}

// started_at is RFC 3339 UTC as run_scan writes it (2026-12-02T01:30:00Z); -1 if not.
double epoch_seconds(const std::string& rfc3339) {
    const auto t = parse_rfc3339_utc(rfc3339);
    return t ? static_cast<double>(*t) : -1;
}

// Shortest text that reads back as the same double (the exposition format's float).
std::string number(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : "NaN";
}

void family(std::string& out, const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

bool same_secret(std::string_view presented, std::string_view expected) {
    // Every byte of the expected token is visited whatever is presented; only the length of
    // what the client sent (known to it anyway) changes the work done.
    unsigned char diff = presented.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
        diff |= static_cast<unsigned char>(p ^ static_cast<unsigned char>(expected[i]));
    }
    return diff == 0;
}

std::string prometheus_metrics(const store::ScanRow* last, std::uint64_t scans_stored, std::size_t subscribers) {
    std::string out;
    if (last != nullptr) {
        family(out, "triad_score", "gauge", "Score of the last stored scan per pillar (absent while undecided).");
        const std::pair<const char*, const std::optional<double>&> scores[] = {
            {"confidentiality", last->confidentiality},
            {"integrity", last->integrity},
            {"availability", last->availability},
            {"overall", last->overall}};
        for (const auto& [pillar, value] : scores)
            if (value) out += std::string("triad_score{pillar=\"") + pillar + "\"} " + number(*value) + "\n";
        family(out, "triad_checks", "gauge", "Checks of the last stored scan per verdict.");
        const std::pair<const char*, std::uint64_t> counts[] = {{"pass", last->counts.pass},
                                                                {"fail", last->counts.fail},
                                                                {"error", last->counts.error},
                                                                {"not_applicable", last->counts.not_applicable},
                                                                {"waived", last->counts.waived}};
        for (const auto& [verdict, n] : counts)
            out += std::string("triad_checks{verdict=\"") + verdict + "\"} " + std::to_string(n) + "\n";
        const double started = epoch_seconds(last->started_at);
        if (started >= 0) {
            family(out, "triad_last_scan_timestamp_seconds", "gauge", "Start of the last stored scan, Unix time.");
            out += "triad_last_scan_timestamp_seconds " + number(started) + "\n";
        }
        family(out, "triad_scan_duration_seconds", "gauge", "Duration of the last stored scan.");
        out += "triad_scan_duration_seconds " + number(static_cast<double>(last->duration_ms) / 1000.0) + "\n";
    }
    family(out, "triad_scans_total", "counter", "Scans stored by this daemon since it started.");
    out += "triad_scans_total " + std::to_string(scans_stored) + "\n";
    family(out, "triad_subscribers", "gauge", "Event subscribers now (socket and HTTP streams).");
    out += "triad_subscribers " + std::to_string(subscribers) + "\n";
    return out;
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpConfig& config, const std::string& store_url,
                                                      Service& service) {
    auto store = store::ScanStore::open(store_url);
    if (!store) return store.error();
    std::unique_ptr<HttpServer> server(new HttpServer(config, std::move(*store), service));
    try {
        Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(config.listen), 64);
        auto params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(kHandlerThreads);
        params->setMaxQueued(64);
        params->setKeepAlive(false);
        server->server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*server), server->pool_, socket, params);
        server->server_->start();
    } catch (const Poco::Exception& e) {
        return Error{ErrorCode::io, "cannot listen: " + e.displayText(), config.listen};
    }
    return server;
}

HttpServer::HttpServer(const HttpConfig& config, std::unique_ptr<store::ScanStore> store, Service& service)
    : token_(config.token), service_(service), store_(std::move(store)), pool_(1, kHandlerThreads) {}

HttpServer::~HttpServer() {
    stopping_ = true;  // event streams notice it within their poll interval
    if (server_) server_->stopAll(true);
    pool_.joinAll();
}

std::string HttpServer::address() const { return server_ ? server_->socket().address().toString() : ""; }

bool HttpServer::authorized(const std::string& header) const {
    if (token_.empty()) return true;  // loopback only (config.cpp refuses any other address)
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() < scheme.size() || header.compare(0, scheme.size(), scheme) != 0) return false;
    return same_secret(std::string_view(header).substr(scheme.size()), token_);
}

Result<std::string> HttpServer::latest_scan_json() {
    const std::string host = service_.host_id();
    std::lock_guard lock(store_mutex_);
    auto rows = store_->scans(host, 1);
    if (!rows) return rows.error();
    if (rows->empty()) return std::string();
    return store_->result_json(rows->front().id);
}

Result<std::string> HttpServer::scan_json(std::int64_t id) {
    std::lock_guard lock(store_mutex_);
    auto json = store_->result_json(id);
    if (!json && json.error().code == ErrorCode::not_found) return std::string();
    return json;
}

Result<std::string> HttpServer::scans_json(const std::string& host, std::size_t limit, std::int64_t before) {
    std::lock_guard lock(store_mutex_);
    auto rows = store_->scans(host, limit, before);
    if (!rows) return rows.error();
    Poco::JSON::Array list;
    for (const store::ScanRow& r : *rows) list.add(scan_summary(r));
    Poco::JSON::Object page(Poco::JSON_PRESERVE_KEY_ORDER);
    page.set("scans", list);
    // Absent on the last page.
    if (rows->size() == limit) page.set("next", "/v1/scans?limit=" + std::to_string(limit) + "&before=" +
                                                    std::to_string(rows->back().id) + "&host=" + uri_encoded(host));
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(page, out);
    out << "\n";
    return out.str();
}

Result<std::string> HttpServer::metrics_text() {
    const std::string host = service_.host_id();
    std::lock_guard lock(store_mutex_);
    auto rows = store_->scans(host, 1);
    if (!rows) return rows.error();
    return prometheus_metrics(rows->empty() ? nullptr : &rows->front(), service_.scans_stored(),
                              service_.events().subscribers());
}

}  // namespace triad::daemon
