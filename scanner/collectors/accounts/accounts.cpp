// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/accounts.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <set>

#include "scanner/collectors/accounts/accounts_internal.h"
#include "scanner/config/config_file.h"

namespace triad::scanner {
namespace {

constexpr FieldSpec kAccountFields[] = {
    {"name", ValueKind::string, "user name"},
    {"uid", ValueKind::integer, "user id"},
    {"gid", ValueKind::integer, "primary group id"},
    {"group", ValueKind::string, "primary group name; absent when /etc/group has no such gid"},
    {"group_exists", ValueKind::boolean, "the primary gid is defined in /etc/group"},
    {"home", ValueKind::string, "home directory"},
    {"shell", ValueKind::string, "login shell as written (empty means /bin/sh)"},
    {"login_shell", ValueKind::boolean, "the shell lets the account log in (listed in /etc/shells, not nologin/false)"},
    {"system", ValueKind::boolean, "uid below UID_MIN of login.defs (default 1000), or nobody (65534)"},
    {"shadowed", ValueKind::boolean, "the passwd password field is 'x': the password lives in /etc/shadow"},
    {"in_shadow", ValueKind::boolean, "/etc/shadow has an entry for the account"},
    {"password", ValueKind::string, "set, empty (no password asked), locked ('!' before a hash) or disabled"},
    {"hash_algorithm", ValueKind::string, "yescrypt, gost-yescrypt, scrypt, sha512, sha256, bcrypt, md5, des, ...; absent without a hash"},
    {"hash_cost", ValueKind::integer, "bcrypt log2 cost or sha-crypt rounds; absent for other algorithms"},
    {"last_change", ValueKind::integer, "day of the last password change (days since 1970-01-01); 0 forces a change"},
    {"last_change_in_future", ValueKind::boolean, "the last change date is after today"},
    {"min_days", ValueKind::integer, "minimum days between password changes; absent when unset"},
    {"max_days", ValueKind::integer, "maximum password age in days; absent when unset"},
    {"warn_days", ValueKind::integer, "days of warning before the password expires; absent when unset"},
    {"inactive_days", ValueKind::integer, "days after expiry until the account is disabled; absent when unset"},
    {"expire_date", ValueKind::integer, "day the account expires; absent when unset"},
    {"groups", ValueKind::list, "every group the account is in: the primary group and /etc/group memberships"},
    {"duplicate_uid", ValueKind::boolean, "another account has the same uid"},
    {"duplicate_name", ValueKind::boolean, "another passwd line has the same name"},
};
static_assert(std::size(kAccountFields) == kAcctFieldCount);

constexpr FieldSpec kGroupFields[] = {
    {"name", ValueKind::string, "group name"},
    {"gid", ValueKind::integer, "group id"},
    {"members", ValueKind::list, "members listed in /etc/group"},
    {"primary_members", ValueKind::list, "accounts whose primary group this is"},
    {"duplicate_gid", ValueKind::boolean, "another group has the same gid"},
    {"duplicate_name", ValueKind::boolean, "another group line has the same name"},
    {"in_gshadow", ValueKind::boolean, "/etc/gshadow has an entry for the group"},
    {"password", ValueKind::string, "group password: set, empty, locked or disabled (from gshadow, else group)"},
    {"hash_algorithm", ValueKind::string, "algorithm of a group password hash; absent without one"},
};
static_assert(std::size(kGroupFields) == kGrpFieldCount);

bool is_crypt_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
}

std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

Value int_value(std::int64_t v) { return Value{v}; }

// Reads one database of the audited root. A missing file is `nullopt` without error.
struct Db {
    bool exists = false;
    std::vector<DbLine> lines;
};

Result<Db> read_db(const Sysroot& root, const char* path) {
    auto text = root.read_file(path);
    if (!text) {
        if (text.error().code == ErrorCode::not_found) return Db{};
        return text.error();
    }
    return Db{true, parse_colon_db(*text)};
}

const std::string& field_at(const DbLine& l, std::size_t i) {
    static const std::string empty;
    return i < l.fields.size() ? l.fields[i] : empty;
}

// Shells that exist only to refuse a login.
bool refuses_login(std::string_view shell) {
    for (std::string_view tail : {"/nologin", "/false"})
        if (shell.ends_with(tail)) return true;
    for (std::string_view s : {"/bin/sync", "/usr/bin/sync", "/sbin/shutdown", "/usr/sbin/shutdown", "/sbin/halt",
                               "/usr/sbin/halt"})
        if (shell == s) return true;
    return false;
}

std::int64_t uid_min(const Sysroot& root) {
    auto text = root.read_file("/etc/login.defs");
    if (!text) return 1000;
    std::int64_t value = 1000;
    for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::whitespace, false, ""}))
        if (e.key == "UID_MIN")
            if (auto v = to_int(e.value)) value = *v;
    return value;
}

