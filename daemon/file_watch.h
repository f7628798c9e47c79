// SPDX-License-Identifier: Apache-2.0
// Drift without a full scan (issue 14): the paths that `file` checks read are watched with
// inotify, and a change to one hands the ids of exactly the checks that read it to a
// callback, which re-evaluates them (Service). The watch only says *when* to look again:
// the verdict still comes from the ordinary scan of those checks through Sysroot.
//
// What is watched is each path's directory (inotify reports the mode, owner, content,
// creation, removal and renaming of the entries in a watched directory), so a file that is
// replaced by a rename is still followed. A path whose directory part has a glob, or whose
// directory does not exist when the watch starts, is not watched (the next scan covers it).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/pattern.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "rules/model/policy.h"

namespace triad::daemon {

class FileWatch {
public:
    using Changed = std::function<void(std::set<std::string> check_ids)>;

    // Watches the directories of the `file` checks' paths under `root`. Changes arriving
    // within 50 ms of each other are handed over together, on the watch's own thread.
    static Result<std::unique_ptr<FileWatch>> start(const std::string& root, const std::vector<rules::Policy>& policies,
                                                    Changed changed);
    ~FileWatch();  // stops the thread

    std::size_t directories() const { return dirs_.size(); }

private:
    // One watched directory: entry name -> the checks that read it, and the globs over its
    // entries (as the policy wrote them, matched against DIR/NAME) with their checks.
    struct Dir {
        std::string policy_path;  // as the policies name it, "/etc/ssh"
        std::map<std::string, std::set<std::string>> by_name;
        std::vector<std::pair<Glob, std::set<std::string>>> by_glob;
    };
    FileWatch(UniqueFd inotify, UniqueFd wake_read, UniqueFd wake_write, std::map<int, Dir> dirs, Changed changed);
    void loop();
    void collect(const Dir& dir, const std::string& name, std::set<std::string>& ids) const;

    UniqueFd inotify_, wake_read_, wake_write_;
    std::map<int, Dir> dirs_;  // by watch descriptor
    Changed changed_;
    std::thread thread_;
};

}  // namespace triad::daemon
