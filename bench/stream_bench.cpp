// SPDX-License-Identifier: Apache-2.0
// bench/stream.sh's fan-out measure: how many events per second triadd's event socket
// (daemon/event_socket.cpp, the code the daemon runs) delivers to one subscriber reading a
// real Unix socket. The events are real `finding` lines (reporters/events.h) of a failing
// check with evidence, the size the daemon sends.
//   triad_stream_bench SOCKET_PATH EVENTS
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "daemon/event_socket.h"
#include "reporters/events.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: triad_stream_bench SOCKET_PATH EVENTS\n");
        return 2;
    }
    const std::string path = argv[1];
    const std::size_t events = std::stoul(argv[2]);
    // A queue that holds every event: this measures throughput, not the overflow policy.
    auto socket = triad::daemon::EventSocket::open(path, "", events + 16);
    if (!socket) {
        std::fprintf(stderr, "%s\n", socket.error().describe().c_str());
        return 3;
    }
    triad::rules::CheckResult r;
    r.check.id = "DAC-SHADOW-MODE";
    r.check.title = "/etc/shadow is readable only by root and the shadow group";
    r.check.rationale = "Password hashes can be cracked offline once read.";
    r.check.remediation = "chown root:shadow /etc/shadow && chmod 0640 /etc/shadow";
    r.check.severity = triad::rules::Severity::high;
    r.check.impact = {triad::rules::Impact::high, triad::rules::Impact::none, triad::rules::Impact::none};
    r.check.tags = {"dac", "accounts", "cis-debian12:7.1.5"};
    r.check.policy = "triad-file-permissions";
    r.verdict = triad::rules::Verdict::fail;
    r.reason = "1 of 1 objects fail";
    r.expected = "mode at_most 0640";
    r.evidence.push_back({"/etc/shadow", {{"mode", "0644"}, {"owner", "root"}, {"group", "shadow"}}, {}});
    r.evidence_total = 1;
    const std::string line = triad::report::event_finding_json(r);

    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("connect");
        return 3;
    }
    std::size_t received = 0, lost_lines = 0;
    std::chrono::steady_clock::time_point done;
    std::thread reader([&] {
        static char buf[1 << 20];
        while (received + lost_lines < events) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) break;
            for (ssize_t k = 0; k < n; ++k)
                if (buf[k] == '\n') ++received;
        }
        done = std::chrono::steady_clock::now();
    });
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < events; ++k) (*socket)->broadcast(line);
    reader.join();
    const double seconds = std::chrono::duration<double>(done - start).count();
    std::printf("events %zu\nline_bytes %zu\nreceived %zu\nseconds %.3f\nevents_per_second %.0f\nMiB_per_second %.1f\n",
                events, line.size() + 1, received, seconds, received / seconds,
                received * (line.size() + 1) / seconds / (1024.0 * 1024.0));
    ::close(fd);
    return received == events ? 0 : 1;
}
