// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"
#include "scanner/collectors/accounts/sudoers.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "scanner/collectors/accounts/accounts_internal.h"
#include "scanner/config/config_file.h"
#include "scanner/walk/file_entry.h"
#include "scanner/collectors/accounts/sudoers_internal.h"

namespace triad::scanner {
namespace {

enum DefaultField : std::size_t {
    kDefName, kDefValue, kDefOp, kDefNegated, kDefScope, kDefBinding, kDefEffective, kDefFile, kDefLine, kDefFieldCount
};
constexpr FieldSpec kDefaultFields[] = {
    {"name", ValueKind::string, "the parameter (use_pty, logfile, authenticate, timestamp_timeout...)"},
    {"value", ValueKind::string, "its value; empty for a flag"},
    {"operator", ValueKind::string, "=, += or -=; empty for a flag"},
    {"negated", ValueKind::boolean, "written as !name: the flag is turned off"},
    {"scope", ValueKind::string, "global, user, host, runas or command (Defaults, Defaults:, @, >, !)"},
    {"binding", ValueKind::string, "the users, hosts, runas users or commands a scoped Defaults applies to"},
    {"effective", ValueKind::boolean, "no later line of the same scope and binding sets this parameter again"},
    {"file", ValueKind::string, "file that sets it"},
    {"line", ValueKind::integer, "line that sets it"},
};
static_assert(std::size(kDefaultFields) == kDefFieldCount);

enum RuleField : std::size_t {
    kRuleUsers, kRuleHosts, kRuleRunas, kRuleCommands, kRuleAllCommands, kRuleNopasswd, kRuleNopasswdCommands,
    kRuleAuthenticate, kRuleTags, kRuleFile, kRuleLine, kRuleFieldCount
};
constexpr FieldSpec kRuleFields[] = {
    {"users", ValueKind::list, "who the rule is for (users, %groups, aliases, #uids)"},
    {"hosts", ValueKind::list, "on which hosts"},
    {"runas", ValueKind::list, "as whom, as written in parentheses; empty means root"},
    {"commands", ValueKind::list, "the commands allowed, without tags"},
    {"all_commands", ValueKind::boolean, "ALL is among the commands"},
    {"nopasswd", ValueKind::boolean, "some command of the rule runs without a password (NOPASSWD)"},
    {"nopasswd_commands", ValueKind::list, "the commands tagged NOPASSWD"},
    {"authenticate", ValueKind::boolean, "sudo asks for a password for every command: no NOPASSWD and no !authenticate for these users"},
    {"tags", ValueKind::list, "tags used on the line (NOPASSWD, NOEXEC, SETENV...)"},
    {"file", ValueKind::string, "file of the rule"},
    {"line", ValueKind::integer, "line of the rule"},
};
static_assert(std::size(kRuleFields) == kRuleFieldCount);

constexpr int kMaxIncludeDepth = 8;  // sudo itself stops at 128; real configurations nest once or twice
// Includedirs fan out: what all files read together may cost is bounded by an IncludeBudget
// (files, bytes, lines) passed down the reading.

const std::set<std::string, std::less<>> kTags = {
    "NOPASSWD", "PASSWD", "NOEXEC", "EXEC", "SETENV", "NOSETENV", "LOG_INPUT", "NOLOG_INPUT", "LOG_OUTPUT",
    "NOLOG_OUTPUT", "MAIL", "NOMAIL", "FOLLOW", "NOFOLLOW", "INTERCEPT", "NOINTERCEPT"};
const std::set<std::string, std::less<>> kOptions = {"ROLE", "TYPE", "TIMEOUT", "NOTBEFORE", "NOTAFTER", "CWD",
                                                    "CHROOT", "APPARMOR_PROFILE", "PRIVS", "LIMITPRIVS"};

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// Cuts a trailing comment: '#' at a word start that is not a "#uid".
std::string strip_comment(std::string_view line) {
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '\\') {
            ++i;
            continue;
        }
        if (c == '"') quoted = !quoted;
        if (quoted || c != '#') continue;
        bool word_start = i == 0 || blank(line[i - 1]) || std::string_view(",(:=!").find(line[i - 1]) != std::string_view::npos;
        bool uid = i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1]));
        if (word_start && !uid) return std::string(line.substr(0, i));
    }
    return std::string(line);
}

