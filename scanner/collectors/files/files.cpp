// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/files/files.h"

#include "scanner/walk/file_entry.h"

namespace triad::scanner {
namespace {

constexpr ArgSpec kArgs[] = {
    {"paths", ArgKind::paths, false, "directories to walk (default: /)"},
    {"exclude", ArgKind::globs, false, "globs of paths to leave out; DIR/** skips the subtree"},
    {"max_depth", ArgKind::integer, false, "how deep below each start directory (default: unlimited)"},
    {"one_filesystem", ArgKind::boolean, false, "stay on the start directory's file system (default: true)"},
};

// The select's part of the shared walk: the engine merges the scopes of every `files`
// select into one pass, so a new check adds a condition per entry, not another walk.
WalkScope files_scope(const SelectArgs& args) {
    WalkScope scope;
    scope.roots.clear();
    for (std::string r : args.list("paths")) {
        while (r.size() > 1 && r.back() == '/') r.pop_back();
        scope.roots.push_back(std::move(r));
    }
    if (scope.roots.empty()) scope.roots.push_back("/");
    scope.max_depth = static_cast<int>(args.integer("max_depth").value_or(-1));
    scope.one_filesystem = args.boolean("one_filesystem").value_or(true);
    return scope;
}

}  // namespace

const CollectorEntry kFilesCollector{
    "files", Scope::root, file_fields(), kArgs, nullptr,
    "every object under the walked directories, filtered by `where`, in one parallel pass\n"
    "\n"
    "Every `files` select of a scan is answered by one shared walk of the audited root: "
    "`where` is evaluated on each entry as the walk meets it, and each field is computed "
    "only when a condition asks for it. Symlinks are reported, never followed; FIFOs and "
    "devices are never opened; kernel file systems mounted inside the root are not entered. "
    "An unreadable directory makes the check an error naming it. See docs/walk.md.",
    files_scope,
};

}  // namespace triad::scanner
