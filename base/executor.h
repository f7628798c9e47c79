// SPDX-License-Identifier: Apache-2.0
// Executor: the one bounded pool a scan's work runs on. `--jobs N` makes N threads in all
// (the caller and N-1 workers), whoever asks for parallel work — the walk, the ELF reader,
// collectors running side by side — and however deeply those requests nest: the thread that
// asks always works on its own request too, so a nested request never waits for a free
// worker and never deadlocks.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/cancel.h"

namespace triad {

class Executor {
public:
    // jobs: threads in all, the caller included; 0 means one per core.
    explicit Executor(int jobs);
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    int jobs() const { return static_cast<int>(workers_.size()) + 1; }

    // Runs `work` on the calling thread and on up to `helpers` workers at once (all workers
    // when negative), and returns when every call that started has returned. A worker that
    // becomes free only after the caller's own call returned does not start one. `work`
    // must return once there is nothing left to take. The first exception any call threw is
    // rethrown here, after all of them stopped.
    void run_everywhere(const std::function<void()>& work, int helpers = -1);

    // fn(i) for each i < count, each index taken by the next free thread, so slow items do
    // not hold up others. Once `cancel` is set no further index is started.
    template <class Fn>
    void parallel_for(std::size_t count, const CancelToken* cancel, Fn&& fn) {
        if (count == 0) return;
        std::atomic<std::size_t> next{0};
        run_everywhere(
            [&] {
                for (std::size_t i = next++; i < count; i = next++) {
                    if (cancel && cancel->cancelled()) return;
                    fn(i);
                }
            },
            static_cast<int>(std::min<std::size_t>(count - 1, workers_.size())));
    }

    // Runs queued work on the calling thread until `done()` is true, sleeping a little when
    // nothing is queued: for a caller that waits for something other threads bring about (a
    // collector waiting for the walk) and would otherwise hold a thread idle while that
    // something's own helpers sit in the queue. Safe only when what `done` waits for never
    // waits for the caller (it only runs helpers of other requests on this thread).
    void help_until(const std::function<bool()>& done);

    // An executor of one thread (the caller), for callers that have no scan around them.
    static Executor& serial();

private:
    void worker_loop();
    // Takes one piece of queued work and runs it here; false when the queue was empty.
    bool run_one_queued();

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
};

}  // namespace triad
