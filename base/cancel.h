// SPDX-License-Identifier: Apache-2.0
// CancelToken: how a scan is asked to stop. Set once (from a signal handler, the daemon's
// shutdown, a test), read by every loop that may run long: the walk per directory, the ELF
// reader per file, each collector per object. Setting it is async-signal-safe.
#pragma once

#include <atomic>

namespace triad {

class CancelToken {
public:
    void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
    bool cancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> flag_{false};
    static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler sets it");
};

}  // namespace triad
