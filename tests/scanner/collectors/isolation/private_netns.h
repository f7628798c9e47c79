// SPDX-License-Identifier: Apache-2.0
// The calling thread in a new, empty network namespace for a guard's lifetime: rulesets
// loaded and sockets opened there never touch the host's, and vanish with the namespace.
// Children the thread starts (nft, ip, triad) run in it too.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

namespace triad::test {

inline ino_t netns_inode() {
    struct stat st {};
    REQUIRE(::stat("/proc/thread-self/ns/net", &st) == 0);
    return st.st_ino;
}

class PrivateNetns {
public:
    PrivateNetns() : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)), host_inode_(netns_inode()) {
        REQUIRE(original_ >= 0);
        REQUIRE_MESSAGE(::unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN");
        // Nothing is loaded unless the namespace really is a new one.
        REQUIRE(netns_inode() != host_inode_);
    }
    ~PrivateNetns() {
        ::setns(original_, CLONE_NEWNET);
        ::close(original_);
    }
    PrivateNetns(const PrivateNetns&) = delete;
    PrivateNetns& operator=(const PrivateNetns&) = delete;

private:
    int original_;
    ino_t host_inode_;
};

}  // namespace triad::test
