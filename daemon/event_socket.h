// SPDX-License-Identifier: Apache-2.0
// The daemon's Unix socket: every connected subscriber receives every event as one line of
// JSON. A subscriber that does not read never blocks the scan or the others: each has a
// bounded queue, and what overflows it is dropped and reported to it as a `lost` event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"

namespace triad::daemon {

class EventSocket {
public:
    // Binds `path` (a stale socket file there is replaced), mode 0660, group `group` when
    // not empty; starts the thread that accepts and writes. Each subscriber queues at most
    // `queue_lines` lines; beyond that new lines are dropped and counted.
    static Result<std::unique_ptr<EventSocket>> open(const std::string& path, const std::string& group,
                                                     std::size_t queue_lines);
    ~EventSocket();  // closes every connection and removes the socket file

    // Queues one line (its newline added when missing) for every subscriber; never blocks on them.
    void broadcast(const std::string& line);
    std::size_t subscribers();
    // A subscriber inside the daemon (the HTTP event stream): one end of a socket pair is
    // added beside the socket's clients, with the same bounded queue and `lost` events; the
    // other end, returned, reads the lines. Closing it unsubscribes.
    Result<UniqueFd> attach();

private:
    struct Subscriber {
        UniqueFd fd;
        std::deque<std::string> queue;
        std::size_t offset = 0;  // bytes of queue.front() already written
        std::uint64_t lost = 0;  // dropped since the last `lost` event was queued
    };
    EventSocket(std::string path, UniqueFd listener, UniqueFd wake_read, UniqueFd wake_write, std::size_t queue_lines);
    static std::string lost_line(std::uint64_t count);
    void loop();
    void wake();
    void accept_pending();  // with mutex_ held

    std::string path_;
    std::size_t queue_lines_;
    UniqueFd listener_, wake_read_, wake_write_;
    std::mutex mutex_;
    std::list<Subscriber> subscribers_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace triad::daemon
