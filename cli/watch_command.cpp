// SPDX-License-Identifier: Apache-2.0
// `triad watch`: follows triadd's event stream (its Unix socket, or its HTTP event stream)
// and prints each event as it comes, with the console reporter's rendering of a finding or
// as the JSON lines themselves. docs/daemon.md, "triad watch".
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "base/file_read.h"
#include "base/unique_fd.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "reporters/event_stream.h"
#include "reporters/result_reader.h"
#include "reporters/text_escape.h"

namespace triad::cli {
namespace {

using report::terminal_safe;

constexpr const char* kWatchUsage = R"(usage: triad watch [options]

Follows the events of a running triadd: each scan's start, every finding, drift, the scan's
end and scores. Stops when the daemon goes away (exit 3) unless --reconnect is given.

options:
  --socket PATH       the daemon's Unix socket (default: /run/triad/triad.sock)
  --url URL           the daemon's HTTP endpoint instead, e.g. http://127.0.0.1:9410
                      (its /v1/events; a path in URL is used as given)
  --token-file FILE   the bearer token for --url (the daemon's http.token_file)
  --format FORMAT     console (default) or json (the event lines as the daemon sends them)
  --severity LIST     only findings and drift of these severities (info,low,medium,high,critical)
  --pillar LIST       ... of checks bearing on these pillars (confidentiality,integrity,availability)
  --tag LIST          ... of checks carrying one of these tags
  --verdict LIST      ... with these verdicts (pass,fail,error,not_applicable,waived; drift:
                      its old or new verdict)
  --reconnect         when the daemon goes away, retry every second instead of exiting
  --no-color          never colour the console output
  --help              this text

Scan starts and ends, and lost-event notices, always pass the filters.
)";

constexpr const char* kDefaultSocket = "/run/triad/triad.sock";

// The filter as the daemon takes it: the socket's first line and the event stream's query.
struct Filter {
    std::vector<std::pair<std::string, std::vector<std::string>>> keys;  // key, values
    bool empty() const { return keys.empty(); }