// /etc/shells of the audited root; nullopt when it has none (then only nologin/false refuse).
std::optional<std::set<std::string>> read_shells(const Sysroot& root) {
    auto text = root.read_file("/etc/shells");
    if (!text) return std::nullopt;
    std::set<std::string> shells;
    std::string_view rest = *text;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (!line.empty() && line.front() == '/') shells.emplace(line);
    }
    return shells;
}

void set_password_fields(Fact& f, const PasswordInfo& p, std::size_t state, std::size_t algo, std::size_t cost) {
    f.fields[state] = Value{p.state};
    if (!p.algorithm.empty()) f.fields[algo] = Value{p.algorithm};
    if (cost != kAcctFieldCount && p.cost) f.fields[cost] = int_value(*p.cost);
}

}  // namespace

std::span<const FieldSpec> account_fields() { return kAccountFields; }
std::span<const FieldSpec> group_fields() { return kGroupFields; }

PasswordInfo classify_password(std::string_view field) {
    PasswordInfo info;
    if (field.empty()) {
        info.state = "empty";
        return info;
    }
    std::string_view hash = field;
    bool locked = false;
    while (!hash.empty() && hash.front() == '!') {
        hash.remove_prefix(1);
        locked = true;
    }
    auto after = [&](std::string_view prefix) { return hash.starts_with(prefix); };
    if (after("$y$")) info.algorithm = "yescrypt";
    else if (after("$gy$")) info.algorithm = "gost-yescrypt";
    else if (after("$7$")) info.algorithm = "scrypt";
    else if (after("$2b$") || after("$2a$") || after("$2y$") || after("$2x$")) {
        info.algorithm = "bcrypt";
        if (hash.size() >= 6) info.cost = to_int(hash.substr(4, 2));
    } else if (after("$6$") || after("$5$")) {
        info.algorithm = after("$6$") ? "sha512" : "sha256";
        info.cost = 5000;  // crypt(5): the default when no rounds= is given
        std::string_view rest = hash.substr(3);
        if (rest.starts_with("rounds=")) {
            rest.remove_prefix(7);
            if (auto r = to_int(rest.substr(0, rest.find('$')))) info.cost = *r;
        }
    } else if (after("$1$")) info.algorithm = "md5";
    else if (after("$md5")) info.algorithm = "sunmd5";
    else if (after("$sha1$")) info.algorithm = "sha1crypt";
    else if (after("$3$")) info.algorithm = "nthash";
    else if (hash.size() == 20 && hash.front() == '_' && std::all_of(hash.begin() + 1, hash.end(), is_crypt_char))
        info.algorithm = "bsdicrypt";
    else if (hash.size() == 13 && std::all_of(hash.begin(), hash.end(), is_crypt_char))
        info.algorithm = "des";
    else if (hash.starts_with("$") && hash.size() > 3)
        info.algorithm = "unknown";

    if (info.algorithm.empty()) info.state = "disabled";  // "*", "!", "!!", "x" in shadow: no usable hash
    else info.state = locked ? "locked" : "set";
    return info;
}

std::vector<DbLine> parse_colon_db(std::string_view text) {
    std::vector<DbLine> out;
    int line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-') continue;
        DbLine l;
        l.line = line_no;
        std::size_t start = 0;
        while (true) {
            std::size_t c = line.find(':', start);
            l.fields.emplace_back(line.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start));
            if (c == std::string_view::npos) break;
            start = c + 1;
        }
        if (l.fields.front().empty()) continue;
        out.push_back(std::move(l));
    }
    return out;
}

std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        std::size_t c = s.find(',');
        std::string_view item = s.substr(0, c);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        if (c == std::string_view::npos) break;
        s.remove_prefix(c + 1);
    }
    return out;
}

