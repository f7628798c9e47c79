// SPDX-License-Identifier: Apache-2.0
// triadd's dashboard (GET /, issue 14) end to end: a real triadd on a fixture root and a
// loopback port, the page loaded by headless Chromium (Debian's `chromium`, installed by
// scripts/bootstrap) and inspected through the DevTools protocol while scans run: the scores,
// the trend, the failing checks and a live `drift` event must appear in the DOM, under the
// page's own Content-Security-Policy and with the bearer token required on every data path.
// Chromium runs with --no-sandbox: its sandbox refuses to start as root, which the fixtures need.
#include <doctest/doctest.h>
#include <Poco/Buffer.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

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

constexpr const char* kToken = "5be0d1-dashboard-token-91c4";

// A child in its own process group (Chromium starts helpers), killed with its group at the end.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::string& log) {
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::setpgid(0, 0);
            int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (fd >= 0) ::dup2(fd, 1), ::dup2(fd, 2);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        ::setpgid(pid_, pid_);  // also from here: no window where the group does not exist yet
    }
    ~Child() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    void signal(int sig) { ::kill(pid_, sig); }

private:
    pid_t pid_ = -1;
};

// Polls `probe` every 100 ms until it returns true or `seconds` passed (a bound, not a timing claim).
bool eventually(int seconds, const std::function<bool()>& probe) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (probe()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return probe();
}

struct Reply {
    int status = 0;
    std::string body;
    Poco::Net::NameValueCollection headers;
};

Reply http(int port, const std::string& method, const std::string& path, const std::string& token = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(30, 0));
    HTTPRequest request(method, path, HTTPRequest::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    request.setContentLength(0);
    session.sendRequest(request);
    HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::ostringstream body;
    body << in.rdbuf();
    Reply r{static_cast<int>(response.getStatus()), body.str(), {}};
    for (const auto& [k, v] : response) r.headers.add(k, v);
    return r;
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string config(const TempDir& dir, const std::string& root, const std::vector<std::string>& policies) {
    std::string list;
    for (const auto& p : policies) list += (list.empty() ? "" : ", ") + p;
    return "policies: [" + list + "]\nroot: " + root + "\nschedule: \"0 3 * * *\"\nstore: sqlite://" +
           (dir / "triad.db") + "\nhost_id: dashboard-host\nsocket: { path: " + (dir / "triad.sock") +
           " }\nhttp: { listen: \"127.0.0.1:0\", token_file: " + (dir / "token") +
           " }\n"
           // The fixture is rebuilt between scans: drift is asserted from the scan, not the file watch.
           "watch: false\n";
}

// One check whose title is markup, failing on every fixture: the page must show it as text.
constexpr const char* kMarkupPolicy = R"(policy:
  id: dashboard-markup
  title: Markup in a title
  version: "1.0"
checks:
  - id: MARKUP-TITLE
    title: "<img src=x id=injected-title> & <b>bold</b>"
    rationale: A title is data from a policy file, never markup.
    remediation: none
    severity: high
    impact: { c: high, i: low, a: low }
    select: { collector: file, path: /etc/passwd }
    expect:
      all:
        - { field: mode, at_most: "0000" }
)";

