// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/pam_option.h"

#include <map>
#include <optional>

#include "scanner/collectors/accounts/pam.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

enum OptField : std::size_t {
    kOptModule, kOptOption, kOptInStack, kOptModuleFound, kOptServices, kOptStackLine, kOptSet, kOptValue,
    kOptSource, kOptDefaulted, kOptFieldCount
};
constexpr FieldSpec kFields[] = {
    {"module", ValueKind::string, "the module (pam_pwquality.so)"},
    {"option", ValueKind::string, "the option (minlen)"},
    {"in_stack", ValueKind::boolean, "a line of the stacks read (the named services, includes expanded) runs the module; false: no stack runs it, so its settings apply to nothing"},
    {"module_found", ValueKind::boolean, "the module file exists in the audited root; a line naming a missing module protects nothing"},
    {"services", ValueKind::list, "the services whose stack runs this line"},
    {"stack_line", ValueKind::string, "FILE:LINE of the module line; absent when no stack runs the module"},
    {"set", ValueKind::boolean, "the option is given, as an argument of the line or in a settings file"},
    {"value", ValueKind::string, "the effective value: the line's argument, else the settings files' last one, else `default`; empty for a bare flag; absent when unset without a default"},
    {"source", ValueKind::string, "where the value comes from: 'argument at FILE:LINE', 'FILE:LINE', 'default (not set in FILES)', or without a default 'not set in FILES'"},
    {"defaulted", ValueKind::boolean, "the value is the module's built-in default"},
};
static_assert(std::size(kFields) == kOptFieldCount);

constexpr ArgSpec kArgs[] = {
    {"module", ArgKind::string, true, "module file name as PAM lines name it (pam_pwquality.so)"},
    {"option", ArgKind::string, true, "the option: an argument name of the module and the key of its settings file"},
    {"service", ArgKind::list, false, "services under /etc/pam.d whose stacks count (default: every service)"},
    {"type", ArgKind::string, false, "only lines of this type count (auth, account, password, session)"},
    {"config", ArgKind::paths, false, "the module's settings files, read in order, the last value winning; a line's conf=PATH replaces them"},
    {"default", ArgKind::string, false, "the module's built-in value when the option is set nowhere"},
};

struct Setting {
    std::optional<std::string> value;
    std::string source;
};

// The option's value in the settings files (globs, in order; the last value wins), or the
// default with the files that were looked in.
Result<Setting> from_files(const Sysroot& root, const StringList& patterns, const std::string& option,
                           const std::string* default_value) {
    Setting s;
    std::string looked;
    for (const std::string& pattern : patterns) {
        auto files = expand_path_glob(root, pattern);
        if (!files) return files.error();
        for (const std::string& path : *files) {
            auto text = root.read_file(path);
            if (!text) {
                if (text.error().code == ErrorCode::not_found) continue;
                return text.error();
            }
            looked += (looked.empty() ? "" : ", ") + path;
            for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::equals, false, ""})) {
                if (e.key != option) continue;
                s.value = e.value;
                s.source = path + ":" + std::to_string(e.line);
            }
        }
    }
    if (s.value) return s;
    if (default_value) s.value = *default_value;
    const std::string where_looked = looked.empty() ? "no settings file exists" : "not set in " + looked;
    s.source = default_value ? "default (" + where_looked + ")" : where_looked;
    return s;
}

struct StackLine {
    PamLine line;
    StringList services;
};

std::string where(const PamLine& l) { return l.file + ":" + std::to_string(l.line); }

Fact make_fact(const std::string& object, const std::string& module, const std::string& option, bool in_stack,
               bool found) {
    Fact f;
    f.object = object;
    f.fields.resize(kOptFieldCount);
    f.fields[kOptModule] = Value{module};
    f.fields[kOptOption] = Value{option};
    f.fields[kOptInStack] = Value{in_stack};
    f.fields[kOptModuleFound] = Value{found};
    return f;
}

void set_value(Fact& f, const Setting& s, bool from_argument) {
    const bool defaulted = !from_argument && s.source.starts_with("default");
    f.fields[kOptSet] = Value{from_argument || (s.value.has_value() && !defaulted)};
    if (s.value) f.fields[kOptValue] = Value{*s.value};
    f.fields[kOptSource] = Value{s.source};
    f.fields[kOptDefaulted] = Value{defaulted};
}

}  // namespace

std::span<const FieldSpec> pam_option_fields() { return kFields; }