// Splits at top-level `sep` (outside quotes and parentheses, not escaped).
std::vector<std::string> split_top(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && i + 1 < s.size()) {
            cur += c;
            cur += s[++i];
            continue;
        }
        if (c == '"') quoted = !quoted;
        if (!quoted) {
            if (c == '(') ++depth;
            if (c == ')' && depth > 0) --depth;
            if (c == sep && depth == 0) {
                out.push_back(trim(cur));
                cur.clear();
                continue;
            }
        }
        cur += c;
    }
    out.push_back(trim(cur));
    return out;
}

std::string unquote(std::string v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
}

void parse_defaults(std::string_view head, std::string_view params, const std::string& file, int line, Sudoers& out) {
    std::string scope = "global", binding;
    if (head.size() > 8) {
        char kind = head[8];
        scope = kind == ':' ? "user" : kind == '@' ? "host" : kind == '>' ? "runas" : kind == '!' ? "command" : "global";
        binding = std::string(head.substr(9));
    }
    for (std::string item : split_top(params, ',')) {
        if (item.empty()) continue;
        SudoDefault d;
        d.scope = scope;
        d.binding = binding;
        d.file = file;
        d.line = line;
        while (!item.empty() && item.front() == '!') {
            d.negated = !d.negated;
            item = trim(item.substr(1));
        }
        std::size_t eq = item.find('=');
        if (eq == std::string::npos) {
            d.name = item;
        } else {
            std::size_t name_end = eq;
            d.op = "=";
            if (eq > 0 && (item[eq - 1] == '+' || item[eq - 1] == '-')) {
                d.op = std::string(1, item[eq - 1]) + "=";
                name_end = eq - 1;
            }
            d.name = trim(item.substr(0, name_end));
            d.value = unquote(trim(item.substr(eq + 1)));
        }
        out.defaults.push_back(std::move(d));
    }
}

// The right side of a user specification: Cmnd_Spec_List [: Host_List = Cmnd_Spec_List]...
void parse_commands(std::string_view spec, SudoRule& rule) {
    std::string runas;
    bool nopasswd = false;
    for (std::string item : split_top(spec, ',')) {
        // Runas_Spec, then Option_Specs and Tag_Specs in any order, then the command.
        if (!item.empty() && item.front() == '(') {
            std::size_t close = item.find(')');
            runas = trim(item.substr(1, close == std::string::npos ? std::string::npos : close - 1));
            if (std::find(rule.runas.begin(), rule.runas.end(), runas) == rule.runas.end()) rule.runas.push_back(runas);
            item = close == std::string::npos ? std::string() : trim(item.substr(close + 1));
        }
        while (true) {
            std::size_t end = 0;
            while (end < item.size() && (std::isupper(static_cast<unsigned char>(item[end])) || item[end] == '_')) ++end;
            if (end == 0 || end >= item.size()) break;
            std::string word = item.substr(0, end);
            if (item[end] == ':' && kTags.count(word)) {
                if (word == "NOPASSWD") nopasswd = true;
                if (word == "PASSWD") nopasswd = false;
                if (std::find(rule.tags.begin(), rule.tags.end(), word) == rule.tags.end()) rule.tags.push_back(word);
                item = trim(item.substr(end + 1));
            } else if (item[end] == '=' && kOptions.count(word)) {
                std::size_t sp = item.find_first_of(" \t", end);
                item = sp == std::string::npos ? std::string() : trim(item.substr(sp));
            } else {
                break;
            }
        }
        if (item.empty()) continue;
        rule.commands.push_back(item);
        if (nopasswd) rule.nopasswd_commands.push_back(item);
    }
}

