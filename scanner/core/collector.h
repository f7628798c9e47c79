// SPDX-License-Identifier: Apache-2.0
// What a collector is to the rest of triad: its name, scope, the fields it produces, the
// select arguments it takes, and the function that collects. scanner/core/registry.h
// holds the table of them.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <variant>

#include "base/cancel.h"
#include "base/executor.h"
#include "scanner/core/fact.h"
#include "scanner/core/scan_memo.h"
#include "scanner/identity/identity.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

class WalkedDirectories;

// root: readable in any audited root (offline image too); host: needs the running system
// (or --proc/--sys fixture trees): under an offline --root its checks are not_applicable.
enum class Scope { root, host };

// paths: absolute paths or globs inside the audited root (the loader refuses relative ones);
// globs: path globs of objects to leave out, compiled by the loader and applied by the
// engine to every object the collector returns ("DIR/**" also keeps a walk out of DIR).
enum class ArgKind { string, list, boolean, integer, choice, paths, globs };

struct ArgSpec {
    const char* name;
    ArgKind kind;
    bool required;
    const char* doc;
    const char* choices = "";  // for ArgKind::choice: "first|last"
};

using ArgValue = std::variant<bool, std::int64_t, std::string, StringList>;

struct SelectArgs {
    std::map<std::string, ArgValue, std::less<>> values;

    const std::string* string(std::string_view name) const;
    StringList list(std::string_view name) const;  // a single string counts as a list of one
    std::optional<bool> boolean(std::string_view name) const;
    std::optional<std::int64_t> integer(std::string_view name) const;
};

struct CollectContext {
    const Sysroot& root;
    const IdentityTable& ids;
    // Where live kernel state is read: the host's /proc and /sys, or fixture trees shaped
    // like them (tests, --proc/--sys). Null when the scan has none (an offline --root).
    const Sysroot* proc = nullptr;
    const Sysroot* sys = nullptr;
    // The scan's cancel token (poll it per object in any loop that may run long) and its
    // bounded pool (use it for parallel work instead of starting threads).
    const CancelToken* cancel = nullptr;
    Executor* executor = nullptr;
    // What readers remember across collectors (and, in the daemon, across scans); null: the
    // collector keeps nothing beyond its own call.
    ScanMemo* memo = nullptr;
    // The set-id files and fully listed directories of this scan's shared walk, while the scan
    // has one (scanner/walk/walked_directories.h); null otherwise.
    const WalkedDirectories* walked = nullptr;

    bool cancelled() const { return cancel && cancel->cancelled(); }
    Executor& exec() const { return executor ? *executor : Executor::serial(); }
};

using CollectFn = FactSet (*)(const CollectContext&, const SelectArgs&);

// The part of the file system a walk collector's select wants to see. The engine merges the
// scopes of all such selects into one walk (scanner/walk/shared_walk.h) and hands each
// select the entries inside its scope.
struct WalkScope {
    std::vector<std::string> roots{"/"};  // absolute, without a trailing slash
    int max_depth = -1;                   // below each root; -1: unlimited
    bool one_filesystem = true;           // entries on another file system than their root's are out
};
using WalkScopeFn = WalkScope (*)(const SelectArgs&);

// One collector, defined beside its code (`const CollectorEntry kPamCollector` in pam.cpp)
// and listed in the registry table. Exactly one of `collect` and `walk` is set: a collector
// either returns facts for a select, or asks for the entries of the shared file-system walk
// (their fields are the walk entry's, scanner/walk/file_entry.h).
struct CollectorEntry {
    const char* name;
    Scope scope;
    std::span<const FieldSpec> fields;
    std::span<const ArgSpec> args;
    CollectFn collect;
    // What it reads and produces. The first line is the summary `triad collectors` lists;
    // a paragraph may follow after a blank line. docs/collectors/NAME.md is generated from
    // this and the specs.
    const char* doc;
    WalkScopeFn walk = nullptr;
    // Set only on the entry the registry keeps for a collector this build left out: the
    // CMake option that was OFF ("TRIAD_WITH_SELINUX"). See left_out().
    const char* left_out_by = nullptr;
    // Set on a collector that, for a select with these arguments, waits for the scan's walk
    // record (CollectContext::walked) before it goes on. The engine takes such selects after
    // every other task, so that their wait holds back no other work.
    bool (*waits_for_walk)(const SelectArgs&) = nullptr;
};

// A collector that needs a library keeps its entry's specs in its header, with `collect`
// unset (kSelinuxCollectorSpec), so that a build without the library still has them; its
// source file adds the function (kSelinuxCollector = with_collect(kSelinuxCollectorSpec, ...)).
constexpr CollectorEntry with_collect(CollectorEntry spec, CollectFn collect) {
    spec.collect = collect;
    return spec;
}

// Reports that the collector is not built; the engine gives such checks the verdict error
// before it would call this, so it only guards against a caller that does not look.
FactSet collect_left_out(const CollectContext& ctx, const SelectArgs& args);

// The entry the registry keeps for a collector this build left out (its `option` was OFF):
// the specs stay, so a policy that selects it still loads and is validated as usual, and
// its checks get the verdict error saying which option was off.
constexpr CollectorEntry left_out(CollectorEntry spec, const char* option) {
    spec.collect = collect_left_out;
    spec.walk = nullptr;
    spec.left_out_by = option;
    return spec;
}

}  // namespace triad::scanner
