// SPDX-License-Identifier: Apache-2.0
// triadd's HTTP endpoint end to end (issue 14): the real daemon on a fixture root, real
// HTTP through Poco's client, the Unix socket beside it, promtool for the metrics format.
#include <doctest/doctest.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reporters/result_reader.h"
#include "tests/daemon/daemon_harness.h"
#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;
namespace fixture = triad::test::fixture;
namespace harness = triad::test::daemon;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

namespace {

constexpr const char* kToken = "f3a9c2-fixture-token-7d1e";

struct Reply {
    int status = 0;
    std::string body;
};

Reply http(int port, const std::string& method, const std::string& path, const std::string& authorization = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(60, 0));
    HTTPRequest request(method, path, HTTPRequest::HTTP_1_1);
    if (!authorization.empty()) request.set("Authorization", authorization);
    request.setContentLength(0);
    session.sendRequest(request);
    HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::ostringstream body;
    body << in.rdbuf();
    return {static_cast<int>(response.getStatus()), body.str()};
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string event_name(const std::string& json) { return parse(json)->getValue<std::string>("event"); }

// "name{labels}" -> value, for the samples of an exposition that promtool accepted.
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

std::string http_config(const TempDir& dir, const std::string& root, const std::string& policy,
                        const std::string& http) {
    return harness::config_text(dir, root, policy, "", http);
}

}  // namespace

TEST_CASE("triadd refuses a token file others can read, and a public address without a token") {
    TempDir dir;
    const std::string policy = triad::test::source_dir() + "/rules/policies/access-control.yml";
    write_file(dir / "token", std::string(kToken) + "\n", 0644);
    const std::string open_config =
        http_config(dir, dir.path(), policy, "http: { listen: \"127.0.0.1:0\", token_file: " + (dir / "token") + " }\n");
    write_file(dir / "open.yml", open_config);
    const auto http_line = 1 + std::count(open_config.begin(), open_config.begin() + open_config.find("http:"), '\n');
    auto open = triad::test::run({TRIADD_BINARY, "--config", dir / "open.yml"}, 30);
    CHECK(open.exit_code == 2);
    CHECK(open.err.find("open.yml:" + std::to_string(http_line) + ":") != std::string::npos);
    CHECK(open.err.find("readable or writable by group or others (mode 0644)") != std::string::npos);
    CHECK(open.err.find(kToken) == std::string::npos);  // the secret never reaches the log

    write_file(dir / "public.yml", http_config(dir, dir.path(), policy, "http: { listen: \"0.0.0.0:0\" }\n"));
    auto pub = triad::test::run({TRIADD_BINARY, "--config", dir / "public.yml"}, 30);
    CHECK(pub.exit_code == 2);
    CHECK(pub.err.find("not a loopback address") != std::string::npos);
}

