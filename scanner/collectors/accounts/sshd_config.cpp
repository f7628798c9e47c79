// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"
#include "scanner/collectors/accounts/sshd_config.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "scanner/collectors/accounts/accounts_internal.h"
#include "scanner/config/config_file.h"
#include "scanner/walk/file_entry.h"
#include "scanner/collectors/accounts/sshd_config_internal.h"

namespace triad::scanner {
namespace {

// How a keyword's words become a field.
enum class Kind {
    boolean,     // yes / no
    integer,
    time,        // seconds, from sshd's time format
    word,        // one word, kept as written
    lower,       // one word, lower-cased (permitrootlogin, allowtcpforwarding...)
    upper,       // one word, upper-cased (loglevel)
    accumulate,  // every word of every line (AllowUsers...)
    algorithms,  // +/-/^ list over the default (Ciphers, MACs, KexAlgorithms)
};

struct Setting {
    const char* field;
    const char* keyword;   // lower case
    Kind kind;
    const char* fallback;  // Debian 12 OpenSSH 9.2p1 built-in default (what `sshd -T` shows for an empty file)
    const char* doc;
};

// The defaults were read from `sshd -T -f /dev/null` of Debian 12's openssh-server 1:9.2p1.
constexpr Setting kSettings[] = {
    {"permit_root_login", "permitrootlogin", Kind::lower, "prohibit-password", "PermitRootLogin: yes, prohibit-password, forced-commands-only or no"},
    {"password_authentication", "passwordauthentication", Kind::boolean, "yes", "PasswordAuthentication"},
    {"permit_empty_passwords", "permitemptypasswords", Kind::boolean, "no", "PermitEmptyPasswords"},
    {"x11_forwarding", "x11forwarding", Kind::boolean, "no", "X11Forwarding"},
    {"max_auth_tries", "maxauthtries", Kind::integer, "6", "MaxAuthTries"},
    {"login_grace_time", "logingracetime", Kind::time, "120", "LoginGraceTime in seconds (0: no limit)"},
    {"client_alive_interval", "clientaliveinterval", Kind::time, "0", "ClientAliveInterval in seconds"},
    {"client_alive_count_max", "clientalivecountmax", Kind::integer, "3", "ClientAliveCountMax"},
    {"max_sessions", "maxsessions", Kind::integer, "10", "MaxSessions"},
    {"max_startups", "maxstartups", Kind::word, "10:30:100", "MaxStartups as written (start:rate:full)"},
    {"log_level", "loglevel", Kind::upper, "INFO", "LogLevel, upper case"},
    {"hostbased_authentication", "hostbasedauthentication", Kind::boolean, "no", "HostbasedAuthentication"},
    {"ignore_rhosts", "ignorerhosts", Kind::lower, "yes", "IgnoreRhosts: yes, shosts-only or no"},
    {"permit_user_environment", "permituserenvironment", Kind::word, "no", "PermitUserEnvironment: yes, no or a pattern list"},
    {"use_pam", "usepam", Kind::boolean, "no", "UsePAM (Debian's shipped sshd_config sets yes)"},
    {"kbd_interactive_authentication", "kbdinteractiveauthentication", Kind::boolean, "yes", "KbdInteractiveAuthentication (alias ChallengeResponseAuthentication)"},
    {"pubkey_authentication", "pubkeyauthentication", Kind::boolean, "yes", "PubkeyAuthentication"},
    {"allow_tcp_forwarding", "allowtcpforwarding", Kind::lower, "yes", "AllowTcpForwarding: yes, all, local, remote or no"},
    {"allow_agent_forwarding", "allowagentforwarding", Kind::boolean, "yes", "AllowAgentForwarding"},
    {"gssapi_authentication", "gssapiauthentication", Kind::boolean, "no", "GSSAPIAuthentication"},
    {"disable_forwarding", "disableforwarding", Kind::boolean, "no", "DisableForwarding"},
    {"permit_tunnel", "permittunnel", Kind::lower, "no", "PermitTunnel"},
    {"strict_modes", "strictmodes", Kind::boolean, "yes", "StrictModes"},
    {"banner", "banner", Kind::word, "none", "Banner file, or none"},
    {"allow_users", "allowusers", Kind::accumulate, "", "AllowUsers patterns, every line"},
    {"allow_groups", "allowgroups", Kind::accumulate, "", "AllowGroups patterns, every line"},
    {"deny_users", "denyusers", Kind::accumulate, "", "DenyUsers patterns, every line"},
    {"deny_groups", "denygroups", Kind::accumulate, "", "DenyGroups patterns, every line"},
    {"ciphers", "ciphers", Kind::algorithms,
     "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
     "effective Ciphers list"},
    {"macs", "macs", Kind::algorithms,
     "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
     "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
     "effective MACs list"},
    {"kex_algorithms", "kexalgorithms", Kind::algorithms,
     "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
     "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
     "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256",
     "effective KexAlgorithms list"},
    {"host_key_algorithms", "hostkeyalgorithms", Kind::algorithms,
     "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,"
     "ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
     "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,"
     "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
     "rsa-sha2-512,rsa-sha2-256",
     "effective HostKeyAlgorithms list (the signature algorithms the server offers for its host keys)"},
};
constexpr std::size_t kSettingCount = std::size(kSettings);

// Fields: the settings, then these.
enum Extra : std::size_t { kMatch = kSettingCount, kFiles, kConfigExists, kValue, kDefaulted, kFieldCount };

std::vector<FieldSpec> make_fields() {
    std::vector<FieldSpec> f;
    for (const Setting& s : kSettings) {
        ValueKind k = s.kind == Kind::boolean ? ValueKind::boolean
                      : s.kind == Kind::integer || s.kind == Kind::time ? ValueKind::integer
                      : s.kind == Kind::accumulate || s.kind == Kind::algorithms ? ValueKind::list
                                                                                  : ValueKind::string;
        f.push_back({s.field, k, s.doc});
    }
    f.push_back({"match", ValueKind::string, "the Match criteria of a block; absent for the global settings"});
    f.push_back({"files", ValueKind::list, "the configuration files read, in order"});
    f.push_back({"config_exists", ValueKind::boolean, "/etc/ssh/sshd_config exists"});
    f.push_back({"value", ValueKind::string, "the effective value of the keyword named by select's `key` (words joined by blanks)"});
    f.push_back({"defaulted", ValueKind::boolean, "the `key` keyword is not set: `value` is select's `default`"});
    return f;
}

const std::vector<FieldSpec>& fields_table() {
    static const std::vector<FieldSpec> fields = make_fields();
    return fields;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string canonical_keyword(std::string_view word) {
    std::string k = lower(word);
    if (k == "challengeresponseauthentication") return "kbdinteractiveauthentication";
    return k;
}

struct Line {
    std::vector<std::string> words;  // words[0] is the canonical keyword
    std::string file;
    int line = 0;
};

struct Block {
    std::string criteria;  // empty: global
    std::vector<Line> lines;
};

constexpr int kMaxIncludeDepth = 16;  // sshd's READCONF_MAX_DEPTH
// Includes fan out (a glob in every file) and may name one big file many times: what all
// files of the configuration read together is bounded (IncludeBudget), and so is the number
// of Match blocks (real configurations have a few dozen; each becomes a fact).
constexpr std::size_t kMaxMatchBlocks = 1024;

struct Reader {
    const Sysroot& root;
    std::vector<Block> blocks{Block{}};
    std::vector<std::string> files;
    std::string error;
    IncludeBudget budget{};

    // Reads `path` into the block `current` (and the blocks its Match lines open).
    void read(const std::string& path, std::size_t current, int depth) {
        if (!error.empty()) return;
        if (depth > kMaxIncludeDepth) {
            error = path + ": Include nested deeper than " + std::to_string(kMaxIncludeDepth) + " levels";
            return;
        }
        auto text = root.read_file(path);
        if (!text) {
            if (text.error().code != ErrorCode::not_found) error = text.error().describe();
            return;
        }
        if (std::string why = budget.charge(path, *text); !why.empty()) {
            error = std::move(why);
            return;
        }
        files.push_back(path);
        const std::string base_criteria = blocks[current].criteria;
        std::string_view rest = *text;
        int line_no = 0;
        while (!rest.empty()) {
            std::size_t nl = rest.find('\n');
            std::string_view raw = rest.substr(0, nl);
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
            ++line_no;
            std::vector<std::string> words = split_sshd_words(raw);
            if (words.empty()) continue;
            words[0] = canonical_keyword(words[0]);
            if (words[0] == "match") {
                std::string criteria;
                for (std::size_t i = 1; i < words.size(); ++i) criteria += (criteria.empty() ? "" : " ") + words[i];
                // A Match inside a file included from a Match block applies only when both match.
                if (!base_criteria.empty()) criteria = base_criteria + " " + criteria;
                if (blocks.size() > kMaxMatchBlocks) {
                    error = path + ":" + std::to_string(line_no) + ": more than " + std::to_string(kMaxMatchBlocks) +
                            " Match blocks (the Match block budget); not read further";
                    return;
                }
                blocks.push_back(Block{criteria.empty() ? "all" : criteria, {}});
                current = blocks.size() - 1;
                continue;
            }
            if (words[0] == "include") {
                // sshd refuses to start on either ("no argument after keyword", "keyword
                // Include empty argument"): the configuration is broken, not empty.
                const std::string at = path + ":" + std::to_string(line_no) + ": ";
                if (words.size() < 2) {
                    error = at + "Include without an argument (sshd refuses this configuration)";
                    return;
                }
                for (std::size_t i = 1; i < words.size(); ++i) {
                    if (words[i].empty()) {
                        error = at + "Include with an empty argument (sshd refuses this configuration)";
                        return;
                    }
                    std::string pattern = words[i].front() == '/' ? words[i] : "/etc/ssh/" + words[i];
                    auto matches = expand_path_glob(root, pattern);
                    if (!matches) {
                        error = matches.error().describe();
                        return;
                    }
                    for (const std::string& m : *matches) read(m, current, depth + 1);
                    if (!error.empty()) return;  // a budget tripped below: stop here too
                }
                continue;
            }
            blocks[current].lines.push_back(Line{std::move(words), path, line_no});
        }
    }
};

// The words of the first line that sets `keyword` in a block, or every word of every line.
struct Found {
    std::vector<std::string> words;
    const Line* line = nullptr;
};

Found find_first(const Block& b, std::string_view keyword) {
    for (const Line& l : b.lines)
        if (l.words[0] == keyword) return Found{{l.words.begin() + 1, l.words.end()}, &l};
    return {};
}

Found find_all(const Block& b, std::string_view keyword) {
    Found f;
    for (const Line& l : b.lines)
        if (l.words[0] == keyword) {
            f.words.insert(f.words.end(), l.words.begin() + 1, l.words.end());
            if (!f.line) f.line = &l;
        }
    return f;
}

std::string where(const Line& l) { return l.file + ":" + std::to_string(l.line); }

// Converts the words set for one setting (or its default) into the field's value.
Result<Value> convert(const Setting& s, const std::vector<std::string>& words, const Line* line) {
    auto bad = [&](const std::string& why) {
        return Error{ErrorCode::invalid_input, std::string(s.keyword) + ": " + why, line ? where(*line) : "default"};
    };
    if (s.kind == Kind::accumulate) return Value{StringList(words)};
    if (words.empty()) return bad("missing argument");
    const std::string& w = words[0];
    switch (s.kind) {
        case Kind::boolean: {
            std::string v = lower(w);
            if (v == "yes") return Value{true};
            if (v == "no") return Value{false};
            return bad("expected yes or no, found '" + w + "'");
        }
        case Kind::integer: {
            std::int64_t v = 0;
            auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
            if (ec != std::errc{} || p != w.data() + w.size()) return bad("not a number: '" + w + "'");
            return Value{v};
        }
        case Kind::time:
            if (auto t = parse_sshd_time(w)) return Value{*t};
            return bad("not a time: '" + w + "'");
        case Kind::lower: {
            std::string v = lower(w);
            if (v == "without-password") v = "prohibit-password";  // the old name sshd still accepts
            return Value{v};
        }
        case Kind::upper: {
            std::string v(w);
            for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return Value{v};
        }
        case Kind::word: return Value{w};
        case Kind::algorithms: return Value{apply_algorithm_list(split_commas(s.fallback), w)};
        case Kind::accumulate: break;
    }
    return bad("unhandled");
}

}  // namespace

std::vector<std::string> split_sshd_words(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (i < line.size()) {
        while (i < line.size() && blank(line[i])) ++i;
        if (i >= line.size() || line[i] == '#') break;
        std::string word;
        if (line[i] == '"') {
            ++i;
            while (i < line.size() && line[i] != '"') word += line[i++];
            if (i < line.size()) ++i;
        } else {
            while (i < line.size() && !blank(line[i]) && line[i] != '"') {
                // "Keyword=value": the first '=' of the first word separates.
                if (words.empty() && line[i] == '=') break;
                word += line[i++];
            }
            if (words.empty() && i < line.size() && line[i] == '=') {
                ++i;
                if (!word.empty()) words.push_back(std::move(word));
                continue;
            }
        }
        words.push_back(std::move(word));
    }
    // "Keyword = value": a lone "=" after the keyword is a separator too.
    if (words.size() >= 2 && words[1] == "=") words.erase(words.begin() + 1);
    return words;
}

std::optional<std::int64_t> parse_sshd_time(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t n = 0;
        std::size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            n = n * 10 + (text[i] - '0');
            if (n > 1'000'000'000) return std::nullopt;
            ++i;
        }
        if (i == start) return std::nullopt;
        std::int64_t mult = 1;
        if (i < text.size()) {
            switch (std::tolower(static_cast<unsigned char>(text[i]))) {
                case 's': mult = 1; break;
                case 'm': mult = 60; break;
                case 'h': mult = 3600; break;
                case 'd': mult = 86400; break;
                case 'w': mult = 604800; break;
                default: return std::nullopt;
            }
            ++i;
        }
        total += n * mult;
        if (total > 1'000'000'000'000) return std::nullopt;  // no real timeout; keeps the sum from overflowing
    }
    return total;
}

std::vector<std::string> apply_algorithm_list(const std::vector<std::string>& defaults, std::string_view spec) {
    if (spec.empty()) return defaults;
    const char op = spec.front();
    if (op != '+' && op != '-' && op != '^') return split_commas(spec);
    std::vector<std::string> items = split_commas(spec.substr(1));
    std::vector<std::string> out;
    if (op == '-') {
        for (const std::string& d : defaults)
            if (std::none_of(items.begin(), items.end(),
                             [&](const std::string& p) { return ::fnmatch(p.c_str(), d.c_str(), 0) == 0; }))
                out.push_back(d);
        return out;
    }
    if (op == '^') out = items;
    else out = defaults;
    const std::vector<std::string>& rest = op == '^' ? defaults : items;
    for (const std::string& r : rest)
        if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
    return out;
}

std::span<const FieldSpec> sshd_fields() { return fields_table(); }

FactSet collect_sshd(const CollectContext& ctx, const SelectArgs& args) {
    const std::string main_file = "/etc/ssh/sshd_config";
    Reader reader{ctx.root, {Block{}}, {}, {}, {}};
    reader.read(main_file, 0, 0);
    if (!reader.error.empty()) return {Fact::error(main_file, reader.error)};
    // Without a server configuration there is no sshd to judge (the package is not installed).
    if (reader.files.empty() || reader.files.front() != main_file)
        return {Fact::not_applicable(main_file, main_file + " does not exist: no OpenSSH server is configured")};
    const bool exists = true;

    const std::string* key = args.string("key");
    const std::string* key_default = args.string("default");
    const std::string wanted = key ? canonical_keyword(*key) : std::string();

    std::string files_read;  // where an unset keyword was looked for
    for (const std::string& file : reader.files) files_read += (files_read.empty() ? "" : ", ") + file;

    FactSet out;
    const Block& global = reader.blocks.front();
    for (const Block& block : reader.blocks) {
        Fact f;
        const bool is_global = &block == &global;
        f.object = is_global ? std::string("sshd") : "sshd Match " + block.criteria;
        f.fields.resize(kFieldCount);
        bool failed = false;
        for (std::size_t i = 0; i < kSettingCount && !failed; ++i) {
            const Setting& s = kSettings[i];
            Found found = s.kind == Kind::accumulate ? find_all(block, s.keyword) : find_first(block, s.keyword);
            if (!found.line && !is_global)
                found = s.kind == Kind::accumulate ? find_all(global, s.keyword) : find_first(global, s.keyword);
            std::vector<std::string> words;
            if (found.line) words = found.words;
            else if (s.kind != Kind::accumulate) words = {s.fallback};
            auto v = convert(s, words, found.line);
            if (!v) {
                out.push_back(Fact::error(f.object, v.error().describe()));
                failed = true;
                break;
            }
            f.fields[i] = std::move(*v);
            f.set_origin(i, found.line ? ValueOrigin::read_at(found.line->file, found.line->line)
                                       : ValueOrigin::not_set_in(files_read, s.kind != Kind::accumulate));
        }
        if (failed) continue;
        if (!is_global) f.fields[kMatch] = Value{block.criteria};
        f.fields[kFiles] = Value{reader.files};
        f.fields[kConfigExists] = Value{exists};
        if (key) {
            Found found = find_first(block, wanted);
            if (!found.line && !is_global) found = find_first(global, wanted);
            if (found.line) {
                std::string joined;
                for (const std::string& w : found.words) joined += (joined.empty() ? "" : " ") + w;
                f.fields[kValue] = Value{joined};
            } else if (key_default) {
                f.fields[kValue] = Value{*key_default};
            }
            f.set_origin(kValue, found.line ? ValueOrigin::read_at(found.line->file, found.line->line)
                                            : ValueOrigin::not_set_in(files_read, key_default != nullptr));
            f.fields[kDefaulted] = Value{found.line == nullptr};
        }
        out.push_back(std::move(f));
    }
    return out;
}

namespace {

constexpr ArgSpec kSshdArgs[] = {
    {"key", ArgKind::string, false, "any other sshd keyword, read into the `value` field"},
    {"default", ArgKind::string, false, "what `value` is when `key` is not set"},
};

}  // namespace

const CollectorEntry kSshdCollector{
    "sshd", Scope::root, sshd_fields(), kSshdArgs, collect_sshd,
    "effective OpenSSH server settings: global and per Match block, Include and defaults applied\n"
    "\n"
    "Reads /etc/ssh/sshd_config as sshd does: Include globs relative to /etc/ssh, "
    "keywords without case, the first value of a keyword wins, and the built-in defaults "
    "of Debian 12's OpenSSH 9.2 for keywords that are not set. One object, `sshd`, for "
    "the global settings and one per Match block with that block's settings over the "
    "global ones, as a connection that matches only that block sees them. Without "
    "/etc/ssh/sshd_config the collector is not_applicable (no OpenSSH server is "
    "configured); an unreadable file or a value sshd would reject is an error. Evidence "
    "gives each setting's `source`: the `FILE:LINE` that sets it, or `default (not set in "
    "FILES)` for a built-in default.",
};

}  // namespace triad::scanner
