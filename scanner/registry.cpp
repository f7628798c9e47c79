// SPDX-License-Identifier: Apache-2.0
#include "scanner/registry.h"

#include "scanner/config_file.h"
#include "scanner/file_perms.h"

namespace triad::scanner {
namespace {

FactSet run_file(const CollectContext& ctx, const SelectArgs& args) {
    return collect_file(ctx.root, ctx.ids, args.list("path"));
}

FactSet run_config(const CollectContext& ctx, const SelectArgs& args) {
    ConfigQuery q;
    q.paths = args.list("path");
    q.key = *args.string("key");
    if (const std::string* s = args.string("separator")) {
        if (*s == "whitespace") q.syntax.separator = ConfigSeparator::whitespace;
        else if (*s == "equals") q.syntax.separator = ConfigSeparator::equals;
        else if (*s == "colon") q.syntax.separator = ConfigSeparator::colon;
    }
    if (const std::string* s = args.string("repeat")) q.repeat = *s == "first" ? ConfigRepeat::first : ConfigRepeat::last;
    q.syntax.case_insensitive_keys = args.boolean("case_insensitive").value_or(false);
    if (const std::string* s = args.string("stop_at")) q.syntax.stop_at = *s;
    if (const std::string* s = args.string("default")) q.default_value = *s;
    return collect_config(ctx.root, q);
}

constexpr ArgSpec kFileArgs[] = {
    {"path", ArgKind::list, true, "path or glob (or a list of them) inside the audited root"},
};

constexpr ArgSpec kFilesArgs[] = {
    {"paths", ArgKind::list, false, "directories to walk (default: /)"},
    {"exclude", ArgKind::list, false, "globs of paths to leave out; DIR/** skips the subtree"},
    {"max_depth", ArgKind::integer, false, "how deep below each start directory (default: unlimited)"},
    {"one_filesystem", ArgKind::boolean, false, "stay on the start directory's file system (default: true)"},
};

constexpr ArgSpec kConfigArgs[] = {
    {"path", ArgKind::list, true, "file, glob or list; read in order as one stream"},
    {"key", ArgKind::string, true, "the key to read"},
    {"separator", ArgKind::choice, false, "how a key ends (default: auto)", "auto|whitespace|equals|colon"},
    {"repeat", ArgKind::choice, false, "which of repeated keys wins (default: last)", "first|last"},
    {"case_insensitive", ArgKind::boolean, false, "keys compare without case, as sshd does"},
    {"stop_at", ArgKind::string, false, "keyword that ends the global section (sshd: Match)"},
    {"default", ArgKind::string, false, "value the program uses when the key is unset"},
};

const CollectorEntry kCollectors[] = {
    {"file", Scope::root, file_fields(), kFileArgs, run_file,
     "named paths: type, mode, owner, ACL, capabilities, attributes"},
    {"files", Scope::root, file_fields(), kFilesArgs, nullptr,
     "every object under the walked directories, filtered by `where`, in one parallel pass"},
    {"config", Scope::root, config_fields(), kConfigArgs, run_config,
     "one key of a key/value configuration file"},
};

}  // namespace

const std::string* SelectArgs::string(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return nullptr;
    return std::get_if<std::string>(&it->second);
}

StringList SelectArgs::list(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return {};
    if (const auto* s = std::get_if<std::string>(&it->second)) return {*s};
    if (const auto* l = std::get_if<StringList>(&it->second)) return *l;
    return {};
}

std::optional<bool> SelectArgs::boolean(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    if (const auto* b = std::get_if<bool>(&it->second)) return *b;
    return std::nullopt;
}

std::optional<std::int64_t> SelectArgs::integer(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    if (const auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
    return std::nullopt;
}

std::span<const CollectorEntry> collectors() { return kCollectors; }

const CollectorEntry* find_collector(std::string_view name) {
    for (const CollectorEntry& c : kCollectors)
        if (name == c.name) return &c;
    return nullptr;
}

}  // namespace triad::scanner
