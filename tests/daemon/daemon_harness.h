// SPDX-License-Identifier: Apache-2.0
// For the streaming tests of triadd (issue 14, helper-14live): a triadd child process, a
// subscriber on its Unix socket that can send a filter, and a config for a fixture root.
#pragma once

#include <doctest/doctest.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <cstring>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_support.h"

namespace triad::test::daemon {

using Clock = std::chrono::steady_clock;

// A child process (triadd, or `triad watch`) with stdout and stderr to files; SIGKILLed if a
// test leaves it running.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (o >= 0) ::dup2(o, 1);
            if (e >= 0) ::dup2(e, 2);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    void signal(int sig) { ::kill(pid_, sig); }
    // SIGTERM, then the exit status once it ended within `limit` (-1: still running).
    int terminate_and_wait(std::chrono::milliseconds limit) {
        signal(SIGTERM);
        return wait_exit(limit);
    }
    // SIGKILL now, as a crash or an OOM kill would.
    void kill_now() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    // The exit status once it ended within `limit` (-1: still running).
    int wait_exit(std::chrono::milliseconds limit) {
        const auto end = Clock::now() + limit;
        while (Clock::now() < end) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return -1;
    }

private:
    pid_t pid_ = -1;
};

// Waits (up to 60 s) until `file` contains `text`; false on time-out.
inline bool wait_for_text(const std::string& file, const std::string& text) {
    const auto end = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < end) {
        if (::access(file.c_str(), R_OK) == 0 && read_file(file).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// The port from triadd's "http listening on 127.0.0.1:PORT" log line (0: not within 60 s).
inline int http_port(const std::string& log) {
    static const std::regex listening("http listening on 127\\.0\\.0\\.1:([0-9]+)");
    if (!wait_for_text(log, "http listening on")) return 0;
    std::smatch m;
    const std::string text = read_file(log);
    return std::regex_search(text, m, listening) ? std::stoi(m[1]) : 0;
}

// Connects to a Unix socket, retrying while the daemon has not bound it yet (up to 10 s).
inline int connect_socket(const std::string& path) {
    for (int attempt = 0; attempt < 500; ++attempt) {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

#ifdef TRIADD_BINARY
// triadd --config CONFIG (with --foreground unless told otherwise), its stderr in `log`.
inline std::unique_ptr<Child> start_triadd(const std::string& config, const std::string& log,
                                           bool foreground = true) {
    std::vector<std::string> argv{TRIADD_BINARY, "--config", config};
    if (foreground) argv.emplace_back("--foreground");
    return std::make_unique<Child>(argv, "/dev/null", log);
}
#endif

// A subscriber on the daemon's socket, reading whole JSON lines.
class Subscriber {
public:
    explicit Subscriber(const std::string& path) : fd_(connect_socket(path)) { REQUIRE(fd_ >= 0); }
    ~Subscriber() { ::close(fd_); }
    void send_line(const std::string& line) {
        REQUIRE(::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size()));
    }
    // The next line, or "" at end of stream or after 60 s of silence.
    std::string next_line() {
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 60'000) <= 0) return "";
            char buf[65536];
            ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0) return "";
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }
    Poco::JSON::Object::Ptr next() {
        std::string line = next_line();
        if (line.empty()) return nullptr;
        return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    }
    // Every event up to and including the next scan_finished.
    std::vector<Poco::JSON::Object::Ptr> scan() {
        std::vector<Poco::JSON::Object::Ptr> events;
        for (;;) {
            auto e = next();
            REQUIRE(e);
            events.push_back(e);
            if (e->getValue<std::string>("event") == "scan_finished") return events;
        }
    }
    // Sends a filter line and waits for the daemon's `subscribed` acknowledgement.
    Poco::JSON::Object::Ptr subscribe(const std::string& filter_line) {
        send_line(filter_line);
        for (;;) {
            auto e = next();
            if (!e) return nullptr;
            if (e->getValue<std::string>("event") == "subscribed" ||
                e->getValue<std::string>("event") == "filter_rejected")
                return e;
        }
    }

private:
    int fd_ = -1;
    std::string buffer_;
};

// A config for a fixture root; `extra` is appended (e.g. "http: { listen: ... }\n").
inline std::string config_text(const TempDir& dir, const std::string& root, const std::string& policy,
                               const std::string& socket_extra = "", const std::string& extra = "") {
    return "policies: [" + policy + "]\nroot: " + root + "\nschedule: \"0 3 * * *\"\nstore: sqlite://" +
           (dir / "triad.db") + "\nhost_id: fixture-host\nsocket: { path: " + (dir / "triad.sock") + socket_extra +
           " }\nretention: { scans: 50, days: 30 }\n" + extra;
}

}  // namespace triad::test::daemon
