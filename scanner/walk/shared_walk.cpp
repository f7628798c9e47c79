// SPDX-License-Identifier: Apache-2.0
#include "scanner/walk/shared_walk.h"

#include <algorithm>
#include <atomic>
#include <optional>

namespace triad::scanner {
namespace {

bool under(const std::string& path, const std::string& root) {
    return root == "/" || path == root || (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}

// One request's view of the walk.
struct RequestScope {
    const WalkScope* scope;
    std::vector<std::uint64_t> root_devices;  // per root; 0 when the root does not exist
    bool whole_tree = false;                  // roots == {"/"} without a depth limit

    // -1 when `path` is outside every root, else its depth below the root it is under.
    // With a device, an entry on another file system than that root's is out of scope
    // (the root itself counts even when it is a mount point).
    int depth_of(std::string_view path, std::optional<std::uint64_t> device) const {
        const bool one_fs = scope->one_filesystem;
        if (whole_tree) return device && one_fs && path != "/" && *device != root_devices[0] ? -1 : 0;
        for (std::size_t i = 0; i < scope->roots.size(); ++i) {
            const std::string& r = scope->roots[i];
            int depth = -1;
            if (r == "/" && scope->max_depth < 0) depth = path == "/" ? 0 : 1;  // no limit: no need to count
            else if (r == "/") depth = static_cast<int>(std::count(path.begin(), path.end(), '/')) - (path == "/" ? 1 : 0);
            else if (path == r) depth = 0;
            else if (path.size() > r.size() && path.starts_with(r) && path[r.size()] == '/')
                depth = static_cast<int>(std::count(path.begin() + static_cast<long>(r.size()), path.end(), '/'));
            if (depth < 0) continue;
            if (device && one_fs && depth > 0 && *device != root_devices[i]) return -1;
            return depth;
        }
        return -1;
    }

    bool holds(int depth) const {
        return depth >= 0 && (scope->max_depth < 0 || depth <= scope->max_depth);
    }
};

}  // namespace

WalkStats run_shared_walk(const Sysroot& root, const IdentityTable& ids, std::span<const WalkRequest> requests,
                          const RequestEntryVisitor& on_entry, const RequestErrorVisitor& on_error,
                          const SharedWalkOptions& options) {
    std::vector<RequestScope> scopes;
    WalkOptions walk;
    walk.roots.clear();
    bool unlimited = false;
    int deepest = 0;
    for (const WalkRequest& request : requests) {
        RequestScope s{&request.scope, {}, false};
        for (const std::string& r : request.scope.roots) {
            walk.roots.push_back(r);
            walk.targets.push_back(r);
            auto st = root.lstat(r);
            s.root_devices.push_back(st ? (std::uint64_t{st->stx_dev_major} << 32) | st->stx_dev_minor : 0);
        }
        if (request.scope.max_depth < 0) unlimited = true;
        deepest = std::max(deepest, request.scope.max_depth);
        s.whole_tree = request.scope.roots == std::vector<std::string>{"/"} && request.scope.max_depth < 0;
        if (!request.scope.one_filesystem) walk.one_filesystem = false;
        scopes.push_back(std::move(s));
    }
    // Start only at roots no other root contains; depth limits then count from there.
    std::sort(walk.roots.begin(), walk.roots.end());
    walk.roots.erase(std::unique(walk.roots.begin(), walk.roots.end()), walk.roots.end());
    std::vector<std::string> outer;
    for (const std::string& r : walk.roots)
        if (std::none_of(outer.begin(), outer.end(), [&](const std::string& o) { return under(r, o); })) outer.push_back(r);
    const bool nested = outer.size() != walk.roots.size();
    walk.roots = outer;
    walk.max_depth = unlimited || nested ? -1 : deepest;
    walk.record = options.record;

    // A subtree every request skips is not read at all. A request whose roots neither contain
    // nor lie inside the subtree (roots [/var/log] for /var/lib/docker/**) never looks there,
    // so it does not keep the subtree in the walk.
    for (const WalkRequest& candidate : requests) {
        for (const std::string& sub : candidate.skip_subtrees) {
            const bool all = std::all_of(requests.begin(), requests.end(), [&](const WalkRequest& r) {
                const bool disjoint = std::none_of(r.scope.roots.begin(), r.scope.roots.end(), [&](const std::string& root_dir) {
                    return under(sub, root_dir) || under(root_dir, sub);
                });
                return disjoint || std::any_of(r.skip_subtrees.begin(), r.skip_subtrees.end(),
                                               [&](const std::string& o) { return under(sub, o); });
            });
            if (all) walk.prune.push_back(sub);
        }
    }

    std::atomic<std::uint64_t> seen{0};
    auto visit = [&](const FileEntry& entry) {
        const std::string& path = entry.path();
        for (std::size_t i = 0; i < scopes.size(); ++i)
            if (scopes[i].holds(scopes[i].depth_of(path, entry.device()))) on_entry(i, entry);
        if (options.on_progress && (++seen & 0x3fff) == 0) options.on_progress(seen.load());
    };
    // An error concerns a request when what could not be read lies in its scope: the object
    // itself, or for a directory that could not be listed, the entries one level below it.
    auto failed = [&](const WalkError& error) {
        const std::optional<std::uint64_t> device = error.device ? std::optional(error.device) : std::nullopt;
        for (std::size_t i = 0; i < scopes.size(); ++i) {
            int depth = scopes[i].depth_of(error.path, device);
            if (depth >= 0 && error.listing) ++depth;
            if (scopes[i].holds(depth)) on_error(i, error);
        }
    };
    Executor& executor = options.executor ? *options.executor : Executor::serial();
    return walk_files(root, ids, walk, visit, failed, executor, options.cancel);
}

}  // namespace triad::scanner
