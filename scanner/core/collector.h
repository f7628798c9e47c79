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

#include "scanner/core/fact.h"
#include "scanner/identity/identity.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner {

// root: readable in any audited root (offline image too); host: needs the running system
// (or --proc/--sys fixture trees): under an offline --root its checks are not_applicable.
enum class Scope { root, host };

enum class ArgKind { string, list, boolean, integer, choice };

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
};

using CollectFn = FactSet (*)(const CollectContext&, const SelectArgs&);

struct CollectorEntry {
    const char* name;
    Scope scope;
    std::span<const FieldSpec> fields;
    std::span<const ArgSpec> args;
    CollectFn collect;  // null for the walk, which the engine runs once for all its checks
    const char* doc;
};

// The `files` collector's name: its checks share one walk instead of a collect call.
inline constexpr std::string_view kWalkCollector = "files";

}  // namespace triad::scanner
