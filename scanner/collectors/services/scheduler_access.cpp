// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/services/scheduler_access.h"

#include "scanner/config/config_file.h"

namespace triad::scanner {
namespace {

enum SchedulerField : std::size_t {
    kName, kInstalled, kAllowExists, kDenyExists, kAllowedUsers, kDeniedUsers, kRestricted, kOpenToAll, kFieldCount
};
constexpr FieldSpec kFields[] = {
    {"name", ValueKind::string, "`cron` or `at`"},
    {"installed", ValueKind::boolean, "its program exists in the audited root (/usr/bin/crontab, /usr/bin/at)"},
    {"allow_exists", ValueKind::boolean, "/etc/cron.allow (or /etc/at.allow) exists"},
    {"deny_exists", ValueKind::boolean, "/etc/cron.deny (or /etc/at.deny) exists"},
    {"allowed_users", ValueKind::list, "the users the allow file lists"},
    {"denied_users", ValueKind::list, "the users the deny file lists"},
    {"restricted", ValueKind::boolean,
     "only listed users (and root) may schedule jobs: the allow file exists, or for at neither file does"},
    {"open_to_all", ValueKind::boolean, "every user may schedule jobs: no allow file and no deny file naming anyone"},
};
static_assert(std::size(kFields) == kFieldCount);

constexpr std::size_t kMaxListBytes = 256 * 1024;
constexpr std::size_t kMaxUsers = 4096;

struct Scheduler {
    const char* name;
    const char* program;
    const char* allow;
    const char* deny;
    bool root_only_without_lists;  // at: neither file -> only root; cron (Debian): everyone
};
constexpr Scheduler kSchedulers[] = {
    {"cron", "/usr/bin/crontab", "/etc/cron.allow", "/etc/cron.deny", false},
    {"at", "/usr/bin/at", "/etc/at.allow", "/etc/at.deny", true},
};

// The users a list names: one per line, blanks trimmed; '#' lines skipped.
Result<std::optional<StringList>> read_users(const Sysroot& root, const char* path) {
    auto text = root.read_file(path, kMaxListBytes);
    if (!text) {
        if (text.error().code == ErrorCode::not_found) return std::optional<StringList>{};
        return text.error();
    }
    StringList users;
    for (const LogicalLine& l : logical_lines(*text, /*strip_hash_comments=*/true)) {
        const auto b = l.text.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        users.push_back(l.text.substr(b, l.text.find_last_not_of(" \t") + 1 - b));
        if (users.size() == kMaxUsers) break;
    }
    return std::optional<StringList>{std::move(users)};
}

FactSet collect_scheduler_access(const CollectContext& ctx, const SelectArgs&) {
    FactSet out;
    for (const Scheduler& s : kSchedulers) {
        auto allow = read_users(ctx.root, s.allow);
        auto deny = read_users(ctx.root, s.deny);
        if (!allow || !deny) {
            out.push_back(Fact::error(s.name, (!allow ? allow.error() : deny.error()).describe()));
            continue;
        }
        auto program = ctx.root.lstat(s.program);
        if (!program && program.error().code != ErrorCode::not_found) {
            out.push_back(Fact::error(s.name, program.error().describe()));
            continue;
        }
        Fact f;
        f.object = s.name;
        f.fields.resize(kFieldCount);
        f.fields[kName] = Value{std::string(s.name)};
        f.fields[kInstalled] = Value{program.has_value()};
        f.fields[kAllowExists] = Value{allow->has_value()};
        f.fields[kDenyExists] = Value{deny->has_value()};
        f.fields[kAllowedUsers] = Value{allow->value_or(StringList{})};
        f.fields[kDeniedUsers] = Value{deny->value_or(StringList{})};
        const bool restricted = allow->has_value() || (s.root_only_without_lists && !deny->has_value());
        f.fields[kRestricted] = Value{restricted};
        f.fields[kOpenToAll] = Value{!restricted && (!deny->has_value() || (*deny)->empty())};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kSchedulerAccessCollector{
    "scheduler_access", Scope::root, kFields, {}, collect_scheduler_access,
    "who may schedule jobs with cron (crontab) and at: their allow and deny lists\n"
    "\n"
    "Two objects, `cron` and `at`. With an allow file only the users it lists may schedule "
    "jobs; without one, everyone but the users the deny file lists may. With neither file "
    "Debian's crontab lets every user in, while at admits only root. An unreadable list is an "
    "error naming it; the files' owners and modes are checked by the file collector.",
};

}  // namespace triad::scanner