// Headless Chromium driven through the DevTools protocol on a loopback port.
class Browser {
public:
    Browser() : child_(argv(home_), home_ / "chromium.log") {
        int port = 0;
        REQUIRE_MESSAGE(eventually(60,
                                   [&] {
                                       std::ifstream in(home_ / "profile/DevToolsActivePort");
                                       return static_cast<bool>(in >> port) && port > 0;
                                   }),
                        "chromium did not open its DevTools port: " << triad::test::read_file(home_ / "chromium.log"));
        devtools_port_ = port;
    }
    // Opens `url` in the browser's page and keeps a DevTools connection to that page.
    void open(const std::string& url) {
        Reply list = http(devtools_port_, "GET", "/json/list");
        REQUIRE(list.status == 200);
        auto targets = Poco::JSON::Parser().parse(list.body).extract<Poco::JSON::Array::Ptr>();
        std::string ws;
        for (std::size_t i = 0; i < targets->size(); ++i) {
            auto t = targets->getObject(static_cast<unsigned>(i));
            if (t->getValue<std::string>("type") == "page") ws = t->getValue<std::string>("webSocketDebuggerUrl");
        }
        REQUIRE_MESSAGE(!ws.empty(), list.body);
        session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", static_cast<Poco::UInt16>(devtools_port_));
        HTTPRequest request(HTTPRequest::HTTP_GET, Poco::URI(ws).getPathAndQuery(), HTTPRequest::HTTP_1_1);
        HTTPResponse response;
        socket_ = std::make_unique<Poco::Net::WebSocket>(*session_, request, response);
        socket_->setReceiveTimeout(Poco::Timespan(30, 0));
        socket_->setMaxPayloadSize(64 << 20);
        Poco::JSON::Object params;
        params.set("url", url);
        call("Page.navigate", params);
    }
    // The value of a JavaScript expression in the page (JSON-serialisable); empty when it
    // threw, as it does while the page is still loading (the probes below then try again,
    // and a CHECK on an empty value fails naming what was expected).
    Poco::Dynamic::Var eval(const std::string& expression) {
        Poco::JSON::Object params;
        params.set("expression", expression);
        params.set("returnByValue", true);
        auto reply = call("Runtime.evaluate", params);
        auto result = reply->getObject("result");
        if (result->has("exceptionDetails")) return {};
        return result->getObject("result")->get("value");
    }
    std::string eval_string(const std::string& expression) {
        auto v = eval(expression);
        return v.isEmpty() ? "" : v.convert<std::string>();
    }

private:
    static std::vector<std::string> argv(const TempDir& home) {
        return {"env", "HOME=" + home.path(), "XDG_CONFIG_HOME=" + home / "config", "XDG_CACHE_HOME=" + home / "cache",
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--remote-debugging-port=0", "--user-data-dir=" + home / "profile", "about:blank"};
    }
    Poco::JSON::Object::Ptr call(const std::string& method, const Poco::JSON::Object& params) {
        Poco::JSON::Object message;
        message.set("id", ++id_);
        message.set("method", method);
        message.set("params", params);
        std::ostringstream text;
        Poco::JSON::Stringifier::stringify(message, text);
        const std::string frame = text.str();
        socket_->sendFrame(frame.data(), static_cast<int>(frame.size()));
        for (;;) {  // skip protocol events until our reply
            Poco::Buffer<char> buffer(0);
            int flags = 0;
            const int n = socket_->receiveFrame(buffer, flags);
            REQUIRE_MESSAGE(n > 0, "DevTools connection closed");
            auto reply = parse(std::string(buffer.begin(), buffer.size()));
            if (reply->has("id") && reply->getValue<int>("id") == id_) {
                REQUIRE_MESSAGE(!reply->has("error"), method);
                return reply;
            }
        }
    }

    TempDir home_;
    Child child_;
    int devtools_port_ = 0;
    int id_ = 0;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    std::unique_ptr<Poco::Net::WebSocket> socket_;
};

// What the page shows, for a failure message. Read before the assertion, never inside its
// message: doctest evaluates a message while it reports, and a failure there re-enters it.
std::string page_text(Browser& browser) { return browser.eval_string("document.body ? document.body.innerText : ''"); }
std::string live_text(Browser& browser) {
    return browser.eval_string("document.getElementById('live') ? document.getElementById('live').innerText : ''");
}

// check id -> verdict of a stored triad.result/1 document.
std::map<std::string, std::string> verdicts(const Poco::JSON::Object::Ptr& result) {
    std::map<std::string, std::string> out;
    auto results = result->getArray("results");
    for (std::size_t i = 0; i < results->size(); ++i) {
        auto r = results->getObject(static_cast<unsigned>(i));
        out[r->getValue<std::string>("id")] = r->getValue<std::string>("verdict");
    }
    return out;
}

std::string score_text(const Poco::JSON::Object::Ptr& scores, const std::string& pillar) {
    if (scores->isNull(pillar)) return "undecided";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", scores->getValue<double>(pillar));
    return buf;
}

}  // namespace

