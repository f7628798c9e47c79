// SPDX-License-Identifier: Apache-2.0
#include "daemon/event_socket.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include <Poco/JSON/Stringifier.h>

#include "daemon/service.h"

namespace triad::daemon {

Result<std::unique_ptr<EventSocket>> EventSocket::open(const std::string& path, const std::string& group,
                                                       std::size_t queue_lines) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return Error{ErrorCode::usage, "socket path too long", path};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    gid_t gid = static_cast<gid_t>(-1);
    std::string group_name = group;
    if (!group.empty()) {
        std::vector<char> buf(16384);
        struct group gr{}, *found = nullptr;
        if (getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
            return Error{ErrorCode::not_found, "no group '" + group + "' for the socket", path};
        gid = found->gr_gid;
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) return error_from_errno(errno, path);
    // Only a socket may be replaced: a left-over socket file from a killed daemon.
    struct stat st{};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return Error{ErrorCode::usage, "exists and is not a socket", path};
        ::unlink(path.c_str());
    }
    // Created with no access for others, then opened to the group: never briefly wider.
    mode_t old = ::umask(0177);
    int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old);
    if (bound != 0) return error_from_errno(bind_errno, path);
    if (gid != static_cast<gid_t>(-1) && ::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0)
        return error_from_errno(errno, path);
    if (::chmod(path.c_str(), 0660) != 0 || ::listen(fd.get(), 64) != 0) return error_from_errno(errno, path);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) return error_from_errno(errno, "pipe");
    // Without a configured group the socket file keeps the daemon's own group: that group's
    // members are the ones its mode lets in, and the ones the peer check admits.
    if (gid == static_cast<gid_t>(-1)) {
        gid = ::getegid();
        std::vector<char> buf(16384);
        struct group gr{}, *found = nullptr;
        group_name = getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found ? found->gr_name
                                                                                       : std::to_string(gid);
    }
    return std::unique_ptr<EventSocket>(new EventSocket(path, std::move(fd), UniqueFd(pipe_fds[0]),
                                                        UniqueFd(pipe_fds[1]), queue_lines, gid, group_name));
}

EventSocket::EventSocket(std::string path, UniqueFd listener, UniqueFd wake_read, UniqueFd wake_write,
                         std::size_t queue_lines, gid_t allowed_gid, std::string group_name)
    : path_(std::move(path)),
      queue_lines_(queue_lines < 1 ? 1 : queue_lines),
      allowed_gid_(allowed_gid),
      group_name_(std::move(group_name)),
      listener_(std::move(listener)),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)) {
    thread_ = std::thread([this] { loop(); });
}

EventSocket::~EventSocket() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
    thread_.join();
    ::unlink(path_.c_str());
}

void EventSocket::wake() {
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_write_.get(), &byte, 1);  // full pipe: already awake
}

std::size_t EventSocket::subscribers() {
    std::lock_guard lock(mutex_);
    return subscribers_.size();
}

Result<UniqueFd> EventSocket::attach(EventFilter filter) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return error_from_errno(errno, "socketpair");
    ::fcntl(pair[0], F_SETFL, ::fcntl(pair[0], F_GETFL) | O_NONBLOCK);  // the poll thread's end
    {
        std::lock_guard lock(mutex_);
        Subscriber& s = subscribers_.emplace_back();
        s.fd = UniqueFd(pair[0]);
        s.filter = std::move(filter);
        s.awaiting_filter = false;  // its filter is given here; it never sends
    }
    wake();
    return UniqueFd(pair[1]);
}

std::string EventSocket::lost_line(std::uint64_t count) {
    return "{\"event\":\"lost\",\"count\":" + std::to_string(count) + "}\n";
}

std::optional<std::string> EventSocket::refusal(int fd) {
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0)
        return std::string("its credentials cannot be read: ") + std::strerror(errno);
    if (peer.uid == 0 || peer.uid == ::geteuid() || peer.gid == allowed_gid_) return std::nullopt;
    // Membership is what the group database says of the peer's user (primary and
    // supplementary groups), as for a login: not whatever groups the process holds.
    const std::string who = "uid " + std::to_string(peer.uid) + " pid " + std::to_string(peer.pid);
    std::vector<char> buf(16384);
    passwd pw{}, *found = nullptr;
    if (getpwuid_r(peer.uid, &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return who + " has no user entry, so it is in no group; the socket admits root and group " + group_name_;
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));
        if (::getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) count = 0;
    }
    for (int k = 0; k < count; ++k)
        if (groups[static_cast<std::size_t>(k)] == allowed_gid_) return std::nullopt;
    return who + " (" + found->pw_name + ") is not root and not a member of group " + group_name_;
}

bool EventSocket::accept_pending() {
    bool admitted = false;
    for (;;) {
        int c = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) return admitted;
        UniqueFd fd(c);
        if (auto reason = refusal(fd.get())) {
            log("refused a subscriber: " + *reason);
            const std::string line = "{\"event\":\"refused\",\"reason\":\"not root and not in the socket's group\"}\n";
            [[maybe_unused]] auto n = ::send(fd.get(), line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            continue;  // closed here; the peer reads the line, then end of file
        }
        subscribers_.emplace_back().fd = std::move(fd);
        admitted = true;
    }
}

