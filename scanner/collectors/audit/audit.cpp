// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/audit/audit.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "scanner/collectors/audit/audit_rule_form.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

enum StatusField : std::size_t {
    kEnabled, kFailure, kBacklogLimit, kBacklog, kLost, kRateLimit, kAuditdPid, kAuditdRunning, kRuleCount,
    kBootAudit, kStatusFieldCount
};
static_assert(std::size(kAuditStatusFields) == kStatusFieldCount);

enum RuleField : std::size_t {
    kSource, kRule, kFile, kLine, kList, kAction, kSyscalls, kPath, kPerms, kKeys, kFields, kLoaded, kConfigured,
    kRuleFieldCount
};
static_assert(std::size(kAuditRuleFields) == kRuleFieldCount);

constexpr std::size_t kMaxRulesFileBytes = 4 * 1024 * 1024;
// What augenrules concatenates is bounded as includes are (docs/limits.md): real rule sets
// are a few files and a few thousand lines.
constexpr IncludeLimits kRulesBudget{1024, 16 * 1024 * 1024, 200'000};

// The last audit= token of the kernel command line.
std::optional<std::string> boot_audit(const Sysroot& proc) {
    auto text = proc.read_file("cmdline", 64 * 1024);
    if (!text) return std::nullopt;
    std::optional<std::string> value;
    std::istringstream in(*text);
    for (std::string w; in >> w;)
        if (w.rfind("audit=", 0) == 0) value = w.substr(6);
    return value;
}

FactSet collect_audit(const CollectContext& ctx, const SelectArgs&) {
    const std::string object = "kernel audit";
    if (!ctx.proc) return {Fact::not_applicable(object, "the kernel's audit status needs the running system")};
    auto status = audit::read_status();
    if (!status) return {Fact::error(object, status.error().describe())};
    Fact f;
    f.object = object;
    f.fields.resize(kStatusFieldCount);
    f.fields[kEnabled] = Value{static_cast<std::int64_t>(status->enabled)};
    f.fields[kFailure] = Value{static_cast<std::int64_t>(status->failure)};
    f.fields[kBacklogLimit] = Value{static_cast<std::int64_t>(status->backlog_limit)};
    f.fields[kBacklog] = Value{static_cast<std::int64_t>(status->backlog)};
    f.fields[kLost] = Value{static_cast<std::int64_t>(status->lost)};
    f.fields[kRateLimit] = Value{static_cast<std::int64_t>(status->rate_limit)};
    f.fields[kAuditdPid] = Value{static_cast<std::int64_t>(status->pid)};
    f.fields[kAuditdRunning] = Value{status->pid != 0 && ctx.proc->lstat(std::to_string(status->pid)).has_value()};
    auto rules = audit::list_loaded_rules();
    if (rules) f.fields[kRuleCount] = Value{static_cast<std::int64_t>(rules->size())};
    if (auto b = boot_audit(*ctx.proc)) f.fields[kBootAudit] = Value{*b};
    return {std::move(f)};
}

Fact rule_fact(const audit::RuleForm& r, const std::string& source, const std::string& object) {
    Fact f;
    f.object = object;
    f.fields.resize(kRuleFieldCount);
    f.fields[kSource] = Value{source};
    f.fields[kRule] = Value{r.text};
    f.fields[kList] = Value{r.list};
    f.fields[kAction] = Value{r.action};
    f.fields[kSyscalls] = Value{StringList(r.syscalls)};
    if (!r.path.empty()) f.fields[kPath] = Value{r.path};
    if (!r.perms.empty()) f.fields[kPerms] = Value{r.perms};
    f.fields[kKeys] = Value{StringList(r.keys)};
    f.fields[kFields] = Value{StringList(r.fields)};
    return f;
}

struct ConfiguredRules {
    std::vector<std::pair<audit::RuleForm, std::pair<std::string, int>>> rules;  // with file and line
    FactSet errors;
    bool any_file = false;
};

// What augenrules loads: rules.d/*.rules in name order; audit.rules when there are none.
ConfiguredRules read_configured(const Sysroot& root) {
    ConfiguredRules out;
    std::vector<std::string> files;
    auto listed = expand_path_glob(root, "/etc/audit/rules.d/*.rules");
    if (!listed) {
        out.errors.push_back(Fact::error("/etc/audit/rules.d", listed.error().describe()));
        return out;
    }
    files = *listed;
    if (files.empty()) files.push_back("/etc/audit/audit.rules");
    IncludeBudget budget(kRulesBudget);
    for (const std::string& file : files) {
        auto text = root.read_file(file, kMaxRulesFileBytes);
        if (!text) {
            if (text.error().code != ErrorCode::not_found) out.errors.push_back(Fact::error(file, text.error().describe()));
            continue;
        }
        if (std::string why = budget.charge(file, *text); !why.empty()) {
            // The rules read so far are kept; the error says the rest were not read.
            out.errors.push_back(Fact::error("/etc/audit/rules.d", why + "; this and later rule files were not read"));
            break;
        }
        out.any_file = true;
        for (const LogicalLine& l : logical_lines(*text, /*strip_hash_comments=*/false)) {
            audit::ParsedLine p = audit::parse_rule_line(l.text, root);
            const std::string where = file + ":" + std::to_string(l.line);
            if (!p.error.empty()) out.errors.push_back(Fact::error(where, where + ": " + p.error));
            else if (p.kind == audit::ParsedLine::Kind::rule) out.rules.push_back({audit::describe_rule(*p.data), {file, l.line}});
        }
    }
    return out;
}

FactSet collect_audit_rules(const CollectContext& ctx, const SelectArgs& args) {
    const std::string* source = args.string("source");
    const bool loaded = source && *source == "loaded";
    if (loaded) {
        if (!ctx.proc) return {Fact::not_applicable("loaded audit rules", "the kernel's audit rules need the running system")};
        auto rules = audit::list_loaded_rules();
        if (!rules) return {Fact::error("loaded audit rules", rules.error().describe())};
        const ConfiguredRules configured = read_configured(ctx.root);
        std::set<std::string> texts;
        for (const auto& c : configured.rules) texts.insert(c.first.text);
        FactSet out;
        for (std::size_t i = 0; i < rules->size(); ++i) {
            const audit::RuleForm& r = (*rules)[i];
            Fact f = rule_fact(r, "loaded", r.text);
            f.fields[kConfigured] = Value{texts.count(r.text) != 0};
            out.push_back(std::move(f));
        }
        return out;
    }
    // No rules file is no rule: a check that wants one fails (a missing protection is a
    // finding), one that judges every rule has nothing to judge.
    ConfiguredRules configured = read_configured(ctx.root);
    std::optional<std::set<std::string>> live;
    if (ctx.proc) {
        if (auto rules = audit::list_loaded_rules()) {
            live.emplace();
            for (const auto& r : *rules) live->insert(r.text);
        }
    }
    FactSet out = std::move(configured.errors);
    for (const auto& [r, where] : configured.rules) {
        Fact f = rule_fact(r, "configured", where.first + ":" + std::to_string(where.second) + ": " + r.text);
        f.fields[kFile] = Value{where.first};
        f.fields[kLine] = Value{static_cast<std::int64_t>(where.second)};
        if (live) f.fields[kLoaded] = Value{live->count(r.text) != 0};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kAuditCollector = with_collect(kAuditCollectorSpec, collect_audit);
const CollectorEntry kAuditRulesCollector = with_collect(kAuditRulesCollectorSpec, collect_audit_rules);

}  // namespace triad::scanner