void parse_user_spec(const std::string& text, const std::string& file, int line, Sudoers& out) {
    std::size_t eq = text.find('=');
    if (eq == std::string::npos) return;  // not a rule sudo would accept; visudo reports it
    // "alice, bob  host1, host2 = ..." : the user list ends at the first blank outside a list.
    std::string left;
    for (std::string_view l = std::string_view(text).substr(0, eq); !l.empty(); l.remove_prefix(1)) {
        if (blank(l.front()) && !left.empty() && left.back() == ',') continue;
        left += l.front();
    }
    left = trim(left);
    std::size_t sp = left.find_first_of(" \t");
    SudoRule rule;
    rule.file = file;
    rule.line = line;
    rule.users = split_commas(left.substr(0, sp));
    std::string first_hosts = sp == std::string::npos ? std::string() : trim(left.substr(sp));
    for (std::string& h : split_commas(first_hosts)) rule.hosts.push_back(std::move(h));

    // Further "Host_List = Cmnd_Spec_List" sections follow a ':' that is not a tag's.
    std::string rest = text.substr(eq + 1);
    std::vector<std::string> sections;
    std::string cur;
    int depth = 0;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        char c = rest[i];
        if (c == '\\' && i + 1 < rest.size()) {
            cur += c;
            cur += rest[++i];
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')' && depth > 0) --depth;
        if (c == ':' && depth == 0) {
            std::size_t w = cur.size();
            while (w > 0 && (std::isupper(static_cast<unsigned char>(cur[w - 1])) || cur[w - 1] == '_')) --w;
            std::size_t next_eq = rest.find('=', i + 1), next_comma = rest.find(',', i + 1);
            if (!kTags.count(cur.substr(w)) && next_eq != std::string::npos && next_eq < next_comma) {
                sections.push_back(cur);
                cur.clear();
                continue;
            }
        }
        cur += c;
    }
    sections.push_back(cur);
    parse_commands(sections.front(), rule);
    for (std::size_t s = 1; s < sections.size(); ++s) {
        std::size_t e = sections[s].find('=');
        for (std::string& h : split_commas(sections[s].substr(0, e))) rule.hosts.push_back(std::move(h));
        if (e != std::string::npos) parse_commands(std::string_view(sections[s]).substr(e + 1), rule);
    }
    out.rules.push_back(std::move(rule));
}

bool starts_word(std::string_view s, std::string_view word) {
    return s.starts_with(word) && (s.size() == word.size() || blank(s[word.size()]));
}

std::string dirname(const std::string& path) {
    std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

struct IncludeState {
    std::vector<std::string> stack;
    IncludeBudget budget;
    // A directory already included adds nothing when included again (its files' rules are
    // the same rules): listing and reading it once keeps `#includedir` repeated N times over
    // M files linear instead of N x M.
    std::set<std::string, std::less<>> dirs_read;
};

void read_one(const Sysroot& root, const std::string& path, int depth, Sudoers& out, IncludeState& state) {
    if (!out.error.empty()) return;
    std::vector<std::string>& stack = state.stack;
    if (depth > kMaxIncludeDepth || std::find(stack.begin(), stack.end(), path) != stack.end()) {
        out.error = path + ": include loop or includes nested deeper than " + std::to_string(kMaxIncludeDepth);
        return;
    }
    auto text = root.read_file(path);
    if (!text) {
        // sudo skips a missing include with a warning; anything else is a real failure.
        if (text.error().code != ErrorCode::not_found || depth == 0) out.error = text.error().describe();
        return;
    }
    if (std::string why = state.budget.charge(path, *text); !why.empty()) {
        out.error = std::move(why);
        return;
    }
    out.files.push_back(path);
    stack.push_back(path);
    parse_sudoers_text(*text, path, out, [&](const std::string& target, bool is_dir) {
        if (!out.error.empty()) return;  // a budget tripped: nothing more is read
        std::string full = target.front() == '/' ? target : dirname(path) + "/" + target;
        if (!is_dir) {
            read_one(root, full, depth + 1, out, state);
            return;
        }
        if (!state.dirs_read.insert(full).second) return;
        auto entries = expand_path_glob(root, full + "/*");
        if (!entries) {
            out.error = entries.error().describe();
            return;
        }
        for (const std::string& e : *entries) {
            if (!out.error.empty()) return;
            std::string name = e.substr(e.rfind('/') + 1);
            // sudoers(5): names ending in '~' or containing '.' are skipped (editor backups, .dpkg-old).
            if (name.empty() || name.back() == '~' || name.find('.') != std::string::npos) continue;
            auto st = root.lstat(e);
            if (st && S_ISDIR(st->stx_mode)) continue;
            read_one(root, e, depth + 1, out, state);
        }
    });
    stack.pop_back();
}

}  // namespace