// With mutex_ held.
void EventSocket::queue_line(Subscriber& s, std::string line) {
    // A `lost` line takes one place too: it goes out before the next line kept.
    if (s.queue.size() + (s.lost > 0 ? 1 : 0) >= queue_lines_) {
        ++s.lost;
        return;
    }
    if (s.lost > 0) {
        s.queue.push_back(lost_line(s.lost));
        s.lost = 0;
    }
    s.queue.push_back(std::move(line));
}

// With mutex_ held. Only the first line means anything (a filter); the rest is discarded.
void EventSocket::take_input(Subscriber& s, const char* data, std::size_t size) {
    if (!s.awaiting_filter) return;
    s.inbox.append(data, size);
    auto nl = s.inbox.find('\n');
    if (nl == std::string::npos && s.inbox.size() < 4096) return;
    s.awaiting_filter = false;
    std::string error;
    auto filter = nl == std::string::npos ? std::nullopt : parse_filter_line(s.inbox.substr(0, nl), error);
    if (nl == std::string::npos) error = "the first line is longer than 4096 bytes";
    s.inbox.clear();
    s.inbox.shrink_to_fit();
    if (!filter) {
        std::ostringstream text;
        // The reason goes out after what is queued, then the connection closes.
        text << "{\"event\":\"filter_rejected\",\"error\":";
        Poco::JSON::Stringifier::formatString(error, text);
        text << "}\n";
        s.queue.push_back(text.str());
        s.close_when_flushed = true;
        return;
    }
    s.filter = std::move(*filter);
    // The acknowledgement: every line after it has passed the filter.
    s.queue.push_back("{\"event\":\"subscribed\",\"filter\":" + s.filter.json() + "}\n");
}

void EventSocket::broadcast(const std::string& line, const EventFacts* facts) {
    bool wake_needed;
    {
        std::lock_guard lock(mutex_);
        // A client whose connect() returned before this event gets it, even if the poll
        // thread has not yet come round to accepting it.
        wake_needed = accept_pending();  // the poll thread must add it to its set
        for (Subscriber& s : subscribers_)
            if (!s.close_when_flushed && s.filter.matches(facts)) {
                // The poll thread watches for room only where lines wait: a queue that was
                // empty needs it woken; one that was not is already watched.
                wake_needed = wake_needed || s.queue.empty();
                queue_line(s, line.ends_with('\n') ? line : line + "\n");
            }
    }
    // One pipe write per burst rather than per event: the fan-out's cost at 100,000 events/s.
    if (wake_needed) wake();
}

// One thread: accepts subscribers, writes what is queued to those that can take it, and
// drops those that hang up. What a subscriber sends is read for its filter line.
void EventSocket::loop() {
    std::vector<pollfd> fds;
    std::vector<Subscriber*> order;
    for (;;) {
        fds.clear();
        order.clear();
        fds.push_back({listener_.get(), POLLIN, 0});
        fds.push_back({wake_read_.get(), POLLIN, 0});
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                subscribers_.clear();
                return;
            }
            for (Subscriber& s : subscribers_) {
                fds.push_back({s.fd.get(), static_cast<short>(POLLIN | (s.queue.empty() ? 0 : POLLOUT)), 0});
                order.push_back(&s);
            }
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents & POLLIN) {
            char drain[256];
            while (::read(wake_read_.get(), drain, sizeof drain) > 0) {
            }
        }
        std::lock_guard lock(mutex_);
        for (std::size_t k = 0; k < order.size(); ++k) {
            Subscriber& s = *order[k];
            short ev = fds[k + 2].revents;
            bool gone = ev & (POLLHUP | POLLERR | POLLNVAL);
            if (!gone && (ev & POLLIN)) {
                char input[512];
                ssize_t n = ::recv(s.fd.get(), input, sizeof input, MSG_DONTWAIT);
                if (n == 0) gone = true;
                else if (n > 0) take_input(s, input, static_cast<std::size_t>(n));
            }
            // Up to 64 queued lines per system call.
            while (!gone && !s.queue.empty()) {
                iovec iov[64];
                std::size_t lines = 0, bytes = 0;
                for (auto it = s.queue.begin(); it != s.queue.end() && lines < 64; ++it, ++lines) {
                    const std::size_t skip = lines == 0 ? s.offset : 0;
                    iov[lines] = {const_cast<char*>(it->data() + skip), it->size() - skip};
                    bytes += it->size() - skip;
                }
                msghdr msg{};
                msg.msg_iov = iov;
                msg.msg_iovlen = lines;
                ssize_t n = ::sendmsg(s.fd.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) gone = true;
                    break;
                }
                for (std::size_t left = static_cast<std::size_t>(n); left > 0;) {
                    const std::size_t rest = s.queue.front().size() - s.offset;
                    if (left < rest) {
                        s.offset += left;
                        break;
                    }
                    left -= rest;
                    s.queue.pop_front();
                    s.offset = 0;
                }
                if (static_cast<std::size_t>(n) < bytes) break;  // its socket buffer is full
            }
            // A subscriber that caught up learns what it missed without waiting for the next event.
            if (!gone && s.lost > 0 && s.queue.size() < queue_lines_) {
                s.queue.push_back(lost_line(s.lost));
                s.lost = 0;
            }
            if (s.close_when_flushed && s.queue.empty()) gone = true;
            if (gone) s.fd.reset();
        }
        subscribers_.remove_if([](const Subscriber& s) { return !s.fd.valid(); });
        if (fds[0].revents & POLLIN) accept_pending();
    }
}

}  // namespace triad::daemon