FactSet collect_accounts(const CollectContext& ctx, const SelectArgs&) {
    const Sysroot& root = ctx.root;
    auto passwd = read_db(root, "/etc/passwd");
    if (!passwd) return {Fact::error("/etc/passwd", passwd.error().describe())};
    if (!passwd->exists) return {Fact::error("/etc/passwd", "does not exist")};
    auto shadow = read_db(root, "/etc/shadow");
    if (!shadow) return {Fact::error("/etc/shadow", shadow.error().describe())};
    auto group = read_db(root, "/etc/group");
    if (!group) return {Fact::error("/etc/group", group.error().describe())};

    std::map<std::string, const DbLine*> shadow_by_name;
    for (const DbLine& l : shadow->lines) shadow_by_name.try_emplace(l.fields[0], &l);
    std::map<std::int64_t, std::string> group_names;
    std::map<std::string, std::vector<std::string>> memberships;  // user -> groups listing them
    for (const DbLine& l : group->lines) {
        if (auto gid = to_int(field_at(l, 2))) group_names.try_emplace(*gid, l.fields[0]);
        for (const std::string& m : split_commas(field_at(l, 3))) memberships[m].push_back(l.fields[0]);
    }
    std::map<std::int64_t, int> uid_count;
    std::map<std::string, int> name_count;
    for (const DbLine& l : passwd->lines) {
        if (auto uid = to_int(field_at(l, 2))) ++uid_count[*uid];
        ++name_count[l.fields[0]];
    }
    const std::int64_t first_user_uid = uid_min(root);
    const auto shells = read_shells(root);
    const std::int64_t today = static_cast<std::int64_t>(std::time(nullptr)) / 86400;

    FactSet out;
    for (const DbLine& l : passwd->lines) {
        Fact f;
        f.object = l.fields[0];
        if (l.fields.size() < 7) {
            out.push_back(Fact::error(f.object, "/etc/passwd:" + std::to_string(l.line) + ": expected 7 fields, found " +
                                                    std::to_string(l.fields.size())));
            continue;
        }
        auto uid = to_int(l.fields[2]);
        auto gid = to_int(l.fields[3]);
        if (!uid || !gid) {
            out.push_back(Fact::error(f.object, "/etc/passwd:" + std::to_string(l.line) + ": uid or gid is not a number"));
            continue;
        }
        f.fields.resize(kAcctFieldCount);
        f.fields[kAcctName] = Value{l.fields[0]};
        f.fields[kAcctUid] = int_value(*uid);
        f.fields[kAcctGid] = int_value(*gid);
        auto gname = group_names.find(*gid);
        f.fields[kAcctGroupExists] = Value{gname != group_names.end()};
        StringList groups;
        if (gname != group_names.end()) {
            f.fields[kAcctGroup] = Value{gname->second};
            groups.push_back(gname->second);
        }
        for (const std::string& g : memberships[l.fields[0]])
            if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
        f.fields[kAcctGroups] = Value{std::move(groups)};
        f.fields[kAcctHome] = Value{l.fields[5]};
        f.fields[kAcctShell] = Value{l.fields[6]};
        const std::string shell = l.fields[6].empty() ? "/bin/sh" : l.fields[6];
        bool login = !refuses_login(shell) && (!shells || shells->count(shell) > 0);
        f.fields[kAcctLoginShell] = Value{login};
        f.fields[kAcctSystem] = Value{*uid < first_user_uid || *uid == 65534};
        f.fields[kAcctDuplicateUid] = Value{uid_count[*uid] > 1};
        f.fields[kAcctDuplicateName] = Value{name_count[l.fields[0]] > 1};
        f.fields[kAcctShadowed] = Value{l.fields[1] == "x"};

        auto sh = shadow_by_name.find(l.fields[0]);
        f.fields[kAcctInShadow] = Value{sh != shadow_by_name.end()};
        if (l.fields[1] != "x") {
            // The hash (or emptiness) in passwd itself is what login checks.
            set_password_fields(f, classify_password(l.fields[1]), kAcctPassword, kAcctHashAlgorithm, kAcctHashCost);
        } else if (sh != shadow_by_name.end()) {
            const DbLine& s = *sh->second;
            set_password_fields(f, classify_password(field_at(s, 1)), kAcctPassword, kAcctHashAlgorithm, kAcctHashCost);
            auto put = [&](std::size_t field, std::size_t col) {
                if (auto v = to_int(field_at(s, col))) f.fields[field] = int_value(*v);
            };
            put(kAcctLastChange, 2);
            put(kAcctMinDays, 3);
            put(kAcctMaxDays, 4);
            put(kAcctWarnDays, 5);
            put(kAcctInactiveDays, 6);
            put(kAcctExpireDate, 7);
            auto last = to_int(field_at(s, 2));
            f.fields[kAcctLastChangeInFuture] = Value{last && *last > today};
        } else {
            f.fields[kAcctPassword] = Value{std::string("disabled")};  // "x" with no shadow entry: no password works
        }
        out.push_back(std::move(f));
    }
    return out;
}

