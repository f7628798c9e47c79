// SPDX-License-Identifier: Apache-2.0
// A second SIGINT/SIGTERM ends `triad scan` at once (issue 15); one signal stops it cleanly
// with exit 3 (tests/e2e/cancel_test.cpp covers every phase of that). Two signals are made to
// arrive together, deterministically: the scan is stopped (SIGSTOP), both are sent, and it
// is continued, so that both handlers run before the scan can notice the first.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

struct Ended {
    bool signalled = false;
    int signal = 0;
    int exit_code = -1;
};

// Starts `triad scan` streaming events, waits for its first event (so its signal handlers
// are in place), then delivers `signals` while it is stopped, and waits for its end.
Ended scan_and_signal(const std::vector<std::string>& args, const std::vector<int>& signals) {
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    std::vector<std::string> argv{triad::test::triad_binary(), "scan", "--format", "events"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDERR_FILENO);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    // The first line of the stream is written after the handlers are installed.
    char c = 0;
    pollfd p{out[0], POLLIN, 0};
    REQUIRE(::poll(&p, 1, 60000) == 1);
    REQUIRE(::read(out[0], &c, 1) == 1);
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, WUNTRACED) == pid);
    REQUIRE(WIFSTOPPED(status));
    for (int s : signals) REQUIRE(::kill(pid, s) == 0);
    REQUIRE(::kill(pid, SIGCONT) == 0);
    // Drain the stream so that a full pipe never holds the scan up, then collect it.
    char buf[65536];
    while (::read(out[0], buf, sizeof buf) > 0) {
    }
    ::close(out[0]);
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    Ended e;
    e.signalled = WIFSIGNALED(status);
    if (e.signalled) e.signal = WTERMSIG(status);
    if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
    return e;
}

}  // namespace

TEST_CASE("a second SIGINT/SIGTERM ends the scan at once; one signal stops it with exit 3") {
    TempDir t;
    // Binaries under /usr on one thread: seconds of work, so the scan is still running when
    // its first event has been read.
    write_file(t / "elf.yml", R"(policy: { id: signal-elf, title: reading binaries, version: "1" }
checks:
  - id: SIGNAL-ELF
    title: every binary under /usr is PIE
    severity: low
    impact: { c: none, i: low, a: none }
    select: { collector: elf, paths: [/usr] }
    expect: { field: pie, eq: true }
)");
    const std::vector<std::string> args{"--policy", t / "elf.yml", "--jobs", "1"};

    Ended one = scan_and_signal(args, {SIGINT});
    CHECK_FALSE(one.signalled);
    CHECK(one.exit_code == 3);

    Ended two = scan_and_signal(args, {SIGINT, SIGTERM});
    CHECK(two.signalled);
    CHECK((two.signal == SIGINT || two.signal == SIGTERM));
}
