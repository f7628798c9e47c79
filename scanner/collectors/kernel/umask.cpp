// SPDX-License-Identifier: Apache-2.0
// The `umask` collector (see umask.h). A umask is judged by what it leaves: the mode of a
// new directory (0777 & ~umask) and of a new file (0666 & ~umask), so that a policy says
// `dir_mode at_most 0750` for CIS's "umask 027 or more restrictive".
#include "scanner/collectors/kernel/umask.h"

#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {

std::optional<std::uint32_t> parse_umask(std::string_view w) {
    if (w.empty()) return std::nullopt;
    if (w.find_first_not_of("01234567") == std::string_view::npos) {
        if (w.size() > 4) return std::nullopt;
        std::uint32_t m = 0;
        for (char c : w) m = m * 8 + static_cast<std::uint32_t>(c - '0');
        return m & 0777;
    }
    // Symbolic: the permissions given are those kept; the mask is their complement. Classes
    // not named keep all bits masked (as a fresh `umask u=rwx` leaves g and o at 0, we treat
    // an unnamed class as masked, which is what `umask u=rwx,g=rx,o=` writes out in full).
    std::uint32_t allowed = 0;
    std::size_t start = 0;
    while (start <= w.size()) {
        std::size_t end = w.find(',', start);
        if (end == std::string_view::npos) end = w.size();
        std::string_view clause = w.substr(start, end - start);
        start = end + 1;
        const std::size_t eq = clause.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        std::uint32_t who = 0, perm = 0;
        for (char c : clause.substr(0, eq)) {
            if (c == 'u') who |= 0700;
            else if (c == 'g') who |= 0070;
            else if (c == 'o') who |= 0007;
            else if (c == 'a') who |= 0777;
            else return std::nullopt;
        }
        for (char c : clause.substr(eq + 1)) {
            if (c == 'r') perm |= 0444;
            else if (c == 'w') perm |= 0222;
            else if (c == 'x') perm |= 0111;
            else return std::nullopt;
        }
        allowed = (allowed & ~who) | (perm & who);
        if (end == w.size()) break;
    }
    return ~allowed & 0777;
}

std::optional<UmaskSetting> last_shell_umask(std::string_view text) {
    std::optional<UmaskSetting> last;
    for (const LogicalLine& l : logical_lines(text, /*strip_hash_comments=*/true)) {
        std::string_view s = l.text;
        // Each command of the line: split at ';' and '&&'; a leading "then"/"else" is a keyword.
        std::size_t pos = 0;
        while (pos <= s.size()) {
            std::size_t end = s.find_first_of(";&", pos);
            if (end == std::string_view::npos) end = s.size();
            std::string_view cmd = s.substr(pos, end - pos);
            pos = end + 1;
            while (!cmd.empty() && (cmd.front() == ' ' || cmd.front() == '\t' || cmd.front() == '&')) cmd.remove_prefix(1);
            for (std::string_view kw : {"then ", "else ", "do "})
                if (cmd.starts_with(kw)) cmd.remove_prefix(kw.size());
            while (!cmd.empty() && (cmd.front() == ' ' || cmd.front() == '\t')) cmd.remove_prefix(1);
            if (!cmd.starts_with("umask ") && !cmd.starts_with("umask\t")) continue;
            cmd.remove_prefix(6);
            while (!cmd.empty() && (cmd.front() == ' ' || cmd.front() == '\t')) cmd.remove_prefix(1);
            const std::size_t word_end = cmd.find_first_of(" \t");
            std::string_view word = cmd.substr(0, word_end);
            if (word == "-S" || word == "-p") continue;  // prints the mask, sets nothing
            if (auto m = parse_umask(word)) last = UmaskSetting{*m, l.line};
        }
    }
    return last;
}

