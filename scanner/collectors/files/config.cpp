// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/files/config.h"

#include <algorithm>

#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kFields[] = {
    {"file_exists", ValueKind::boolean, "at least one of the configuration files exists"},
    {"exists", ValueKind::boolean, "the key is set in a file"},
    {"value", ValueKind::string, "the effective value (the default when unset and one is given)"},
    {"values", ValueKind::list, "every value the key is set to, in file order"},
    {"file", ValueKind::string, "the file that sets the effective value"},
    {"line", ValueKind::integer, "the line that sets the effective value"},
    {"defaulted", ValueKind::boolean, "the value is the program's default, not set in a file"},
};
static_assert(std::size(kFields) == kConfigFieldCount);

constexpr ArgSpec kArgs[] = {
    {"path", ArgKind::paths, true, "file, glob or list; read in order as one stream"},
    {"key", ArgKind::string, true, "the key to read"},
    {"separator", ArgKind::choice, false, "how a key ends (default: auto)", "auto|whitespace|equals|colon"},
    {"repeat", ArgKind::choice, false, "which of repeated keys wins (default: last)", "first|last"},
    {"case_insensitive", ArgKind::boolean, false, "keys compare without case, as sshd does"},
    {"stop_at", ArgKind::string, false, "keyword that ends the global section (sshd: Match)"},
    {"default", ArgKind::string, false, "value the program uses when the key is unset"},
};

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

}  // namespace

namespace {

bool is_glob(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// The object names the program's own file, the first path that is not a glob (pwquality's
// "pwquality.conf.d/*.conf" names no file), so it stays the same whichever file sets the key.
std::string object_name(const ConfigQuery& query) {
    if (query.paths.empty()) return "?: " + query.key;
    auto plain = std::find_if(query.paths.begin(), query.paths.end(), [](const std::string& p) { return !is_glob(p); });
    return (plain != query.paths.end() ? *plain : query.paths.front()) + ": " + query.key;
}

}  // namespace

FactSet collect_config(const Sysroot& root, const ConfigQuery& query) {
    Fact fact;
    fact.object = object_name(query);
    fact.fields.resize(kConfigFieldCount);

    std::vector<std::string> files_read;
    bool any_file = false;
    StringList values;
    std::optional<ConfigEntry> effective;
    std::string effective_file;
    for (const std::string& pattern : query.paths) {
        auto files = expand_path_glob(root, pattern);
        if (!files) return {Fact::error(fact.object, files.error().describe())};
        for (const std::string& path : *files) {
            auto text = root.read_file(path);
            if (!text) {
                if (text.error().code == ErrorCode::not_found) continue;
                return {Fact::error(fact.object, text.error().describe())};
            }
            any_file = true;
            files_read.push_back(path);
            for (ConfigEntry& e : parse_config(*text, query.syntax)) {
                if (!config_keys_equal(e.key, query.key, query.syntax.case_insensitive_keys)) continue;
                values.push_back(e.value);
                if (!effective || query.repeat == ConfigRepeat::last) {
                    effective = std::move(e);
                    effective_file = path;
                }
            }
        }
    }
    fact.fields[kConfigFileExists].emplace(Value{any_file});
    fact.fields[kConfigExists].emplace(Value{effective.has_value()});
    fact.fields[kConfigDefaulted].emplace(Value{!effective && query.default_value.has_value()});
    fact.fields[kConfigValues].emplace(Value{std::move(values)});
    if (effective) {
        fact.fields[kConfigValue].emplace(Value{effective->value});
        fact.fields[kConfigFile].emplace(Value{effective_file});
        fact.fields[kConfigLine].emplace(Value{std::int64_t{effective->line}});
        fact.origin = ValueOrigin::read_at(effective_file, effective->line);
    } else {
        if (query.default_value) fact.fields[kConfigValue].emplace(Value{*query.default_value});
        const bool defaulted = query.default_value.has_value();
        fact.origin = any_file ? ValueOrigin::not_set_in(join(files_read), defaulted)
                               : ValueOrigin::absent(join(query.paths), defaulted);
    }
    return {std::move(fact)};
}

const CollectorEntry kConfigCollector{
    "config", Scope::root, kFields, kArgs, run_config,
    "one key of a key/value configuration file\n"
    "\n"
    "Reads `KEY VALUE`, `KEY=VALUE` or `KEY: VALUE` lines (`separator`); whole-line `#` and "
    "`;` comments and blank lines are skipped, and a value wholly inside matching quotes is "
    "unquoted. The files `path` names are read in order as one stream and `repeat` says "
    "which setting of a repeated key wins, as the program that reads the file decides. One "
    "object per select; a file that does not exist leaves the key unset (`file_exists: "
    "false`), one that cannot be read is an error with the reason. The object is named after the "
    "first `path` that is not a glob. Evidence gives each value's `source`: `FILE:LINE`, "
    "`default (not set in FILE)` when `default` applies, or `absent (FILE does not exist)`.",
};

}  // namespace triad::scanner