    std::string line() const {
        std::string out = "{\"filter\":{";
        for (std::size_t k = 0; k < keys.size(); ++k) {
            out += (k ? ",\"" : "\"") + keys[k].first + "\":[";
            for (std::size_t v = 0; v < keys[k].second.size(); ++v) {
                std::ostringstream quoted;
                Poco::JSON::Stringifier::formatString(keys[k].second[v], quoted);
                out += (v ? "," : "") + quoted.str();
            }
            out += "]";
        }
        return out + "}}\n";
    }
    void add_to(Poco::URI& uri) const {
        for (const auto& [key, values] : keys) {
            std::string joined;
            for (const std::string& v : values) joined += (joined.empty() ? "" : ",") + v;
            uri.addQueryParameter(key, joined);
        }
    }
};

// Checked here too, so that a typo is a usage error before anything connects.
bool known_value(const std::string& key, const std::string& value) {
    if (key == "severity") return rules::parse_severity(value).has_value();
    if (key == "verdict") return rules::parse_verdict(value).has_value();
    if (key == "pillar")
        return value == "confidentiality" || value == "integrity" || value == "availability" || value == "c" ||
               value == "i" || value == "a";
    return !value.empty();  // tag
}

std::optional<Filter> filter_options(const Args& args) {
    Filter filter;
    for (const char* key : {"severity", "pillar", "tag", "verdict"}) {
        std::vector<std::string> values;
        for (const std::string& list : args.values(key)) {
            std::size_t start = 0;
            for (;;) {
                std::size_t comma = list.find(',', start);
                std::string value = list.substr(start, comma == std::string::npos ? comma : comma - start);
                if (!known_value(key, value)) {
                    print_error("--" + std::string(key) + ": unknown value '" + terminal_safe(value) + "'");
                    return std::nullopt;
                }
                values.push_back(value);
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        }
        if (!values.empty()) filter.keys.emplace_back(key, std::move(values));
    }
    return filter;
}

// Why a stream ended, and the exit code that says so.
struct Ended {
    int code;
    std::string message;
    bool permanent = false;  // retrying cannot help: a refused user, a rejected filter
};

// Where event lines come from. next() returns false at the end, with `ended` set.
class EventSource {
public:
    virtual ~EventSource() = default;
    virtual bool next(std::string& line) = 0;
    Ended ended{kExitCannotRun, ""};
};

class SocketSource final : public EventSource {
public:
    SocketSource(std::string path, const Filter& filter) : path_(std::move(path)), filter_(filter) {}

    // False with `ended` set when the daemon cannot be reached or refuses this user.
    bool connect() {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path_.size() >= sizeof addr.sun_path) return fail(kExitUsage, "socket path too long: " + path_);
        std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
        fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            return fail(kExitCannotRun, "cannot connect to triadd at " + path_ + ": " + std::strerror(errno));
        if (filter_.empty()) return true;
        const std::string line = filter_.line();
        if (::send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
            return fail(kExitCannotRun, "cannot send the filter to " + path_ + ": " + std::strerror(errno));
        // Events sent before the daemon read the filter passed unfiltered: skip them up to
        // its acknowledgement.
        std::string ack;
        while (read_line(ack)) {
            if (ack.starts_with("{\"event\":\"subscribed\"")) return true;
            if (!answer(ack)) return false;
        }
        return false;
    }

    bool next(std::string& line) override { return read_line(line) && answer(line); }

private:
    bool fail(int code, std::string message, bool permanent = false) {
        ended = {code, std::move(message), permanent};
        return false;
    }
    // The daemon's own answers about this connection end it; anything else is an event.
    bool answer(const std::string& line) {
        if (line.starts_with("{\"event\":\"refused\""))
            return fail(kExitCannotRun,
                        "triadd at " + path_ + " refused this user: only root and members of the socket's group may watch",
                        true);
        if (line.starts_with("{\"event\":\"filter_rejected\""))
            return fail(kExitUsage, "triadd rejected the filter: " + terminal_safe(line), true);
        return true;
    }
    bool read_line(std::string& line) {
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return true;
            }
            char chunk[65536];
            ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return fail(kExitCannotRun, "triadd closed the event stream (" + path_ + ")");
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    std::string path_;
    const Filter& filter_;
    UniqueFd fd_;
    std::string buffer_;
};

class HttpSource final : public EventSource {
public:
    HttpSource(Poco::URI uri, std::string token, const Filter& filter)
        : uri_(std::move(uri)), token_(std::move(token)), filter_(filter) {}

    bool connect() {
        const bool default_path = uri_.getPath().empty() || uri_.getPath() == "/";
        try {
            if (open(default_path ? "/v1/events" : uri_.getPath())) return true;
            // A daemon from before the /v1 paths serves its stream at /events.
            if (default_path && status_ == Poco::Net::HTTPResponse::HTTP_NOT_FOUND) return open("/events");
            return false;
        } catch (const Poco::Exception& e) {
            return fail(kExitCannotRun, "cannot reach triadd at " + uri_.toString() + ": " + e.displayText());
        }
    }

    bool next(std::string& line) override {
        try {
            // Server-sent events: "data: LINE", a blank line between events, ": comments".
            std::string raw;
            while (std::getline(*body_, raw)) {
                if (raw.starts_with("data: ")) {
                    line = raw.substr(6);
                    return true;
                }
            }
        } catch (const Poco::Exception&) {
        }
        return fail(kExitCannotRun, "triadd closed the event stream (" + uri_.toString() + ")");
    }

private:
    bool fail(int code, std::string message, bool permanent = false) {
        ended = {code, std::move(message), permanent};
        return false;
    }
    bool open(const std::string& path) {
        session_ = std::make_unique<Poco::Net::HTTPClientSession>(uri_.getHost(), uri_.getPort());
        // The daemon sends a keepalive comment every 15 s: a minute of silence is a dead peer.
        session_->setTimeout(Poco::Timespan(60, 0));
        Poco::URI target(path);
        filter_.add_to(target);
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target.getPathAndQuery(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        if (!token_.empty()) request.set("Authorization", "Bearer " + token_);
        session_->sendRequest(request);
        Poco::Net::HTTPResponse response;
        body_ = &session_->receiveResponse(response);
        status_ = response.getStatus();
        if (status_ == Poco::Net::HTTPResponse::HTTP_OK) return true;
        std::string detail;
        std::getline(*body_, detail);
        if (status_ == Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED)
            return fail(kExitCannotRun, "triadd at " + uri_.toString() + " wants a valid bearer token (--token-file)",
                        true);
        const bool bad_filter = status_ == Poco::Net::HTTPResponse::HTTP_BAD_REQUEST;
        return fail(bad_filter ? kExitUsage : kExitCannotRun,
                    "triadd at " + uri_.toString() + " answered " + std::to_string(status_) + " for " + path + ": " +
                        terminal_safe(detail),
                    bad_filter);
    }

    Poco::URI uri_;
    std::string token_;
    const Filter& filter_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    std::istream* body_ = nullptr;
    Poco::Net::HTTPResponse::HTTPStatus status_ = Poco::Net::HTTPResponse::HTTP_OK;
};

std::string text(const Poco::JSON::Object::Ptr& o, const char* key) {
    return o->has(key) ? terminal_safe(o->get(key).toString()) : "?";
}

// One event as a person reads it. Unknown events (a newer daemon) are shown by name.
void print_console(const std::string& line, const report::RenderOptions& options) {
    Poco::JSON::Object::Ptr event;
    try {
        event = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        std::cout << "(unreadable event: " << terminal_safe(line) << ")\n" << std::flush;
        return;
    }
    const std::string name = event->optValue<std::string>("event", "");
    if (name == "finding") {
        // The result object's own text, re-serialised, goes through the reporters' reader.
        std::ostringstream result;
        if (auto r = event->getObject("result")) r->stringify(result);
        auto parsed = report::parse_check_result_json(result.str(), "finding");
        if (parsed) std::cout << report::render_console_finding(*parsed, options);
        else std::cout << "(unreadable finding: " << terminal_safe(parsed.error().describe()) << ")\n";
    } else if (name == "scan_started") {
        std::cout << "scan started " << text(event, "started_at") << ": " << text(event, "checks") << " checks\n";
    } else if (name == "scan_finished") {
        std::string line = "scan finished in " + text(event, "duration_ms") + " ms";
        if (auto scores = event->getObject("scores"))
            for (const char* pillar : {"confidentiality", "integrity", "availability", "overall"})
                if (scores->has(pillar)) line += std::string("  ") + pillar + " " + text(scores, pillar);
        if (auto counts = event->getObject("counts"))
            line += "  (" + text(counts, "fail") + " failed, " + text(counts, "pass") + " passed)";
        std::cout << line << "\n";
    } else if (name == "drift") {
        std::cout << "  DRIFT " << text(event, "check") << ": " << text(event, "old") << " -> " << text(event, "new")
                  << "\n";
    } else if (name == "lost") {
        std::cout << "(" << text(event, "count") << " events lost: this watcher fell behind)\n";
    } else if (name == "reload_failed") {
        std::cout << "triadd reload failed: " << text(event, "error") << "\n";
    } else {
        std::cout << "(" << terminal_safe(name) << " event)\n";
    }
    std::cout << std::flush;
}

}  // namespace

int run_watch(int argc, char** argv, int first) {
    Args args;
    if (auto error = Args::parse(argc, argv, first,
                                 {{"socket", true}, {"url", true}, {"token-file", true}, {"format", true},
                                  {"severity", true}, {"pillar", true}, {"tag", true}, {"verdict", true},
                                  {"reconnect", false}, {"no-color", false}, {"help", false, 'h'}},
                                 args)) {
        print_error(*error);
        return kExitUsage;
    }
    if (args.flag("help")) {
        std::cout << kWatchUsage;
        return kExitOk;
    }
    if (!args.positional().empty()) {
        print_error("watch takes no arguments (see 'triad watch --help')");
        return kExitUsage;
    }
    const std::string format = args.value("format").value_or("console");
    if (format != "console" && format != "json") {
        print_error("--format: console or json, not '" + terminal_safe(format) + "'");
        return kExitUsage;
    }
    if (args.value("socket") && args.value("url")) {
        print_error("--socket and --url exclude each other");
        return kExitUsage;
    }
    auto filter = filter_options(args);
    if (!filter) return kExitUsage;
    std::string token;
    if (auto file = args.value("token-file")) {
        auto content = read_regular_file(*file, 4096);
        if (!content) {
            print_error("--token-file: " + content.error().describe());
            return kExitUsage;
        }
        token = *content;
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    }
    std::optional<Poco::URI> url;
    if (auto u = args.value("url")) {
        try {
            url = Poco::URI(*u);
        } catch (const Poco::Exception& e) {
            print_error("--url: " + e.displayText());
            return kExitUsage;
        }
        if (url->getScheme() != "http") {
            print_error("--url: only http:// (triadd serves plain HTTP on loopback; put TLS in a proxy)");
            return kExitUsage;
        }
    }
    report::RenderOptions render;
    render.color = !args.flag("no-color") && ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
    const std::string socket_path = args.value("socket").value_or(kDefaultSocket);

    for (;;) {
        std::unique_ptr<EventSource> source;
        bool connected;
        if (url) {
            auto http = std::make_unique<HttpSource>(*url, token, *filter);
            connected = http->connect();
            source = std::move(http);
        } else {
            auto sock = std::make_unique<SocketSource>(socket_path, *filter);
            connected = sock->connect();
            source = std::move(sock);
        }
        // On stderr, so that the JSON on stdout stays the events alone.
        if (connected) std::cerr << "triad: watching triadd at " << (url ? url->toString() : socket_path) << std::endl;
        std::string line;
        while (connected && source->next(line)) {
            if (format == "json") std::cout << line << "\n" << std::flush;
            else print_console(line, render);
        }
        if (!args.flag("reconnect") || source->ended.permanent) {
            print_error(source->ended.message);
            return source->ended.code;
        }
        print_error(source->ended.message + "; retrying in 1 s");
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

}  // namespace triad::cli
