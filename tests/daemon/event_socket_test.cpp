// SPDX-License-Identifier: Apache-2.0
// The daemon's event fan-out on its own (issue 14): subscriber filters, and the load case —
// 100 real socket subscribers, one of which never reads.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "daemon/event_socket.h"
#include "tests/daemon/daemon_harness.h"

using triad::daemon::EventFacts;
using triad::daemon::EventFilter;
using triad::daemon::EventSocket;
using triad::rules::Impact;
using triad::rules::Severity;
using triad::rules::Verdict;
using triad::test::TempDir;
namespace harness = triad::test::daemon;

TEST_CASE("a subscriber filter line is parsed, checked and matched") {
    std::string error;
    auto f = triad::daemon::parse_filter_line(
        R"({"filter":{"severity":["high","critical"],"pillar":["integrity"],"tag":["ssh"],"verdict":["fail"]}})", error);
    REQUIRE(f);
    CHECK(f->json() == R"({"severity":["high","critical"],"pillar":["integrity"],"tag":["ssh"],"verdict":["fail"]})");

    const std::vector<std::string> ssh{"ssh", "cis"}, other{"cron"};
    EventFacts hit{Severity::high, {Impact::none, Impact::low, Impact::none}, &ssh, Verdict::fail, {}};
    CHECK(f->matches(&hit));
    CHECK(f->matches(nullptr));  // scan_started, scan_finished, lost
    EventFacts e = hit;
    e.severity = Severity::medium;
    CHECK_FALSE(f->matches(&e));
    e = hit;
    e.impact = {Impact::high, Impact::none, Impact::high};  // no integrity impact
    CHECK_FALSE(f->matches(&e));
    e = hit;
    e.tags = &other;
    CHECK_FALSE(f->matches(&e));
    e = hit;
    e.verdict = Verdict::pass;
    CHECK_FALSE(f->matches(&e));
    e.old_verdict = Verdict::fail;  // drift out of a failure: still of interest to a fail watcher
    CHECK(f->matches(&e));
    CHECK(EventFilter{}.matches(&e));

    struct Bad {
        const char* line;
        const char* reason;
    };
    for (const Bad& b : {Bad{"not json", "not a JSON object"}, Bad{R"({"severity":["high"]})", "expected {\"filter\""},
                         Bad{R"({"filter":{"colour":["red"]}})", "unknown filter key 'colour'"},
                         Bad{R"({"filter":{"severity":["severe"]}})", "unknown severity 'severe'"},
                         Bad{R"({"filter":{"verdict":"fail"}})", "must be a list"},
                         Bad{R"({"filter":{"pillar":["x"]}})", "unknown pillar 'x'"},
                         Bad{R"({"filter":{"tag":[]}})", "empty value"}}) {
        CAPTURE(b.line);
        error.clear();
        CHECK_FALSE(triad::daemon::parse_filter_line(b.line, error));
        CHECK(error.find(b.reason) != std::string::npos);
    }

    // The SSE form: the same filter from a query; repeated keys add up.
    auto q = triad::daemon::filter_from_query("/events?severity=high,critical&verdict=fail&verdict=error&pillar=c", error);
    REQUIRE(q);
    CHECK(q->json() == R"({"severity":["high","critical"],"pillar":["confidentiality"],"verdict":["fail","error"]})");
    CHECK(triad::daemon::filter_from_query("/events", error)->empty());
    CHECK_FALSE(triad::daemon::filter_from_query("/events?severity=hgih", error));
    CHECK(error.find("unknown severity 'hgih'") != std::string::npos);
}

TEST_CASE("100 subscribers: every reading one gets every event in order, the one that never reads gets lost") {
    TempDir dir;
    constexpr std::size_t kQueue = 64, kBatch = 50, kEvents = 5000, kReaders = 99;
    auto opened = EventSocket::open(dir / "s.sock", "", kQueue);
    REQUIRE(opened);
    EventSocket& socket = **opened;

    const int stuck = harness::connect_socket(dir / "s.sock");
    REQUIRE(stuck >= 0);
    std::vector<int> readers;
    for (std::size_t k = 0; k < kReaders; ++k) readers.push_back(harness::connect_socket(dir / "s.sock"));
    for (int fd : readers) REQUIRE(fd >= 0);

    // A line the size of a real finding; its number tells order and completeness.
    const std::string padding(300, 'x');
    auto line = [&](std::size_t n) { return R"({"event":"finding","n":)" + std::to_string(n) + R"(,"pad":")" + padding + "\"}"; };

    // One thread reads all 99 readers, checking each line is the next number.
    std::vector<std::size_t> received(kReaders, 0);
    std::atomic<std::size_t> slowest{0};
    std::atomic<bool> out_of_order{false}, saw_lost{false};
    std::thread reading([&] {
        std::vector<std::string> buffers(kReaders);
        std::vector<pollfd> fds;
        for (int fd : readers) fds.push_back({fd, POLLIN, 0});
        while (slowest.load() < kEvents) {
            if (::poll(fds.data(), fds.size(), 60'000) <= 0) return;
            for (std::size_t k = 0; k < kReaders; ++k) {
                if (!(fds[k].revents & POLLIN)) continue;
                char buf[65536];
                ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
                if (n <= 0) return;
                buffers[k].append(buf, static_cast<std::size_t>(n));
                for (std::size_t nl; (nl = buffers[k].find('\n')) != std::string::npos; buffers[k].erase(0, nl + 1)) {
                    const std::string got = buffers[k].substr(0, nl);
                    if (got.find("\"lost\"") != std::string::npos) saw_lost = true;
                    else if (got != line(received[k])) out_of_order = true;
                    else ++received[k];
                }
            }
            slowest = *std::min_element(received.begin(), received.end());
        }
    });
    // Paced by the readers (a batch fits the queue), not by the stuck one: broadcast never waits for it.
    for (std::size_t n = 0; n < kEvents; n += kBatch) {
        for (std::size_t k = n; k < n + kBatch; ++k) socket.broadcast(line(k));
        const auto end = harness::Clock::now() + std::chrono::seconds(60);
        while (slowest.load() < n + kBatch && harness::Clock::now() < end && !out_of_order)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        REQUIRE(slowest.load() >= n + kBatch);
    }
    reading.join();
    CHECK_FALSE(out_of_order.load());
    CHECK_FALSE(saw_lost.load());
    for (std::size_t k = 0; k < kReaders; ++k) CHECK(received[k] == kEvents);

    // The stuck subscriber, reading at last: what it got plus what `lost` counts is every event.
    std::size_t got = 0, lost = 0, next = 0;
    bool in_order = true;
    std::string buffer;
    const auto end = harness::Clock::now() + std::chrono::seconds(60);
    while (got + lost < kEvents && harness::Clock::now() < end) {
        pollfd p{stuck, POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0) continue;
        char buf[65536];
        ssize_t n = ::read(stuck, buf, sizeof buf);
        if (n <= 0) break;
        buffer.append(buf, static_cast<std::size_t>(n));
        for (std::size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
            const std::string l = buffer.substr(0, nl);
            if (l.starts_with(R"({"event":"lost","count":)")) {
                lost += std::stoul(l.substr(24));
                continue;
            }
            const std::size_t number = std::stoul(l.substr(l.find("\"n\":") + 4));
            in_order = in_order && number >= next;
            next = number + 1;
            ++got;
        }
    }
    CHECK(lost > 0);
    CHECK(got + lost == kEvents);
    CHECK(in_order);
    CHECK(socket.subscribers() == kReaders + 1);
    for (int fd : readers) ::close(fd);
    ::close(stuck);
}
