// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "base/file_read.h"
#include "base/unique_fd.h"

using namespace triad;

TEST_CASE("a /proc file of a process that exits before it is read is not_found, not an error") {
    // Collectors iterate over processes that may exit between the listing and the read: the
    // kernel then answers ESRCH, and every proc reader treats not_found as "exited meanwhile".
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    const std::string maps = "/proc/" + std::to_string(child) + "/maps";
    UniqueFd fd{::open(maps.c_str(), O_RDONLY | O_CLOEXEC)};
    REQUIRE(fd.get() >= 0);
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const auto text = read_all(fd.get(), 1 << 20, maps);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::not_found);
    CHECK(text.error().describe().find(maps) != std::string::npos);
}
