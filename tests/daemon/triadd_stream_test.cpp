// SPDX-License-Identifier: Apache-2.0
// triadd's streams end to end (issue 14, helper-14live): subscriber filters on the socket and
// on the HTTP event stream, SO_PEERCRED peer checks with real users, and `triad watch`.
#include <doctest/doctest.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "tests/daemon/daemon_harness.h"
#include "tests/e2e/fixture_root.h"

using triad::test::TempDir;
using triad::test::write_file;
namespace fixture = triad::test::fixture;
namespace harness = triad::test::daemon;
using Event = Poco::JSON::Object::Ptr;

namespace {

std::string name_of(const Event& e) { return e->getValue<std::string>("event"); }

// A fixture root, its policy and a running triadd with an HTTP listener on a free port.
struct Setup {
    TempDir dir;
    std::string root = dir / "root";
    std::unique_ptr<harness::Child> daemon;

    bool start(const std::string& socket_extra = "", bool watch = false) {
        if (!fixture::can_build_fixtures()) return false;
        REQUIRE(fixture::build_fixture(root, "mixed"));
        write_file(dir / "policy.yml", triad::test::read_file(fixture::policy_path()));
        write_file(dir / "triadd.yml", harness::config_text(dir, root, dir / "policy.yml", socket_extra,
                                                            std::string("http: { listen: \"127.0.0.1:0\" }\nwatch: ") +
                                                                (watch ? "true" : "false") + "\n"));
        daemon = std::make_unique<harness::Child>(
            std::vector<std::string>{TRIADD_BINARY, "--config", dir / "triadd.yml", "--foreground"}, dir / "out",
            dir / "log");
        return true;
    }
};

// An SSE client: the `data:` lines of GET TARGET.
class EventStream {
public:
    EventStream(int port, const std::string& target) : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
        session_.setTimeout(Poco::Timespan(60, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
        session_.sendRequest(request);
        body_ = &session_.receiveResponse(response_);
    }
    int status() const { return response_.getStatus(); }
    std::string next_line() {
        std::string raw;
        while (std::getline(*body_, raw))
            if (raw.starts_with("data: ")) return raw.substr(6);
        return "";
    }

private:
    Poco::Net::HTTPClientSession session_;
    Poco::Net::HTTPResponse response_;
    std::istream* body_ = nullptr;
};

// What a high/critical failure filter must let through: the finding's severity and its
// verdict (drift: old or new) — computed from the unfiltered stream.
bool wanted(const std::string& severity, const std::string& verdict, const std::string& old_verdict = "") {
    return (severity == "high" || severity == "critical") && (verdict == "fail" || old_verdict == "fail");
}

}  // namespace

TEST_CASE("subscriber filters select findings and drift on the socket and the HTTP stream, scan events always pass") {
    Setup s;
    if (!s.start()) return;
    const int port = harness::http_port(s.dir / "log");
    REQUIRE(port > 0);
    harness::Subscriber all(s.dir / "triad.sock");
    harness::Subscriber filtered(s.dir / "triad.sock");
    auto ack = filtered.subscribe(R"({"filter":{"severity":["high","critical"],"verdict":["fail"]}})" "\n");
    REQUIRE(ack);
    REQUIRE(name_of(ack) == "subscribed");
    CHECK(ack->getObject("filter")->getArray("severity")->size() == 2);
    EventStream sse(port, "/v1/events?severity=high,critical&verdict=fail");
    REQUIRE(sse.status() == 200);

    // A filter the daemon cannot read is answered with the reason, then the connection closes.
    harness::Subscriber wrong(s.dir / "triad.sock");
    auto rejected = wrong.subscribe(R"({"filter":{"severity":["severe"]}})" "\n");
    REQUIRE(rejected);
    CHECK(name_of(rejected) == "filter_rejected");
    CHECK(rejected->getValue<std::string>("error").find("unknown severity 'severe'") != std::string::npos);
    CHECK(wrong.next_line().empty());  // closed
    EventStream bad_query(port, "/v1/events?severity=severe");
    CHECK(bad_query.status() == 400);

    std::map<std::string, std::string> severity_of;
    for (int round = 0; round < 2; ++round) {
        CAPTURE(round);
        // The second scan runs on the fixture rebuilt as `pass`: its changed checks drift.
        if (round == 1) REQUIRE(fixture::build_fixture(s.root, "pass"));
        s.daemon->signal(SIGUSR1);
        auto everything = all.scan();
        std::vector<std::string> expected;  // the lines the filter lets through, in order
        std::size_t left_out = 0, drifts = 0;
        for (const Event& e : everything) {
            std::ostringstream line;
            e->stringify(line);
            const std::string name = name_of(e);
            bool pass = name == "scan_started" || name == "scan_finished";
            if (name == "finding") {
                auto r = e->getObject("result");
                severity_of[r->getValue<std::string>("id")] = r->getValue<std::string>("severity");
                pass = wanted(r->getValue<std::string>("severity"), r->getValue<std::string>("verdict"));
            } else if (name == "drift") {
                ++drifts;
                pass = wanted(severity_of[e->getValue<std::string>("check")], e->getValue<std::string>("new"),
                              e->getValue<std::string>("old"));
            }
            if (pass) expected.push_back(name + ":" + line.str());
            else ++left_out;
        }
        // The filter must have something to keep and something to drop, else this proves nothing.
        CHECK(expected.size() > 2);
        CHECK(left_out > 0);
        if (round == 1) CHECK(drifts > 0);
        std::vector<std::string> socket_got, sse_got;
        for (;;) {
            auto e = filtered.next();
            REQUIRE(e);
            std::ostringstream line;
            e->stringify(line);
            socket_got.push_back(name_of(e) + ":" + line.str());
            if (name_of(e) == "scan_finished") break;
        }
        for (;;) {
            const std::string line = sse.next_line();
            REQUIRE_FALSE(line.empty());
            auto e = Poco::JSON::Parser().parse(line).extract<Event>();
            std::ostringstream again;
            e->stringify(again);
            sse_got.push_back(name_of(e) + ":" + again.str());
            if (name_of(e) == "scan_finished") break;
        }
        CHECK(socket_got == expected);
        CHECK(sse_got == expected);
    }
    s.daemon->signal(SIGTERM);
    CHECK(s.daemon->wait_exit(std::chrono::seconds(5)) == 0);
}

namespace {

// A system user and group made for one test and removed after it (userdel, groupdel).
struct TempAccounts {
    std::string group = "triadsock" + std::to_string(::getpid());
    std::string member = "triadmem" + std::to_string(::getpid());
    std::string outsider = "triadout" + std::to_string(::getpid());
    bool ok = false;
    TempAccounts() {
        // Other tests may hold the account files' lock for a moment: a few tries.
        triad::test::RunResult r;
        for (int attempt = 0; attempt < 10 && !ok; ++attempt) {
            if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(300));
            r = triad::test::sh("(getent group " + group + " || groupadd --system " + group + ") && (id " + member +
                                " || useradd --system --no-create-home --shell /usr/sbin/nologin -G " + group + " " +
                                member + ") && (id " + outsider +
                                " || useradd --system --no-create-home --shell /usr/sbin/nologin " + outsider + ")");
            ok = r.exit_code == 0;
        }
        if (!ok) MESSAGE("cannot create test accounts, skipped: " << r.err);
    }
    ~TempAccounts() {
        triad::test::sh("userdel " + member + "; userdel " + outsider + "; groupdel " + group + " 2>/dev/null; true");
    }
};

// In a child running as `user` with exactly `groups` (what login would give, or more): connect
// to the socket, send an empty filter, return the first line answered ("connect: ..." when
// the file system refused the connection).
std::string first_line_as(const std::string& path, uid_t uid, gid_t gid, const std::vector<gid_t>& groups) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(pipe_fds[0]);
        auto say = [&](const std::string& text) {
            [[maybe_unused]] auto n = ::write(pipe_fds[1], text.data(), text.size());
            ::_exit(0);
        };
        if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            say("cannot drop privileges");
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            say(std::string("connect: ") + std::strerror(errno));
        const char filter[] = "{\"filter\":{}}\n";
        [[maybe_unused]] auto sent = ::send(fd, filter, sizeof filter - 1, MSG_NOSIGNAL);
        std::string line;
        char c;
        pollfd p{fd, POLLIN, 0};
        while (::poll(&p, 1, 30'000) > 0 && ::read(fd, &c, 1) == 1 && c != '\n') line += c;
        say(line);
    }
    ::close(pipe_fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    ::waitpid(pid, nullptr, 0);
    return out;
}

}  // namespace

TEST_CASE("the socket admits root and members of its group (supplementary too) and refuses others by SO_PEERCRED") {
    TempAccounts accounts;
    if (!accounts.ok) return;
    Setup s;
    if (!s.start(", group: " + accounts.group)) return;
    REQUIRE(::chmod(s.dir.path().c_str(), 0711) == 0);  // the users may reach the socket inside
    harness::Subscriber root_subscriber(s.dir / "triad.sock");  // waits for the socket
    auto ack = root_subscriber.subscribe("{\"filter\":{}}\n");
    REQUIRE(ack);
    CHECK(name_of(ack) == "subscribed");

    group* g = ::getgrnam(accounts.group.c_str());
    passwd* member = ::getpwnam(accounts.member.c_str());
    REQUIRE(g);
    REQUIRE(member);
    const gid_t sock_gid = g->gr_gid;
    const uid_t member_uid = member->pw_uid;
    const gid_t member_gid = member->pw_gid;  // its own user group: the socket's is supplementary
    passwd* outsider = ::getpwnam(accounts.outsider.c_str());
    REQUIRE(outsider);
    const uid_t outsider_uid = outsider->pw_uid;
    const gid_t outsider_gid = outsider->pw_gid;
    CHECK(member_gid != sock_gid);

    struct stat st{};
    REQUIRE(::stat((s.dir / "triad.sock").c_str(), &st) == 0);
    CHECK(st.st_gid == sock_gid);
    CHECK((st.st_mode & 0777) == 0660);

    // A member by its supplementary group, as login gives it: admitted.
    CHECK(first_line_as(s.dir / "triad.sock", member_uid, member_gid, {member_gid, sock_gid})
              .starts_with(R"({"event":"subscribed")"));
    // An outsider with its own groups: the socket file's mode already keeps it out.
    CHECK(first_line_as(s.dir / "triad.sock", outsider_uid, outsider_gid, {outsider_gid}) ==
          "connect: Permission denied");
    // An outsider whose process holds the group without the group database listing it (handed
    // down by a root parent): past the file mode, refused by the peer check, with a reason logged.
    CHECK(first_line_as(s.dir / "triad.sock", outsider_uid, outsider_gid, {outsider_gid, sock_gid})
              .starts_with(R"({"event":"refused")"));
    CHECK(harness::wait_for_text(s.dir / "log", "refused a subscriber: uid " + std::to_string(outsider_uid)));
    const std::string log = triad::test::read_file(s.dir / "log");
    CHECK(log.find("(" + accounts.outsider + ") is not root and not a member of group " + accounts.group) !=
          std::string::npos);
    CHECK(log.find(accounts.member + ")") == std::string::npos);
    s.daemon->signal(SIGTERM);
    CHECK(s.daemon->wait_exit(std::chrono::seconds(5)) == 0);
}

TEST_CASE("triad watch follows a real triadd over the socket and HTTP, filtered, and says when it goes away") {
    Setup s;
    if (!s.start()) return;
    const int port = harness::http_port(s.dir / "log");
    REQUIRE(port > 0);
    const std::string sock = s.dir / "triad.sock";
    const int probe = harness::connect_socket(sock);  // waits until the daemon has bound it
    REQUIRE(probe >= 0);
    ::close(probe);

    // Usage errors come before any connection; a socket with no daemon is exit 3.
    auto bad = triad::test::run_triad({"watch", "--socket", sock, "--verdict", "failed"}, 30);
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--verdict: unknown value 'failed'") != std::string::npos);
    auto nobody = triad::test::run_triad({"watch", "--socket", s.dir / "none.sock"}, 30);
    CHECK(nobody.exit_code == 3);
    CHECK(nobody.err.find("cannot connect to triadd at " + (s.dir / "none.sock")) != std::string::npos);

    harness::Child json({TRIAD_BINARY, "watch", "--socket", sock, "--format", "json", "--verdict", "fail"},
                        s.dir / "json.out", s.dir / "json.err");
    harness::Child console({TRIAD_BINARY, "watch", "--url", "http://127.0.0.1:" + std::to_string(port), "--format",
                            "console", "--severity", "critical,high"},
                           s.dir / "console.out", s.dir / "console.err");
    REQUIRE(harness::wait_for_text(s.dir / "json.err", "watching triadd"));
    REQUIRE(harness::wait_for_text(s.dir / "console.err", "watching triadd"));
    harness::Subscriber reference(sock);
    s.daemon->signal(SIGUSR1);
    auto events = reference.scan();
    REQUIRE(harness::wait_for_text(s.dir / "json.out", "\"scan_finished\""));
    REQUIRE(harness::wait_for_text(s.dir / "console.out", "scan finished in"));

    // JSON: the daemon's lines for failures only, with start and end.
    std::vector<std::string> expected;
    std::set<std::string> high_ids, other_ids;
    for (const Event& e : events) {
        std::ostringstream line;
        e->stringify(line);
        if (name_of(e) == "finding") {
            auto r = e->getObject("result");
            const std::string sev = r->getValue<std::string>("severity");
            (sev == "high" || sev == "critical" ? high_ids : other_ids).insert(r->getValue<std::string>("id"));
            if (r->getValue<std::string>("verdict") != "fail") continue;
        }
        expected.push_back(line.str());
    }
    std::vector<std::string> got;
    std::istringstream json_out(triad::test::read_file(s.dir / "json.out"));
    for (std::string line; std::getline(json_out, line);) {
        std::ostringstream again;
        Poco::JSON::Parser().parse(line).extract<Event>()->stringify(again);
        got.push_back(again.str());
    }
    CHECK(got == expected);
    CHECK(expected.size() > 2);

    // Console: each high or critical check once, rendered as the console report does; no other.
    const std::string text = triad::test::read_file(s.dir / "console.out");
    CHECK(text.starts_with("scan started "));
    REQUIRE_FALSE(high_ids.empty());
    REQUIRE_FALSE(other_ids.empty());
    for (const std::string& id : high_ids) CHECK_MESSAGE(text.find(" " + id + "  ") != std::string::npos, id);
    for (const std::string& id : other_ids) CHECK_MESSAGE(text.find(" " + id + "  ") == std::string::npos, id);
    CHECK(text.find("FAIL ") != std::string::npos);
    CHECK(text.find("hurts: ") != std::string::npos);

    // One more watcher, with --reconnect, joins before the daemon stops.
    harness::Child again({TRIAD_BINARY, "watch", "--socket", sock, "--format", "json", "--reconnect"},
                         s.dir / "again.out", s.dir / "again.err");
    REQUIRE(harness::wait_for_text(s.dir / "again.err", "watching triadd"));

    // The daemon stops: the two plain watchers say so and exit 3.
    s.daemon->signal(SIGTERM);
    CHECK(s.daemon->wait_exit(std::chrono::seconds(5)) == 0);
    CHECK(json.wait_exit(std::chrono::seconds(10)) == 3);
    CHECK(console.wait_exit(std::chrono::seconds(10)) == 3);
    CHECK(triad::test::read_file(s.dir / "json.err").find("triadd closed the event stream (" + sock + ")") !=
          std::string::npos);
    CHECK(triad::test::read_file(s.dir / "console.err").find("triadd closed the event stream") != std::string::npos);

    // The reconnecting one says it retries, finds the restarted daemon and follows its scans.
    REQUIRE(harness::wait_for_text(s.dir / "again.err", "closed the event stream (" + sock + "); retrying in 1 s"));
    harness::Child restarted({TRIADD_BINARY, "--config", s.dir / "triadd.yml", "--foreground"}, s.dir / "out2",
                             s.dir / "log2");
    const auto end = harness::Clock::now() + std::chrono::seconds(60);
    auto subscriptions = [&] {
        const std::string err = triad::test::read_file(s.dir / "again.err");
        std::size_t n = 0;
        for (auto at = err.find("watching triadd"); at != std::string::npos; at = err.find("watching triadd", at + 1)) ++n;
        return n;
    };
    while (subscriptions() < 2 && harness::Clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(subscriptions() == 2);
    restarted.signal(SIGUSR1);
    CHECK(harness::wait_for_text(s.dir / "again.out", "\"scan_finished\""));
    restarted.signal(SIGTERM);
    CHECK(restarted.wait_exit(std::chrono::seconds(5)) == 0);
}

TEST_CASE("a watched file's mode change is reported as drift without a scan, once") {
    Setup s;
    if (!s.start("", /*watch=*/true)) return;
    harness::Subscriber sub(s.dir / "triad.sock");
    s.daemon->signal(SIGUSR1);
    std::map<std::string, std::string> first;
    for (const Event& e : sub.scan())
        if (name_of(e) == "finding")
            first[e->getObject("result")->getValue<std::string>("id")] =
                e->getObject("result")->getValue<std::string>("verdict");
    REQUIRE(first["DAC-PASSWD"] == "pass");  // /etc/passwd root:root 0644 in the fixture
    REQUIRE(harness::wait_for_text(s.dir / "log", "scan 1 stored"));
    CHECK(triad::test::read_file(s.dir / "log").find("directories for drift") != std::string::npos);

    // Drift events up to the one for DAC-PASSWD; nothing else may come first but other drift.
    auto drift_of_passwd = [&](const std::string& old_verdict, const std::string& new_verdict) {
        const auto changed = harness::Clock::now();
        for (;;) {
            auto e = sub.next();
            REQUIRE(e);
            REQUIRE(name_of(e) == "drift");  // no scan ran: no scan_started, no finding
            if (e->getValue<std::string>("check") != "DAC-PASSWD") continue;
            CHECK(e->getValue<std::string>("old") == old_verdict);
            CHECK(e->getValue<std::string>("new") == new_verdict);
            MESSAGE("file change to drift: " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    harness::Clock::now() - changed)
                                                    .count()
                                             << " ms");
            return;
        }
    };
    REQUIRE(::chmod((s.root + "/etc/passwd").c_str(), 0666) == 0);
    drift_of_passwd("pass", "fail");
    REQUIRE(::chmod((s.root + "/etc/passwd").c_str(), 0644) == 0);
    drift_of_passwd("fail", "pass");

    // A file replaced by a rename (as editors and package managers write) is still followed.
    write_file(s.root + "/etc/passwd.new", triad::test::read_file(s.root + "/etc/passwd"), 0646);
    REQUIRE(::rename((s.root + "/etc/passwd.new").c_str(), (s.root + "/etc/passwd").c_str()) == 0);
    drift_of_passwd("pass", "fail");

    // The next full scan does not report the change again: it was reported as it happened.
    s.daemon->signal(SIGUSR1);
    for (const Event& e : sub.scan())
        CHECK_FALSE((name_of(e) == "drift" && e->getValue<std::string>("check") == "DAC-PASSWD"));
    s.daemon->signal(SIGTERM);
    CHECK(s.daemon->wait_exit(std::chrono::seconds(5)) == 0);
}
