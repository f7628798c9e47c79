// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/audit/audit_config.h"

#include <charconv>
#include <sstream>

#include "scanner/collectors/services/unit_files.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

struct Setting {
    const char* field;
    const char* key;       // auditd.conf keyword
    const char* fallback;  // auditd's built-in default (auditd.conf(5), audit 3.0.9)
    bool upper;            // an action or mode: auditd compares it without case
    const char* doc;
};
constexpr Setting kSettings[] = {
    {"max_log_file_action", "max_log_file_action", "ROTATE", true, "what auditd does when a log reaches max_log_file: IGNORE, SYSLOG, SUSPEND, ROTATE, KEEP_LOGS"},
    {"space_left_action", "space_left_action", "IGNORE", true, "what auditd does when free space falls to space_left"},
    {"admin_space_left_action", "admin_space_left_action", "SUSPEND", true, "what auditd does when free space falls to admin_space_left"},
    {"disk_full_action", "disk_full_action", "SUSPEND", true, "what auditd does when the disk is full: IGNORE, SYSLOG, ROTATE, EXEC, SUSPEND, SINGLE, HALT"},
    {"disk_error_action", "disk_error_action", "SUSPEND", true, "what auditd does on a write error"},
    {"log_file", "log_file", "/var/log/audit/audit.log", false, "where the audit log is written"},
    {"log_group", "log_group", "root", false, "the group the log files belong to"},
    {"write_logs", "write_logs", "YES", true, "whether auditd writes logs at all"},
    {"max_log_file", "max_log_file", "8", false, "the size of one log file in MiB"},
    {"num_logs", "num_logs", "0", false, "how many log files ROTATE keeps"},
};
constexpr std::size_t kSettingCount = std::size(kSettings);

enum Extra : std::size_t {
    kConfigExists = kSettingCount, kRulesEnable, kRulesImmutable, kRulesFailure, kRulesBacklogLimit, kRulesFiles,
    kAuditdInstalled, kAuditdEnabled, kFieldCount
};

std::vector<FieldSpec> make_fields() {
    std::vector<FieldSpec> f;
    for (const Setting& s : kSettings) f.push_back({s.field, ValueKind::string, s.doc});
    f.push_back({"config_exists", ValueKind::boolean, "/etc/audit/auditd.conf exists (else the settings are auditd's defaults)"});
    f.push_back({"rules_enable", ValueKind::integer, "the last -e of the rules files: 0, 1, or 2 (locked until reboot); absent when none"});
    f.push_back({"rules_immutable", ValueKind::boolean, "the rules files end by locking the configuration (-e 2)"});
    f.push_back({"rules_failure", ValueKind::integer, "the last -f of the rules files (0 silent, 1 printk, 2 panic); absent when none"});
    f.push_back({"rules_backlog_limit", ValueKind::integer, "the last -b of the rules files; absent when none"});
    f.push_back({"rules_files", ValueKind::list, "the rules files read: rules.d/*.rules, or audit.rules when there are none"});
    f.push_back({"auditd_installed", ValueKind::boolean, "/sbin/auditd or /usr/sbin/auditd exists"});
    f.push_back({"auditd_enabled", ValueKind::boolean, "auditd.service is linked from a .wants/.requires directory and not masked"});
    return f;
}

const std::vector<FieldSpec>& fields_table() {
    static const std::vector<FieldSpec> fields = make_fields();
    return fields;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::optional<std::int64_t> number(const std::string& s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

FactSet collect_audit_config(const CollectContext& ctx, const SelectArgs&) {
    const std::string object = "audit configuration";
    Fact f;
    f.object = object;
    f.fields.resize(kFieldCount);

    auto conf = ctx.root.read_file("/etc/audit/auditd.conf", 1024 * 1024);
    if (!conf && conf.error().code != ErrorCode::not_found) return {Fact::error(object, conf.error().describe())};
    std::vector<ConfigEntry> entries;
    if (conf) entries = parse_config(*conf, ConfigSyntax{ConfigSeparator::equals, /*case_insensitive_keys=*/true, ""});
    for (std::size_t i = 0; i < kSettingCount; ++i) {
        std::string value = kSettings[i].fallback;
        for (const ConfigEntry& e : entries)
            if (config_keys_equal(e.key, kSettings[i].key, true)) value = e.value;
        f.fields[i] = Value{kSettings[i].upper ? upper(value) : value};
    }
    f.fields[kConfigExists] = Value{conf.has_value()};

    auto listed = expand_path_glob(ctx.root, "/etc/audit/rules.d/*.rules");
    if (!listed) return {Fact::error(object, listed.error().describe())};
    std::vector<std::string> files = *listed;
    if (files.empty()) files.push_back("/etc/audit/audit.rules");
    StringList read;
    // Bounded as includes are (docs/limits.md): past the budget the settings could come from
    // any unread file, so the whole object is an error.
    IncludeBudget budget(IncludeLimits{1024, 16 * 1024 * 1024, 200'000});
    for (const std::string& file : files) {
        if (ctx.cancelled()) break;
        auto text = ctx.root.read_file(file, 4 * 1024 * 1024);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;
            return {Fact::error(object, text.error().describe())};
        }
        if (std::string why = budget.charge(file, *text); !why.empty()) return {Fact::error(object, why)};
        read.push_back(file);
        for (const LogicalLine& l : logical_lines(*text, /*strip_hash_comments=*/true)) {
            std::istringstream in(l.text);
            std::vector<std::string> words;
            for (std::string w; in >> w;) words.push_back(w);
            for (std::size_t i = 0; i + 1 < words.size(); ++i) {
                auto v = number(words[i + 1]);
                if (!v) continue;
                if (words[i] == "-e") f.fields[kRulesEnable] = Value{*v};
                else if (words[i] == "-f") f.fields[kRulesFailure] = Value{*v};
                else if (words[i] == "-b") f.fields[kRulesBacklogLimit] = Value{*v};
            }
        }
    }
    f.fields[kRulesFiles] = Value{read};
    const Value* enable = f.field(kRulesEnable);
    f.fields[kRulesImmutable] = Value{enable && std::get<std::int64_t>(enable->data) == 2};

    const bool installed = ctx.root.lstat("/sbin/auditd").has_value() || ctx.root.lstat("/usr/sbin/auditd").has_value();
    f.fields[kAuditdInstalled] = Value{installed};
    units::UnitIndex index = units::index_units(ctx.root, {".service"});
    units::LoadedUnit u = units::load_unit(ctx.root, index, "auditd.service");
    auto wanted = index.wanted_by.find("auditd.service");
    f.fields[kAuditdEnabled] = Value{!u.masked && u.alias_of.empty() && u.error.empty() &&
                                     wanted != index.wanted_by.end() && !wanted->second.empty()};
    return {std::move(f)};
}

}  // namespace

const CollectorEntry kAuditConfigCollector{
    "audit_config", Scope::root, fields_table(), {}, collect_audit_config,
    "auditd.conf's log and disk actions, the rules files' -e/-f/-b, and whether auditd starts at boot\n"
    "\n"
    "One object, `audit configuration`: the settings of the audited root's "
    "/etc/audit/auditd.conf (auditd's documented default where a setting is absent, actions "
    "upper-cased as auditd compares them), the last -e, -f and -b control lines of the rules "
    "augenrules loads (rules.d/*.rules, else audit.rules), and whether auditd is installed and "
    "enabled through a .wants link. An unreadable file is an error naming it.",
};

}  // namespace triad::scanner