TEST_CASE("triadd over HTTP: token required, SSE carries the socket's events, metrics match the stored scan") {
    if (!fixture::can_build_fixtures()) return;
    TempDir dir;
    const std::string root = dir / "root";
    REQUIRE(fixture::build_fixture(root, "mixed"));
    write_file(dir / "token", std::string(kToken) + "\n", 0600);
    write_file(dir / "triadd.yml",
               http_config(dir, root, fixture::policy_path(),
                           "http: { listen: \"127.0.0.1:0\", token_file: " + (dir / "token") + " }\n"));
    // Not --foreground: the daemon as its unit starts it.
    auto daemon = harness::start_triadd(dir / "triadd.yml", dir / "triadd.log", false);
    const int port = harness::http_port(dir / "triadd.log");
    REQUIRE_MESSAGE(port > 0, triad::test::read_file(dir / "triadd.log"));
    const std::string bearer = std::string("Bearer ") + kToken;

    CHECK(http(port, "GET", "/healthz").status == 200);  // probes need no token
    for (const char* path : {"/metrics", "/v1/results/latest", "/v1/events", "/v1/scans", "/v1/scans/1"}) {
        CHECK(http(port, "GET", path).status == 401);
        CHECK(http(port, "GET", path, "Bearer wrong-token").status == 401);
        CHECK(http(port, "GET", path, bearer.substr(0, bearer.size() - 1)).status == 401);  // a prefix is not the token
        CHECK(http(port, "GET", path, std::string("Basic ") + kToken).status == 401);
    }
    CHECK(http(port, "POST", "/v1/scans").status == 401);
    CHECK(http(port, "PUT", "/v1/scans", bearer).status == 405);
    CHECK(http(port, "POST", "/v1/results/latest", bearer).status == 405);
    CHECK(http(port, "GET", "/v1/results/latest", bearer).status == 404);  // nothing stored yet
    CHECK(http(port, "GET", "/scans/latest", bearer).status == 404);       // the unversioned paths are gone
    CHECK(http(port, "POST", "/scan", bearer).status == 404);

    // The HTTP stream and a socket subscriber, both connected before the scan is requested.
    harness::Subscriber socket(dir / "triad.sock");
    Poco::Net::HTTPClientSession stream("127.0.0.1", static_cast<Poco::UInt16>(port));
    stream.setTimeout(Poco::Timespan(60, 0));
    HTTPRequest subscribe(HTTPRequest::HTTP_GET, "/v1/events", HTTPRequest::HTTP_1_1);
    subscribe.set("Authorization", bearer);
    stream.sendRequest(subscribe);
    HTTPResponse stream_response;
    std::istream& sse = stream.receiveResponse(stream_response);
    REQUIRE(stream_response.getStatus() == HTTPResponse::HTTP_OK);
    CHECK(stream_response.getContentType() == "text/event-stream");
    std::string line;
    REQUIRE(std::getline(sse, line));
    CHECK(line == ": triadd events");  // sent once subscribed: the scan below cannot be missed

    CHECK(http(port, "POST", "/v1/scans", bearer).status == 202);
    std::vector<std::string> over_http, over_socket;
    while (std::getline(sse, line)) {
        if (!line.starts_with("data: ")) continue;  // blank separators and comments
        over_http.push_back(line.substr(6));
        if (event_name(over_http.back()) == "scan_finished") break;
    }
    REQUIRE(!over_http.empty());
    for (std::size_t k = 0; k < over_http.size(); ++k) over_socket.push_back(socket.next_line());
    CHECK(over_http == over_socket);  // one fan-out, the same lines
    REQUIRE(event_name(over_http.front()) == "scan_started");
    const auto checks = parse(over_http.front())->getValue<std::size_t>("checks");
    std::size_t findings = 0;
    for (const auto& e : over_http) findings += event_name(e) == "finding";
    CHECK(findings == checks);
    CHECK(over_http.size() == checks + 2);

    // Stored after scan_finished: wait for the counter, then compare with the stored scan.
    std::map<std::string, double> metrics;
    for (int attempt = 0; attempt < 600 && metrics["triad_scans_total"] < 1; ++attempt) {
        metrics = samples(http(port, "GET", "/metrics", bearer).body);
        if (metrics["triad_scans_total"] < 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(metrics["triad_scans_total"] == 1);
    Reply latest = http(port, "GET", "/v1/results/latest", bearer);
    REQUIRE(latest.status == 200);
    // Valid triad.result/1: the schema's reader (every key, type and value checked, as for
    // `triad report`) accepts it, and it is the scan just streamed.
    auto document = triad::report::parse_result_json(latest.body, "/v1/results/latest");
    REQUIRE_MESSAGE(document, (document ? "" : document.error().describe()));
    CHECK(document->results.size() == checks);
    auto stored = parse(latest.body);
    auto finished = parse(over_http.back());
    CHECK(stored->getValue<std::string>("started_at") == finished->getValue<std::string>("started_at"));

    Reply exposition = http(port, "GET", "/metrics", bearer);
    write_file(dir / "metrics.txt", exposition.body);
    auto promtool = triad::test::sh("promtool check metrics < " + (dir / "metrics.txt"));
    CHECK_MESSAGE(promtool.exit_code == 0, (promtool.out + promtool.err));  // parse errors 1, lint problems 3
    metrics = samples(exposition.body);
    auto counts = stored->getObject("counts");
    std::size_t total = 0;
    for (const char* verdict : {"pass", "fail", "error", "not_applicable", "waived"}) {
        const auto n = counts->getValue<std::size_t>(verdict);
        total += n;
        CHECK_MESSAGE(metrics[std::string("triad_checks{verdict=\"") + verdict + "\"}"] == n, verdict);
    }
    CHECK(total == checks);
    CHECK(metrics.at("triad_scan_duration_seconds") == stored->getValue<double>("duration_ms") / 1000.0);
    std::tm tm{};
    REQUIRE(::strptime(stored->getValue<std::string>("started_at").c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm));
    CHECK(metrics.at("triad_last_scan_timestamp_seconds") == static_cast<double>(::timegm(&tm)));
    auto scores = stored->getObject("scores");
    for (const char* pillar : {"confidentiality", "integrity", "availability", "overall"}) {
        const std::string key = std::string("triad_score{pillar=\"") + pillar + "\"}";
        if (scores->isNull(pillar)) CHECK_MESSAGE(metrics.count(key) == 0, pillar);
        // The stored column keeps the full value; the result document rounds to 0.1.
        else CHECK_MESSAGE(std::round(metrics.at(key) * 10) / 10 == doctest::Approx(scores->getValue<double>(pillar)), pillar);
    }
    CHECK(metrics.at("triad_subscribers") == 2);  // the socket client and the HTTP stream

    // A second scan; then the list, newest first, one per page with ?limit=1.
    CHECK(http(port, "POST", "/v1/scans", bearer).status == 202);
    for (int attempt = 0; attempt < 600 && metrics["triad_scans_total"] < 2; ++attempt) {
        metrics = samples(http(port, "GET", "/metrics", bearer).body);
        if (metrics["triad_scans_total"] < 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(metrics["triad_scans_total"] == 2);
    Reply all = http(port, "GET", "/v1/scans", bearer);
    REQUIRE(all.status == 200);
    auto listed = parse(all.body)->getArray("scans");
    REQUIRE(listed->size() == 2);
    CHECK(parse(all.body)->has("next") == false);
    auto newest = listed->getObject(0), oldest = listed->getObject(1);
    CHECK(newest->getValue<int>("id") > oldest->getValue<int>("id"));
    CHECK(oldest->getValue<std::string>("started_at") == stored->getValue<std::string>("started_at"));
    CHECK(oldest->getValue<std::string>("host") == "fixture-host");
    for (const char* verdict : {"pass", "fail", "error", "not_applicable", "waived"})
        CHECK(oldest->getObject("counts")->getValue<std::size_t>(verdict) == counts->getValue<std::size_t>(verdict));
    CHECK(std::round(oldest->getObject("scores")->getValue<double>("overall") * 10) / 10 ==
          doctest::Approx(scores->getValue<double>("overall")));
    Reply page1 = http(port, "GET", "/v1/scans?limit=1", bearer);
    REQUIRE(page1.status == 200);
    CHECK(parse(page1.body)->getArray("scans")->size() == 1);
    CHECK(parse(page1.body)->getArray("scans")->getObject(0)->getValue<int>("id") == newest->getValue<int>("id"));
    const std::string next = parse(page1.body)->getValue<std::string>("next");
    Reply page2 = http(port, "GET", next, bearer);
    REQUIRE(page2.status == 200);
    REQUIRE(parse(page2.body)->getArray("scans")->size() == 1);
    CHECK(parse(page2.body)->getArray("scans")->getObject(0)->getValue<int>("id") == oldest->getValue<int>("id"));
    CHECK(http(port, "GET", "/v1/scans?limit=0", bearer).status == 400);
    CHECK(http(port, "GET", "/v1/scans?colour=blue", bearer).status == 400);
    // One stored scan by id: the same document as the file reader accepts.
    Reply one = http(port, "GET", oldest->getValue<std::string>("href"), bearer);
    REQUIRE(one.status == 200);
    auto first_doc = triad::report::parse_result_json(one.body, "scan");
    REQUIRE(first_doc);
    CHECK(first_doc->started_at == stored->getValue<std::string>("started_at"));
    CHECK(http(port, "GET", "/v1/scans/99999", bearer).status == 404);
    CHECK(http(port, "GET", "/v1/scans/abc", bearer).status == 404);

    // SIGTERM with the stream open: the daemon ends it and exits 0.
    CHECK(daemon->terminate_and_wait(std::chrono::seconds(5)) == 0);
}