namespace {

constexpr FieldSpec kFields[] = {
    {"file", ValueKind::string, "the file"},
    {"set", ValueKind::boolean, "the file sets a umask (login.defs: UMASK; shell files: a umask command)"},
    {"umask", ValueKind::mode, "the mask it sets (the last setting)"},
    {"dir_mode", ValueKind::mode, "the mode of a new directory under that mask (0777 & ~umask)"},
    {"file_mode", ValueKind::mode, "the mode of a new file under that mask (0666 & ~umask)"},
    {"line", ValueKind::integer, "the line that sets it"},
};
static_assert(std::size(kFields) == kUmaskFieldCount);

constexpr ArgSpec kArgs[] = {
    {"kind", ArgKind::choice, false, "login_defs: /etc/login.defs only; shell: the shell start-up files only", "login_defs|shell"},
};

constexpr std::size_t kMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxProfileD = 512;

Fact make(const std::string& file, std::optional<UmaskSetting> setting) {
    Fact f;
    f.object = file;
    f.fields.resize(kUmaskFieldCount);
    f.fields[kUmaskFile] = Value{file};
    f.fields[kUmaskSet] = Value{setting.has_value()};
    if (setting) {
        f.fields[kUmaskValue] = Value{Mode{setting->mask}};
        f.fields[kUmaskDirMode] = Value{Mode{0777 & ~setting->mask}};
        f.fields[kUmaskFileMode] = Value{Mode{0666 & ~setting->mask}};
        f.fields[kUmaskLine] = Value{std::int64_t{setting->line}};
    }
    return f;
}

// login.defs: the last UMASK line (login and pam_umask read it so).
Fact login_defs_fact(const Sysroot& root) {
    auto text = root.read_file("/etc/login.defs", kMaxBytes);
    if (!text) {
        if (text.error().code == ErrorCode::not_found) return make("/etc/login.defs", std::nullopt);
        return Fact::error("/etc/login.defs", text.error().describe());
    }
    std::optional<UmaskSetting> setting;
    for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::whitespace, false, ""}))
        if (e.key == "UMASK") {
            if (auto m = parse_umask(e.value)) setting = UmaskSetting{*m, e.line};
            else setting.reset();
        }
    return make("/etc/login.defs", setting);
}

FactSet collect_umask(const CollectContext& ctx, const SelectArgs& args) {
    FactSet out;
    const std::string* kind = args.string("kind");
    if (!kind || *kind == "login_defs") out.push_back(login_defs_fact(ctx.root));
    if (kind && *kind == "login_defs") return out;
    std::vector<std::string> shells{"/etc/profile", "/etc/bash.bashrc"};
    if (auto more = expand_path_glob(ctx.root, "/etc/profile.d/*.sh")) {
        if (more->size() > kMaxProfileD) more->resize(kMaxProfileD);
        shells.insert(shells.end(), more->begin(), more->end());
    }
    for (const std::string& path : shells) {
        if (ctx.cancelled()) break;
        auto text = ctx.root.read_file(path, kMaxBytes);
        if (!text) {
            // The two standard files are reported even when missing (no umask set there);
            // a profile.d snippet that vanished is simply not there.
            if (text.error().code == ErrorCode::not_found) {
                if (!path.starts_with("/etc/profile.d/")) out.push_back(make(path, std::nullopt));
                continue;
            }
            out.push_back(Fact::error(path, text.error().describe()));
            continue;
        }
        auto setting = last_shell_umask(*text);
        // profile.d snippets are reported only when they set a umask: most do not.
        if (!setting && path.starts_with("/etc/profile.d/")) continue;
        out.push_back(make(path, setting));
    }
    return out;
}

}  // namespace

const CollectorEntry kUmaskCollector{
    "umask", Scope::root, kFields, kArgs, collect_umask,
    "the default umask: UMASK of /etc/login.defs and umask commands of /etc/profile, /etc/bash.bashrc, /etc/profile.d\n"
    "\n"
    "One object per file: /etc/login.defs (its last UMASK), /etc/profile and "
    "/etc/bash.bashrc (always reported; `set: false` when the file or its umask command is "
    "missing) and each /etc/profile.d/*.sh that runs `umask`. Shell files are not "
    "executed: a umask command at the start of a line or after `;`, `&&`, `then` or `else` "
    "counts, the last one winning; octal and symbolic masks are understood. `kind` "
    "selects login.defs or the shell files alone.",
};

}  // namespace triad::scanner