TEST_CASE("dashboard page: self-contained, a fresh nonce per response, a strict CSP, no token needed") {
    TempDir dir;
    write_file(dir / "token", std::string(kToken) + "\n", 0600);
    write_file(dir / "triadd.yml",
               config(dir, dir.path(), {triad::test::source_dir() + "/rules/policies/access-control.yml"}));
    Child daemon({TRIADD_BINARY, "--config", dir / "triadd.yml"}, dir / "triadd.log");
    const int port = harness::http_port(dir / "triadd.log");
    REQUIRE_MESSAGE(port > 0, triad::test::read_file(dir / "triadd.log"));

    Reply first = http(port, "GET", "/");
    Reply second = http(port, "GET", "/");
    REQUIRE(first.status == 200);
    CHECK(first.headers.get("Content-Type", "") == "text/html; charset=utf-8");
    CHECK(first.headers.get("X-Content-Type-Options", "") == "nosniff");
    const std::string csp = first.headers.get("Content-Security-Policy", "");
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("connect-src 'self'") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("require-trusted-types-for 'script'") != std::string::npos);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
    CHECK(csp.find("unsafe-eval") == std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(csp, m, std::regex("script-src 'nonce-([A-Za-z0-9+/=]{24})'")));
    const std::string nonce = m[1];
    CHECK(csp.find("style-src 'nonce-" + nonce + "'") != std::string::npos);
    CHECK(second.headers.get("Content-Security-Policy", "").find(nonce) == std::string::npos);  // fresh each time
    // Every script and style element carries the header's nonce; nothing else is inline-able.
    const std::string& page = first.body;
    const std::regex opening("<(script|style)([^>]*)>");
    int elements = 0;
    for (std::sregex_iterator it(page.begin(), page.end(), opening), end; it != end; ++it, ++elements)
        CHECK_MESSAGE((*it)[2].str() == " nonce=\"" + nonce + "\"", it->str());
    CHECK(elements == 2);
    // Nothing from elsewhere: no address with a scheme, no src/href, no CSS url() or @import,
    // no inline event handler attribute.
    for (const char* outside : {"://", " src=", " href=", "url(", "@import", " onload=", " onclick=", "<iframe", "<link"})
        CHECK_MESSAGE(page.find(outside) == std::string::npos, outside);
    CHECK(http(port, "POST", "/").status == 405);
    // The page itself is open; the data it reads is not.
    for (const char* path : {"/v1/results/latest", "/v1/scans", "/v1/events"}) CHECK(http(port, "GET", path).status == 401);
}

