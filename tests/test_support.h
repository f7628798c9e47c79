// SPDX-License-Identifier: Apache-2.0
// What tests share: temporary directories that clean up after themselves, file helpers for
// building fixture trees, and running the built `triad` (or any program) and capturing output.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace triad::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when destroyed.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
    std::string path_;
};

// Creates parent directories as needed; sets the mode exactly (no umask).
void write_file(const std::string& path, const std::string& content, mode_t mode = 0644);
void make_dirs(const std::string& path, mode_t mode = 0755);
std::string read_file(const std::string& path);

struct RunResult {
    int exit_code = -1;  // 128+N when killed by signal N
    std::string out;
    std::string err;
    double exit_after_signal_ms = -1;  // run_signalled: how long after the signal it exited; -1: not sent
};

// Runs argv[0] (searched in PATH) with the arguments; stdin is /dev/null.
// `timeout_s` kills the child if it runs longer (a hang is a test failure, not a stuck suite).
RunResult run(const std::vector<std::string>& argv, int timeout_s = 120);

// Like run, and sends `signal` to the child `signal_after_ms` after starting it (unless it
// ended before), timing how long it takes to exit from then on.
RunResult run_signalled(const std::vector<std::string>& argv, int signal_after_ms, int signal, int timeout_s = 120);

// Runs the `triad` binary built alongside the tests.
RunResult run_triad(const std::vector<std::string>& args, int timeout_s = 120);

// Runs a shell script line with bash -c; for fixture set-up steps that need system tools.
RunResult sh(const std::string& script, int timeout_s = 120);

std::string source_dir();  // the project's source tree
std::string triad_binary();

}  // namespace triad::test
