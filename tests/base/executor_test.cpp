// SPDX-License-Identifier: Apache-2.0
// The executor bounds a scan's threads whoever asks for work, never deadlocks on nested
// requests, hands exceptions to the caller, and survives a system that refuses threads.
#include "base/executor.h"

#include <doctest/doctest.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

using triad::CancelToken;
using triad::Executor;

namespace {

// Counts how many calls run at once, and the most there ever were.
struct Concurrency {
    std::atomic<int> now{0}, most{0};
    void enter() {
        int n = ++now;
        for (int m = most.load(); n > m && !most.compare_exchange_weak(m, n);) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    void leave() { --now; }
};

}  // namespace

TEST_CASE("parallel_for runs each index once on at most `jobs` threads, nested requests included") {
    for (int jobs : {1, 2, 3}) {
        CAPTURE(jobs);
        Executor executor(jobs);
        CHECK(executor.jobs() == jobs);
        Concurrency c;
        std::atomic<int> done{0};
        std::vector<std::atomic<int>> hits(40);
        executor.parallel_for(4, nullptr, [&](std::size_t outer) {
            // Nested: every outer item asks the same pool for more work.
            executor.parallel_for(10, nullptr, [&](std::size_t inner) {
                c.enter();
                ++hits[outer * 10 + inner];
                ++done;
                c.leave();
            });
        });
        CHECK(done == 40);
        for (auto& h : hits) CHECK(h == 1);
        CHECK(c.most <= jobs);
        if (jobs > 1) CHECK(c.most > 1);
    }
}

TEST_CASE("a caller whose own share is done runs the queued work of a helper's nested request") {
    // Two threads: the caller's share returns at once; the worker's share asks for nested
    // work whose first item waits for a second thread to take another. The only thread free
    // to take it is the caller, waiting for its helper: a scan of two threads whose walk
    // thread idles while the other reads binaries one by one.
    Executor executor(2);
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> started{false}, joined{false};
    std::atomic<int> done{0};
    auto wait_for = [](const std::atomic<bool>& flag) {  // bounded: a failure fails a check, never hangs
        for (int waited = 0; !flag && waited < 10000; ++waited) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    executor.run_everywhere(
        [&] {
            if (std::this_thread::get_id() == caller) return wait_for(started);  // the worker's share has begun
            started = true;
            const auto worker = std::this_thread::get_id();
            executor.parallel_for(8, nullptr, [&](std::size_t i) {
                if (std::this_thread::get_id() != worker) joined = true;
                if (i == 0) wait_for(joined);
                ++done;
            });
        },
        1);
    CHECK(joined);
    CHECK(done == 8);
}

TEST_CASE("an exception thrown on any thread reaches the caller after every thread stopped") {
    Executor executor(3);
    std::atomic<int> running{0};
    bool caught = false;
    try {
        executor.parallel_for(50, nullptr, [&](std::size_t i) {
            ++running;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            --running;
            if (i == 7) throw std::runtime_error("item 7 failed");
        });
    } catch (const std::runtime_error& e) {
        caught = std::string(e.what()) == "item 7 failed";
    }
    CHECK(caught);
    CHECK(running == 0);
    std::atomic<int> after{0};
    executor.parallel_for(10, nullptr, [&](std::size_t) { ++after; });
    CHECK(after == 10);
}

TEST_CASE("a cancelled parallel_for starts no further index") {
    Executor executor(2);
    CancelToken cancel;
    std::atomic<int> started{0};
    executor.parallel_for(1000, &cancel, [&](std::size_t i) {
        ++started;
        if (i == 3) cancel.cancel();
    });
    CHECK(started < 1000);
    CHECK(started >= 4);
}

TEST_CASE("a system that refuses threads leaves a smaller pool, never std::terminate") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to switch to an unprivileged user whose process limit applies");
        return;
    }
    const passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody);
    // In a child: as nobody with RLIMIT_NPROC 0, every new thread fails with EAGAIN (root
    // is exempt from the limit, hence the user switch).
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0) ::_exit(10);
        rlimit none{0, 0};
        if (::setrlimit(RLIMIT_NPROC, &none) != 0) ::_exit(11);
        try {
            Executor executor(8);
            std::atomic<int> done{0};
            executor.parallel_for(100, nullptr, [&](std::size_t) { ++done; });
            ::_exit(done == 100 && executor.jobs() == 1 ? 0 : 12);
        } catch (...) {
            ::_exit(13);
        }
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));  // a std::terminate would be SIGABRT
    CHECK(WEXITSTATUS(status) == 0);
}