TEST_CASE("dashboard in headless Chromium: scores, trend, failing checks as text, and a live drift event") {
    if (!fixture::can_build_fixtures()) return;
    TempDir dir;
    const std::string root = dir / "root";
    REQUIRE(fixture::build_fixture(root, "mixed"));
    write_file(dir / "markup.yml", kMarkupPolicy);
    write_file(dir / "token", std::string(kToken) + "\n", 0600);
    write_file(dir / "triadd.yml", config(dir, root, {fixture::policy_path(), dir / "markup.yml"}));
    Child daemon({TRIADD_BINARY, "--config", dir / "triadd.yml"}, dir / "triadd.log");
    const int port = harness::http_port(dir / "triadd.log");
    REQUIRE_MESSAGE(port > 0, triad::test::read_file(dir / "triadd.log"));

    // One stored scan before the page opens.
    daemon.signal(SIGUSR1);
    Reply stored;
    REQUIRE(eventually(120, [&] { return (stored = http(port, "GET", "/v1/results/latest", kToken)).status == 200; }));
    auto first = parse(stored.body);

    Browser browser;
    browser.open("http://127.0.0.1:" + std::to_string(port) + "/#token=" + kToken);
    // The page read the store and subscribed (it says "live" once /v1/events answered).
    const bool loaded = eventually(60,
                               [&] {
                                   return browser.eval_string("document.getElementById('status').dataset.live || ''") ==
                                              "yes" &&
                                          browser.eval_string("document.getElementById('trend').dataset.points || ''") ==
                                              "1";
                               });
    const std::string page_shown = loaded ? "" : page_text(browser);
    REQUIRE_MESSAGE(loaded, page_shown);
    // The token left the address bar as soon as the page read it.
    CHECK(browser.eval_string("location.href").find(kToken) == std::string::npos);

    auto scores = first->getObject("scores");
    for (const char* pillar : {"confidentiality", "integrity", "availability", "overall"})
        CHECK_MESSAGE(browser.eval_string(std::string("document.getElementById('score-") + pillar + "').textContent") ==
                          score_text(scores, pillar),
                      pillar);
    // The failing checks table lists exactly the stored scan's failures.
    std::set<std::string> failing;
    for (const auto& [id, verdict] : verdicts(first))
        if (verdict == "fail") failing.insert(id);
    REQUIRE(failing.count("MARKUP-TITLE") == 1);
    const std::string shown =
        browser.eval_string("[...document.querySelectorAll('#failing tr')].map(r => r.dataset.check).join('\\n')");
    std::set<std::string> rows;
    std::istringstream lines(shown);
    for (std::string line; std::getline(lines, line);) rows.insert(line);
    CHECK(rows == failing);
    // The markup title is text in its cell, not elements in the page.
    CHECK(browser.eval_string("document.querySelector('#failing tr[data-check=\"MARKUP-TITLE\"] td:nth-child(3)').textContent") ==
          "<img src=x id=injected-title> & <b>bold</b>");
    CHECK(browser.eval_string("String(document.getElementById('injected-title'))") == "null");
    CHECK(browser.eval_string("String(document.querySelectorAll('#failing b, #failing img').length)") == "0");

    // The fixture becomes a host where the file checks pass; the next scan's drift events
    // reach the open page without a reload.
    REQUIRE(fixture::build_fixture(root, "pass"));
    daemon.signal(SIGUSR1);
    Reply second_stored;
    REQUIRE(eventually(120, [&] {
        second_stored = http(port, "GET", "/v1/results/latest", kToken);
        return second_stored.status == 200 &&
               parse(second_stored.body)->getValue<std::string>("started_at") != first->getValue<std::string>("started_at");
    }));
    auto second = parse(second_stored.body);
    std::set<std::string> changed;
    const auto before = verdicts(first), after = verdicts(second);
    for (const auto& [id, verdict] : after)
        if (before.count(id) && before.at(id) != verdict) changed.insert(id);
    REQUIRE(!changed.empty());
    const std::string drift_js =
        "[...document.querySelectorAll('#live li[data-event=\"drift\"][data-changed~=\"verdict\"]')].map(e => e.dataset.check).join('\\n')";
    std::set<std::string> drifted;
    const bool drift_shown = eventually(60,
                               [&] {
                                   drifted.clear();
                                   std::istringstream in(browser.eval_string(drift_js));
                                   for (std::string line; std::getline(in, line);) drifted.insert(line);
                                   return drifted == changed &&
                                          browser.eval_string("document.getElementById('trend').dataset.points") == "2" &&
                                          browser.eval_string("document.getElementById('meta').dataset.startedAt") ==
                                              second->getValue<std::string>("started_at");
                               });
    const std::string live_shown = drift_shown ? "" : live_text(browser);
    REQUIRE_MESSAGE(drift_shown, live_shown);
    // A drift line names the old and new verdicts; the scores are the second scan's.
    const std::string one = *changed.begin();
    CHECK(browser.eval_string("document.querySelector('#live li[data-check=\"" + one + "\"][data-event=\"drift\"]').textContent")
              .find("drift " + one + ": " + before.at(one) + " \u2192 " + after.at(one)) != std::string::npos);
    auto scores2 = second->getObject("scores");
    for (const char* pillar : {"confidentiality", "integrity", "availability", "overall"})
        CHECK_MESSAGE(browser.eval_string(std::string("document.getElementById('score-") + pillar + "').textContent") ==
                          score_text(scores2, pillar),
                      pillar);
    // Two points per decided pillar in the chart: one per stored scan.
    CHECK(browser.eval_string("String(document.querySelectorAll('#trend circle.p-overall').length)") == "2");
}