FactSet collect_pam_option(const CollectContext& ctx, const SelectArgs& args) {
    const std::string module = *args.string("module");
    const std::string option = *args.string("option");
    const std::string* type = args.string("type");
    const std::string* default_value = args.string("default");
    StringList services = args.list("service");
    if (services.empty()) {
        if (!ctx.root.lstat("/etc/pam.d"))
            return {Fact::not_applicable("/etc/pam.d", "/etc/pam.d does not exist: PAM is not configured, so " + module +
                                                           " runs nowhere")};
        auto names = pam_service_names(ctx.root);
        if (!names) return {Fact::error("/etc/pam.d", names.error().describe())};
        services = std::move(*names);
    }

    // Each module line once, with the services whose stacks run it: a line of common-password
    // is run by passwd, chpasswd and every other service that includes it.
    std::map<std::string, StackLine> lines;
    FactSet out;
    for (const std::string& service : services) {
        if (ctx.cancelled()) return out;
        std::string error;
        std::vector<PamLine> stack = read_pam_service(ctx.root, service, error);
        if (!error.empty()) {
            // A service that does not exist runs nothing; one that cannot be read is an error,
            // since the module might be in it.
            if (ctx.root.lstat("/etc/pam.d/" + service)) out.push_back(Fact::error("/etc/pam.d/" + service, error));
            continue;
        }
        for (const PamLine& l : stack) {
            const std::size_t slash = l.module_path.rfind('/');
            const std::string name = slash == std::string::npos ? l.module_path : l.module_path.substr(slash + 1);
            if (name != module || (type && l.type != *type)) continue;
            auto [it, fresh] = lines.try_emplace(where(l), StackLine{l, {}});
            if (it->second.services.empty() || it->second.services.back() != service) it->second.services.push_back(service);
        }
    }

    const StringList config = args.list("config");
    // A stack that could not be read might run the module: "in no stack" would be a guess.
    if (lines.empty() && !out.empty()) return out;
    if (lines.empty()) {
        // No stack runs the module: its settings apply to nothing. The object still shows what
        // the settings files say, so the evidence tells both facts apart.
        Fact f = make_fact(module, module, option, false, !find_pam_module(ctx.root, module).empty());
        auto s = from_files(ctx.root, config, option, default_value);
        if (!s) return {Fact::error(module, s.error().describe())};
        set_value(f, *s, false);
        f.fields[kOptServices] = Value{StringList{}};
        out.push_back(std::move(f));
        return out;
    }
    for (const auto& [at, sl] : lines) {
        Fact f = make_fact(module + " " + option + " (" + at + ")", module, option, true,
                           !find_pam_module(ctx.root, sl.line.module_path).empty());
        f.fields[kOptServices] = Value{sl.services};
        f.fields[kOptStackLine] = Value{at};
        // The module reads its settings file first and then its arguments, which override it;
        // conf=PATH on the line names another settings file.
        StringList files = config;
        std::optional<std::string> argument;
        for (const std::string& a : sl.line.args) {
            if (a.starts_with("conf=")) files = {a.substr(5)};
            if (a == option) argument = "";
            else if (a.size() > option.size() && a.starts_with(option) && a[option.size()] == '=')
                argument = a.substr(option.size() + 1);
        }
        if (argument) {
            set_value(f, Setting{argument, "argument at " + at}, true);
        } else {
            auto s = from_files(ctx.root, files, option, default_value);
            if (!s) {
                out.push_back(Fact::error(f.object, s.error().describe()));
                continue;
            }
            set_value(f, *s, false);
        }
        out.push_back(std::move(f));
    }
    return out;
}

const CollectorEntry kPamOptionCollector{
    "pam_option", Scope::root, kFields, kArgs, collect_pam_option,
    "one option of a PAM module where a stack runs it: line argument, settings file or default\n"
    "\n"
    "One object per module line (`MODULE OPTION (FILE:LINE)`) that the stacks of the named "
    "services run, includes expanded as PAM does, with the services that run it. The value "
    "is the line's argument when it gives the option, else the last value in the module's "
    "settings files (`config`, or the line's `conf=PATH`), else `default`; `source` says "
    "which. When no stack runs the module there is one object named by the module with "
    "`in_stack: false` and what the settings files say: settings of a module that never "
    "runs protect nothing. Without /etc/pam.d the collector is not_applicable; an "
    "unreadable service or settings file is an error.",
};

}  // namespace triad::scanner
