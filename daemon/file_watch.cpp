// SPDX-License-Identifier: Apache-2.0
#include "daemon/file_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "scanner/core/collector.h"

namespace triad::daemon {
namespace {

// What a watched directory reports about its entries that can change a `file` check.
constexpr std::uint32_t kEvents = IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                  IN_MOVED_TO | IN_ONLYDIR;
constexpr int kSettleMs = 50;  // a chmod + chown pair, or an editor's write + rename, is one change

std::pair<std::string, std::string> split(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return {"", path};
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

Result<std::unique_ptr<FileWatch>> FileWatch::start(const std::string& root, const std::vector<rules::Policy>& policies,
                                                    Changed changed) {
    // Policy directory -> what is read in it.
    std::map<std::string, Dir> wanted;
    for (const rules::Policy& policy : policies)
        for (const rules::Check& check : policy.checks) {
            if (!check.select.collector || std::strcmp(check.select.collector->name, "file") != 0) continue;
            for (const std::string& path : check.select.args.list("path")) {
                if (path.empty() || path.front() != '/') continue;
                auto [dir, name] = split(path);
                if (has_glob_chars(dir) || name.empty()) continue;  // a glob above the last component
                Dir& d = wanted[dir];
                d.policy_path = dir;
                if (!has_glob_chars(name)) {
                    d.by_name[name].insert(check.info.id);
                    continue;
                }
                auto glob = Glob::compile(path);
                if (!glob) continue;
                auto same = std::find_if(d.by_glob.begin(), d.by_glob.end(),
                                         [&](const auto& g) { return g.first.text() == path; });
                if (same == d.by_glob.end()) d.by_glob.emplace_back(std::move(*glob), std::set{check.info.id});
                else same->second.insert(check.info.id);
            }
        }
    UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd.valid()) return error_from_errno(errno, "inotify");
    const std::string base = root == "/" ? "" : (root.ends_with('/') ? root.substr(0, root.size() - 1) : root);
    std::map<int, Dir> dirs;
    for (auto& [dir, d] : wanted) {
        const std::string where = base + (dir == "/" && !base.empty() ? "" : dir);
        // IN_DONT_FOLLOW: a symlink at the directory itself is not followed out of the root.
        int wd = ::inotify_add_watch(fd.get(), where.empty() ? "/" : where.c_str(), kEvents | IN_DONT_FOLLOW);
        if (wd < 0) continue;  // missing now: the next full scan still reads it
        Dir& slot = dirs[wd];  // two policy dirs may be one directory
        slot.policy_path = d.policy_path;
        for (auto& [name, ids] : d.by_name) slot.by_name[name].insert(ids.begin(), ids.end());
        for (auto& g : d.by_glob) slot.by_glob.push_back(std::move(g));
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) return error_from_errno(errno, "pipe");
    return std::unique_ptr<FileWatch>(
        new FileWatch(std::move(fd), UniqueFd(pipe_fds[0]), UniqueFd(pipe_fds[1]), std::move(dirs), std::move(changed)));
}

FileWatch::FileWatch(UniqueFd inotify, UniqueFd wake_read, UniqueFd wake_write, std::map<int, Dir> dirs,
                     Changed changed)
    : inotify_(std::move(inotify)),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)),
      dirs_(std::move(dirs)),
      changed_(std::move(changed)) {
    thread_ = std::thread([this] { loop(); });
}

FileWatch::~FileWatch() {
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_write_.get(), &byte, 1);
    thread_.join();
}

void FileWatch::collect(const Dir& dir, const std::string& name, std::set<std::string>& ids) const {
    if (auto it = dir.by_name.find(name); it != dir.by_name.end()) ids.insert(it->second.begin(), it->second.end());
    const std::string path = (dir.policy_path == "/" ? "" : dir.policy_path) + "/" + name;
    for (const auto& [glob, checks] : dir.by_glob)
        if (glob.matches(path)) ids.insert(checks.begin(), checks.end());
}

void FileWatch::loop() {
    std::set<std::string> ids;
    alignas(inotify_event) char buf[16384];
    for (;;) {
        pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
        // While changes are gathered, wait only for the settle time, then hand them over.
        int ready = ::poll(fds, 2, ids.empty() ? -1 : kSettleMs);
        if (ready < 0 && errno != EINTR) return;
        if (fds[1].revents & POLLIN) return;
        if (ready == 0) {
            changed_(std::move(ids));
            ids.clear();
            continue;
        }
        if (!(fds[0].revents & POLLIN)) continue;
        for (ssize_t n; (n = ::read(inotify_.get(), buf, sizeof buf)) > 0;) {
            for (char* p = buf; p < buf + n;) {
                auto* event = reinterpret_cast<inotify_event*>(p);
                p += sizeof(inotify_event) + event->len;
                if (event->mask & IN_Q_OVERFLOW) {  // changes were dropped: every watched check is due
                    for (const auto& [wd, d] : dirs_) {
                        for (const auto& [name, checks] : d.by_name) ids.insert(checks.begin(), checks.end());
                        for (const auto& [glob, checks] : d.by_glob) ids.insert(checks.begin(), checks.end());
                    }
                    continue;
                }
                auto dir = dirs_.find(event->wd);
                if (dir == dirs_.end() || event->len == 0) continue;  // the directory itself, or overflow
                collect(dir->second, event->name, ids);
            }
        }
    }
}

}  // namespace triad::daemon
