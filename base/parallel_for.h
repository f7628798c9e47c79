// SPDX-License-Identifier: Apache-2.0
// parallel_for: runs fn(i) for every i < count on `jobs` threads (0: one per core), each
// thread taking the next index as it finishes one, so slow items do not hold up others.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace triad {

template <class Fn>
void parallel_for(std::size_t count, int jobs, Fn&& fn) {
    std::size_t threads = jobs > 0 ? static_cast<std::size_t>(jobs) : std::max(1u, std::thread::hardware_concurrency());
    threads = std::min(threads, count);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < count; i = next++) fn(i);
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    if (count > 0) work();
    for (auto& t : pool) t.join();
}

}  // namespace triad