void parse_sudoers_text(const std::string& text, const std::string& file, Sudoers& out,
                        const std::function<void(const std::string&, bool)>& on_include) {
    for (const LogicalLine& logical : logical_lines(text, /*strip_hash_comments=*/false)) {
        const int logical_start = logical.line;
        std::string line = trim(logical.text);
        if (line.empty()) continue;

        for (auto [word, is_dir] : {std::pair{"#includedir", true}, std::pair{"@includedir", true},
                                    std::pair{"#include", false}, std::pair{"@include", false}}) {
            if (starts_word(line, word)) {
                std::string target = unquote(trim(std::string_view(line).substr(std::string_view(word).size())));
                if (!target.empty()) on_include(target, is_dir);
                line.clear();
                break;
            }
        }
        line = trim(strip_comment(line));
        if (line.empty()) continue;

        if (line.starts_with("Defaults")) {
            std::size_t sp = line.find_first_of(" \t");
            std::string head = line.substr(0, sp);
            if (head == "Defaults" || (head.size() > 8 && std::string_view(":@>!").find(head[8]) != std::string_view::npos)) {
                parse_defaults(head, sp == std::string::npos ? std::string_view{} : std::string_view(line).substr(sp), file,
                               logical_start, out);
                continue;
            }
        }
        bool alias = false;
        for (const char* a : {"User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias"})
            if (starts_word(line, a)) alias = true;
        if (alias) continue;
        parse_user_spec(line, file, logical_start, out);
    }
}

Sudoers read_sudoers(const Sysroot& root, const std::string& path) {
    Sudoers out;
    IncludeState state;
    read_one(root, path, 0, out, state);
    return out;
}

std::span<const FieldSpec> sudo_default_fields() { return kDefaultFields; }
std::span<const FieldSpec> sudo_rule_fields() { return kRuleFields; }

namespace {

// sudo without a sudoers file is not configured (or not installed): nothing to judge.
std::optional<Fact> unusable(const Sysroot& root, const Sudoers& s) {
    if (!s.error.empty()) {
        if (s.files.empty() && !root.lstat("/etc/sudoers"))
            return Fact::not_applicable("/etc/sudoers", "/etc/sudoers does not exist: sudo is not configured");
        return Fact::error("/etc/sudoers", s.error);
    }
    return std::nullopt;
}

}  // namespace

FactSet collect_sudo_defaults(const CollectContext& ctx, const SelectArgs&) {
    Sudoers s = read_sudoers(ctx.root, "/etc/sudoers");
    if (auto bad = unusable(ctx.root, s)) return {std::move(*bad)};
    // The last setting of a parameter within one scope and binding is the one in force.
    std::map<std::string, std::size_t> last;
    for (std::size_t i = 0; i < s.defaults.size(); ++i)
        last[s.defaults[i].scope + "\n" + s.defaults[i].binding + "\n" + s.defaults[i].name] = i;
    FactSet out;
    for (std::size_t i = 0; i < s.defaults.size(); ++i) {
        const SudoDefault& d = s.defaults[i];
        Fact f;
        f.object = d.file + ":" + std::to_string(d.line) + ": Defaults" +
                   (d.scope == "global" ? "" : std::string(d.scope == "user" ? ":" : d.scope == "host" ? "@" : d.scope == "runas" ? ">" : "!") + d.binding) +
                   " " + (d.negated ? "!" : "") + d.name;
        f.fields.resize(kDefFieldCount);
        f.fields[kDefName] = Value{d.name};
        f.fields[kDefValue] = Value{d.value};
        f.fields[kDefOp] = Value{d.op};
        f.fields[kDefNegated] = Value{d.negated};
        f.fields[kDefScope] = Value{d.scope};
        f.fields[kDefBinding] = Value{d.binding};
        f.fields[kDefEffective] = Value{last[d.scope + "\n" + d.binding + "\n" + d.name] == i};
        f.origin = ValueOrigin::read_at(d.file, d.line);
        f.fields[kDefFile] = Value{d.file};
        f.fields[kDefLine] = Value{std::int64_t{d.line}};
        out.push_back(std::move(f));
    }
    return out;
}

