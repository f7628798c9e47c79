// SPDX-License-Identifier: Apache-2.0
// The daemon's Unix socket: every connected subscriber receives every event as one line of
// JSON. A subscriber that does not read never blocks the scan or the others: each has a
// bounded queue, and what overflows it is dropped and reported to it as a `lost` event.
// A subscriber may send a filter as its first line (event_socket_filter.h); a peer that is
// neither root, the daemon's own user, nor a member of the socket's group (SO_PEERCRED,
// checked against the group database) is refused with a `refused` line and a logged reason.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"
#include "daemon/event_socket_filter.h"

namespace triad::daemon {

class EventSocket {
public:
    // Binds `path` (a stale socket file there is replaced), mode 0660, group `group` when
    // not empty; starts the thread that accepts and writes. Each subscriber queues at most
    // `queue_lines` lines; beyond that new lines are dropped and counted.
    static Result<std::unique_ptr<EventSocket>> open(const std::string& path, const std::string& group,
                                                     std::size_t queue_lines);
    ~EventSocket();  // closes every connection and removes the socket file

    // Queues one line (its newline added when missing) for every subscriber whose filter
    // matches `facts` (null: an event every subscriber receives); never blocks on them.
    void broadcast(const std::string& line, const EventFacts* facts = nullptr);
    std::size_t subscribers();
    // A subscriber inside the daemon (the HTTP event stream): one end of a socket pair is
    // added beside the socket's clients, with the same bounded queue and `lost` events; the
    // other end, returned, reads the lines. Closing it unsubscribes. `filter` applies from
    // the first event (the HTTP stream takes it from its query).
    Result<UniqueFd> attach(EventFilter filter = {});

private:
    struct Subscriber {
        UniqueFd fd;
        std::deque<std::string> queue;
        std::size_t offset = 0;  // bytes of queue.front() already written
        std::uint64_t lost = 0;  // dropped since the last `lost` event was queued
        EventFilter filter;
        bool awaiting_filter = true;  // its first line may still be a filter
        bool close_when_flushed = false;  // a rejected filter: the reason goes out, then the connection
        std::string inbox;  // bytes of the first line received so far
    };
    EventSocket(std::string path, UniqueFd listener, UniqueFd wake_read, UniqueFd wake_write, std::size_t queue_lines,
                gid_t allowed_gid, std::string group_name);
    void queue_line(Subscriber& s, std::string line);
    void take_input(Subscriber& s, const char* data, std::size_t size);
    // Root, the daemon's own user, or a member of the socket's group; else the reason.
    std::optional<std::string> refusal(int fd);
    static std::string lost_line(std::uint64_t count);
    void loop();
    void wake();
    bool accept_pending();  // with mutex_ held; true when it admitted anyone

    std::string path_;
    std::size_t queue_lines_;
    gid_t allowed_gid_;
    std::string group_name_;
    UniqueFd listener_, wake_read_, wake_write_;
    std::mutex mutex_;
    std::list<Subscriber> subscribers_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace triad::daemon
