// SPDX-License-Identifier: Apache-2.0
#include "base/executor.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <system_error>

namespace triad {
namespace {

// What the caller of run_everywhere and its helpers share. Helpers hold it by shared_ptr:
// one still queued when the caller returns finds it closed and never touches `work`.
struct Group {
    std::mutex mutex;
    std::condition_variable idle;
    int running = 0;
    bool closed = false;
    std::exception_ptr failure;
};

}  // namespace

Executor::Executor(int jobs) {
    const int threads = jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    workers_.reserve(static_cast<std::size_t>(threads - 1));
    for (int i = 1; i < threads; ++i) {
        // A thread the system refuses (EAGAIN under a tight RLIMIT_NPROC) leaves a smaller
        // pool, not a half-built one: the caller always works, so every request completes.
        try {
            workers_.emplace_back([this] { worker_loop(); });
        } catch (const std::system_error&) {
            break;
        }
    }
}

Executor::~Executor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
}

Executor& Executor::serial() {
    static Executor one(1);
    return one;
}

void Executor::worker_loop() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, nothing left
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();
    }
}

bool Executor::run_one_queued() {
    std::function<void()> task;
    {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) return false;
        task = std::move(queue_.front());
        queue_.pop_front();
    }
    task();
    return true;
}

void Executor::help_until(const std::function<bool()>& done) {
    while (!done())
        if (!run_one_queued()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

void Executor::run_everywhere(const std::function<void()>& work, int helpers) {
    const int wanted = helpers < 0 ? static_cast<int>(workers_.size())
                                   : std::min(helpers, static_cast<int>(workers_.size()));
    auto group = std::make_shared<Group>();
    auto run_guarded = [&work](Group& g) {
        try {
            work();
        } catch (...) {
            std::lock_guard lock(g.mutex);
            if (!g.failure) g.failure = std::current_exception();
        }
    };
    if (wanted > 0) {
        {
            std::lock_guard lock(mutex_);
            for (int i = 0; i < wanted; ++i) {
                queue_.emplace_back([group, run_guarded] {
                    {
                        std::lock_guard lock(group->mutex);
                        if (group->closed) return;
                        ++group->running;
                    }
                    run_guarded(*group);
                    std::lock_guard lock(group->mutex);
                    if (--group->running == 0) group->idle.notify_all();
                });
            }
        }
        wake_.notify_all();
    }
    run_guarded(*group);
    {
        std::lock_guard lock(group->mutex);
        group->closed = true;  // helpers not started yet will not start
    }
    // While its helpers finish, the caller runs queued work instead of idling: its helpers may
    // be busy with a nested request (the ELF reader inside a collector, the walk) whose own
    // helpers sit in the queue with no free worker to take them. A scan of two threads would
    // otherwise spend its end on one of them. Queued work never waits for its caller, so this
    // cannot deadlock; it only runs a helper of another request on this thread.
    for (;;) {
        {
            std::lock_guard lock(group->mutex);
            if (group->running == 0) break;
        }
        if (run_one_queued()) continue;
        std::unique_lock lock(group->mutex);
        // Nothing queued: wait for the helpers, or for a while, since new work may be queued.
        group->idle.wait_for(lock, std::chrono::milliseconds(2), [&] { return group->running == 0; });
    }
    if (group->failure) std::rethrow_exception(group->failure);
}

}  // namespace triad