FactSet collect_sudo_rules(const CollectContext& ctx, const SelectArgs&) {
    Sudoers s = read_sudoers(ctx.root, "/etc/sudoers");
    if (auto bad = unusable(ctx.root, s)) return {std::move(*bad)};
    // Who has authentication switched off by Defaults: everyone (global) or named users.
    bool global_off = false;
    std::set<std::string> users_off;
    for (const SudoDefault& d : s.defaults) {
        if (d.name != "authenticate") continue;
        if (d.scope == "global") global_off = d.negated;
        else if (d.scope == "user")
            for (const std::string& u : split_commas(d.binding)) {
                if (d.negated) users_off.insert(u);
                else users_off.erase(u);
            }
    }
    FactSet out;
    for (const SudoRule& r : s.rules) {
        Fact f;
        std::string users;
        for (const std::string& u : r.users) users += (users.empty() ? "" : ",") + u;
        f.object = r.file + ":" + std::to_string(r.line) + ": " + users;
        f.fields.resize(kRuleFieldCount);
        f.fields[kRuleUsers] = Value{StringList(r.users)};
        f.fields[kRuleHosts] = Value{StringList(r.hosts)};
        f.fields[kRuleRunas] = Value{StringList(r.runas)};
        f.fields[kRuleCommands] = Value{StringList(r.commands)};
        f.fields[kRuleAllCommands] = Value{std::find(r.commands.begin(), r.commands.end(), "ALL") != r.commands.end()};
        f.fields[kRuleNopasswd] = Value{!r.nopasswd_commands.empty()};
        f.fields[kRuleNopasswdCommands] = Value{StringList(r.nopasswd_commands)};
        bool off = global_off || std::any_of(r.users.begin(), r.users.end(), [&](const std::string& u) { return users_off.count(u) > 0; });
        f.fields[kRuleAuthenticate] = Value{!off && r.nopasswd_commands.empty()};
        f.fields[kRuleTags] = Value{StringList(r.tags)};
        f.origin = ValueOrigin::read_at(r.file, r.line);
        f.fields[kRuleFile] = Value{r.file};
        f.fields[kRuleLine] = Value{std::int64_t{r.line}};
        out.push_back(std::move(f));
    }
    return out;
}

const CollectorEntry kSudoDefaultsCollector{
    "sudo_defaults", Scope::root, kDefaultFields, {}, collect_sudo_defaults,
    "each Defaults parameter of /etc/sudoers and its includes\n"
    "\n"
    "One object per parameter of every Defaults line, in the order sudo reads them: "
    "`#include`/`@include` and `#includedir`/`@includedir` are followed as sudo follows "
    "them, and `scope` and `binding` say whom a Defaults line applies to. Without "
    "/etc/sudoers the collector is not_applicable (sudo is not configured); an unreadable "
    "file, an include loop or includes nested too deep make it an error.",
};

const CollectorEntry kSudoRulesCollector{
    "sudo_rules", Scope::root, kRuleFields, {}, collect_sudo_rules,
    "each sudoers user specification: users, commands, NOPASSWD, authentication\n"
    "\n"
    "One object per user specification of /etc/sudoers and the files it includes, with "
    "its users, hosts, run-as lists, commands and tags, and whether sudo asks for a "
    "password once the Defaults that apply to its users are taken into account. Without "
    "/etc/sudoers the collector is not_applicable; an unreadable file or an include loop "
    "makes it an error.",
};

}  // namespace triad::scanner
