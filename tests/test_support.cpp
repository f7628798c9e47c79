// SPDX-License-Identifier: Apache-2.0
#include "tests/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace triad::test {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/triad-test-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    // Fixtures may carry immutable flags or mode-000 directories: make them removable first.
    std::string cmd = "chattr -R -i -a '" + path_ + "' >/dev/null 2>&1; chmod -R u+rwx '" + path_ + "' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) { /* best effort */ }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void make_dirs(const std::string& path, mode_t mode) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    ::chmod(path.c_str(), mode);
}

void write_file(const std::string& path, const std::string& content, mode_t mode) {
    std::filesystem::path p(path);
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error("cannot write " + path);
        f << content;
    }
    ::chmod(path.c_str(), mode);
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

RunResult run(const std::vector<std::string>& argv, int timeout_s) { return run_signalled(argv, -1, 0, timeout_s); }

RunResult run_signalled(const std::vector<std::string>& argv, int signal_after_ms, int signal, int timeout_s) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    RunResult result;
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        result.err = "cannot run " + argv[0];
        return result;
    }
    const auto started = std::chrono::steady_clock::now();
    auto deadline = started + std::chrono::seconds(timeout_s);
    std::optional<std::chrono::steady_clock::time_point> signal_at;
    if (signal_after_ms >= 0) signal_at = started + std::chrono::milliseconds(signal_after_ms);
    std::optional<std::chrono::steady_clock::time_point> signalled;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    bool killed = false;
    auto ms_until = [](std::chrono::steady_clock::time_point t) {
        return static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(t - std::chrono::steady_clock::now()).count());
    };
    while (open_fds > 0) {
        int left = ms_until(deadline);
        if (left <= 0) {
            ::kill(pid, SIGKILL);
            killed = true;
            break;
        }
        if (signal_at && !signalled) {
            if (ms_until(*signal_at) <= 0) {
                ::kill(pid, signal);
                signalled = std::chrono::steady_clock::now();
            } else {
                left = std::min(left, std::max(1, ms_until(*signal_at)));
            }
        }
        if (::poll(fds, 2, left) < 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (signalled)
        result.exit_after_signal_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - *signalled).count();
    if (killed) result.err += "\n[killed after " + std::to_string(timeout_s) + " s]";
    return result;
}

std::string source_dir() { return TRIAD_SOURCE_DIR; }
std::string triad_binary() { return TRIAD_BINARY; }

RunResult run_triad(const std::vector<std::string>& args, int timeout_s) {
    std::vector<std::string> argv{triad_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, timeout_s);
}

RunResult sh(const std::string& script, int timeout_s) { return run({"bash", "-c", script}, timeout_s); }

}  // namespace triad::test