FactSet collect_groups(const CollectContext& ctx, const SelectArgs&) {
    const Sysroot& root = ctx.root;
    auto group = read_db(root, "/etc/group");
    if (!group) return {Fact::error("/etc/group", group.error().describe())};
    if (!group->exists) return {Fact::error("/etc/group", "does not exist")};
    auto gshadow = read_db(root, "/etc/gshadow");
    if (!gshadow) return {Fact::error("/etc/gshadow", gshadow.error().describe())};
    auto passwd = read_db(root, "/etc/passwd");
    if (!passwd) return {Fact::error("/etc/passwd", passwd.error().describe())};

    std::map<std::string, const DbLine*> gshadow_by_name;
    for (const DbLine& l : gshadow->lines) gshadow_by_name.try_emplace(l.fields[0], &l);
    std::map<std::int64_t, StringList> primary;
    for (const DbLine& l : passwd->lines)
        if (auto gid = to_int(field_at(l, 3))) primary[*gid].push_back(l.fields[0]);
    std::map<std::int64_t, int> gid_count;
    std::map<std::string, int> name_count;
    for (const DbLine& l : group->lines) {
        if (auto gid = to_int(field_at(l, 2))) ++gid_count[*gid];
        ++name_count[l.fields[0]];
    }

    FactSet out;
    for (const DbLine& l : group->lines) {
        auto gid = to_int(field_at(l, 2));
        if (l.fields.size() < 4 || !gid) {
            out.push_back(Fact::error(l.fields[0], "/etc/group:" + std::to_string(l.line) + ": malformed entry"));
            continue;
        }
        Fact f;
        f.object = l.fields[0];
        f.fields.resize(kGrpFieldCount);
        f.fields[kGrpName] = Value{l.fields[0]};
        f.fields[kGrpGid] = int_value(*gid);
        f.fields[kGrpMembers] = Value{split_commas(l.fields[3])};
        f.fields[kGrpPrimaryMembers] = Value{primary[*gid]};
        f.fields[kGrpDuplicateGid] = Value{gid_count[*gid] > 1};
        f.fields[kGrpDuplicateName] = Value{name_count[l.fields[0]] > 1};
        auto gs = gshadow_by_name.find(l.fields[0]);
        f.fields[kGrpInGshadow] = Value{gs != gshadow_by_name.end()};
        std::string_view pw = l.fields[1];
        if (pw == "x" && gs != gshadow_by_name.end()) pw = field_at(*gs->second, 1);
        PasswordInfo info = pw == "x" ? PasswordInfo{"disabled", "", std::nullopt} : classify_password(pw);
        f.fields[kGrpPassword] = Value{info.state};
        if (!info.algorithm.empty()) f.fields[kGrpHashAlgorithm] = Value{info.algorithm};
        out.push_back(std::move(f));
    }
    return out;
}

const CollectorEntry kAccountsCollector{
    "accounts", Scope::root, kAccountFields, {}, collect_accounts,
    "each /etc/passwd entry with its shadow password state (algorithm only), aging and groups\n"
    "\n"
    "One object per /etc/passwd line, named by the user, joined with its /etc/shadow "
    "entry and with the /etc/group entries that list it. A password hash never leaves the "
    "collector: `password` says whether one is set, empty, locked or disabled, and "
    "`hash_algorithm` and `hash_cost` how it was made. When /etc/passwd, /etc/shadow or "
    "/etc/group cannot be read the whole select is one error with the reason; a malformed "
    "line is an error for that entry.",
};

const CollectorEntry kGroupsCollector{
    "groups", Scope::root, kGroupFields, {}, collect_groups,
    "each /etc/group entry with its members and gshadow state\n"
    "\n"
    "One object per /etc/group line, named by the group, joined with /etc/gshadow and "
    "with the accounts of /etc/passwd whose primary group it is. Like `accounts`, a group "
    "password is reported only as its state and algorithm. An unreadable /etc/group, "
    "/etc/gshadow or /etc/passwd makes the whole select one error; a malformed line is an "
    "error for that entry.",
};

}  // namespace triad::scanner
