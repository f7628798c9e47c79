// SPDX-License-Identifier: Apache-2.0
// Runs test code in a forked child where chosen syscalls fail with a chosen errno, as they do
// under a container runtime's or systemd's seccomp filter, or when an LSM refuses them.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>

namespace triad::test {

// getxattrat(2), Linux 6.13; Debian 12's glibc has no SYS_ name for it yet.
constexpr long kSysGetxattrat = 464;

// Runs `body` in a child whose calls of `syscalls` fail with `err` instead of running.
// Returns what body returned (empty: everything was as expected), or how the child failed.
// doctest's assertions do not work in the child: body reports through its return value.
std::string in_child_refusing(std::initializer_list<long> syscalls, int err, const std::function<std::string()>& body);

}  // namespace triad::test
