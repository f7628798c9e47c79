// SPDX-License-Identifier: Apache-2.0
// The `coredump` collector (see coredump.h). pam_limits reads limits.conf and then the
// limits.d/*.conf files in name order, a later setting replacing an earlier one; systemd
// reads coredump.conf (from /etc, else /run, else /usr/lib) and then the coredump.conf.d
// drop-ins of /etc, /run, /usr/local/lib and /usr/lib by name, the last assignment winning.
#include "scanner/collectors/kernel/coredump.h"

#include "scanner/collectors/kernel/sysctl_internal.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {

std::optional<CoreLimit> wildcard_hard_core(std::string_view text) {
    std::optional<CoreLimit> last;
    for (const LogicalLine& l : logical_lines(text, /*strip_hash_comments=*/true)) {
        std::vector<std::string> w;
        std::size_t i = 0;
        const std::string& s = l.text;
        while (i < s.size() && w.size() < 5) {
            while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
            const std::size_t start = i;
            while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
            if (i > start) w.push_back(s.substr(start, i - start));
        }
        if (w.size() < 4 || w[0] != "*" || (w[1] != "hard" && w[1] != "-") || w[2] != "core") continue;
        last = CoreLimit{w[3], l.line};
    }
    return last;
}

namespace {

constexpr FieldSpec kFields[] = {
    {"limit_set", ValueKind::boolean, "a limits file sets the hard core limit for every user (`* hard core N`)"},
    {"hard_core_limit", ValueKind::string, "that limit: 0 forbids core dumps; absent when no line sets it"},
    {"limit_file", ValueKind::string, "the file whose line wins"},
    {"limit_line", ValueKind::integer, "its line"},
    {"systemd_coredump", ValueKind::boolean, "systemd-coredump is installed (it then receives every core dump)"},
    {"storage", ValueKind::string, "Storage= of coredump.conf: none, external (the default), journal or both"},
    {"storage_file", ValueKind::string, "the file that sets Storage= (absent: systemd's default applies)"},
    {"process_size_max", ValueKind::string, "ProcessSizeMax=: the largest core processed (default 2G); 0 processes none"},
    {"process_size_max_file", ValueKind::string, "the file that sets ProcessSizeMax="},
};
static_assert(std::size(kFields) == kCoreFieldCount);

constexpr std::size_t kMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxFiles = 512;

Result<std::string> read(const Sysroot& root, const std::string& path) {
    auto text = root.read_file(path, kMaxBytes);
    if (!text) return Error{text.error().code, text.error().message, path};
    return text;
}

std::vector<std::string> dropins(const Sysroot& root, const std::vector<std::string>& dirs, const std::string& suffix) {
    std::vector<std::pair<std::string, std::vector<std::string>>> listings;
    for (const std::string& dir : dirs) {
        std::vector<std::string> names;
        if (auto paths = expand_path_glob(root, dir + "/*" + suffix))
            for (const std::string& p : *paths) names.push_back(p.substr(p.rfind('/') + 1));
        listings.emplace_back(dir, std::move(names));
    }
    auto order = sysctl_internal::config_order(listings);
    if (order.size() > kMaxFiles) order.resize(kMaxFiles);
    return order;
}

// Applies the [Coredump] assignments of one file.
void apply_coredump_conf(std::string_view text, const std::string& path, Fact& f) {
    bool in_section = false;
    for (const LogicalLine& l : logical_lines(text, false)) {
        std::string_view s = l.text;
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        if (s.starts_with("#") || s.starts_with(";") || s.empty()) continue;
        if (s.starts_with("[")) {
            in_section = s.starts_with("[Coredump]");
            continue;
        }
        if (!in_section) continue;
        const std::size_t eq = s.find('=');
        if (eq == std::string_view::npos) continue;
        std::string key(s.substr(0, eq)), value(s.substr(eq + 1));
        while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.pop_back();
        if (key == "Storage") f.fields[kCoreStorage] = Value{value}, f.fields[kCoreStorageFile] = Value{path};
        else if (key == "ProcessSizeMax") f.fields[kCoreProcessSizeMax] = Value{value}, f.fields[kCoreProcessSizeMaxFile] = Value{path};
    }
}

FactSet collect_coredump(const CollectContext& ctx, const SelectArgs&) {
    const Sysroot& root = ctx.root;
    Fact f;
    f.object = "coredump";
    f.fields.resize(kCoreFieldCount);

    std::vector<std::string> limit_files;
    if (root.lstat("/etc/security/limits.conf")) limit_files.push_back("/etc/security/limits.conf");
    for (const std::string& p : dropins(root, {"/etc/security/limits.d"}, ".conf")) limit_files.push_back(p);
    std::optional<std::pair<std::string, CoreLimit>> limit;
    for (const std::string& path : limit_files) {
        auto text = read(root, path);
        if (!text) return {Fact::error("coredump", text.error().describe())};
        if (auto l = wildcard_hard_core(*text)) limit = std::pair{path, *l};
    }
    f.fields[kCoreLimitSet] = Value{limit.has_value()};
    if (limit) {
        f.fields[kCoreHardLimit] = Value{limit->second.value};
        f.fields[kCoreLimitFile] = Value{limit->first};
        f.fields[kCoreLimitLine] = Value{std::int64_t{limit->second.line}};
    }

    f.fields[kCoreSystemdCoredump] =
        Value{root.lstat("/usr/lib/systemd/systemd-coredump").has_value() || root.lstat("/lib/systemd/systemd-coredump").has_value()};
    f.fields[kCoreStorage] = Value{std::string("external")};
    f.fields[kCoreProcessSizeMax] = Value{std::string("2G")};
    std::vector<std::string> conf_files;
    for (const char* main : {"/etc/systemd/coredump.conf", "/run/systemd/coredump.conf", "/usr/lib/systemd/coredump.conf"})
        if (root.lstat(main)) {
            conf_files.push_back(main);
            break;
        }
    for (const std::string& p : dropins(root,
                                        {"/etc/systemd/coredump.conf.d", "/run/systemd/coredump.conf.d",
                                         "/usr/local/lib/systemd/coredump.conf.d", "/usr/lib/systemd/coredump.conf.d"},
                                        ".conf"))
        conf_files.push_back(p);
    for (const std::string& path : conf_files) {
        if (auto target = root.read_link(path); target && *target == "/dev/null") continue;
        auto text = read(root, path);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;
            return {Fact::error("coredump", text.error().describe())};
        }
        apply_coredump_conf(*text, path, f);
    }
    return {f};
}

}  // namespace

const CollectorEntry kCoredumpCollector{
    "coredump", Scope::root, kFields, {}, collect_coredump,
    "core dump limits: `* hard core` of limits.conf/limits.d and systemd-coredump's Storage= and ProcessSizeMax=\n"
    "\n"
    "One object, `coredump`. The hard core limit is the last `* hard core N` (or `* - core "
    "N`) line of /etc/security/limits.conf and then /etc/security/limits.d/*.conf, as "
    "pam_limits reads them; systemd-coredump's settings come from coredump.conf and its "
    "drop-ins, with systemd's defaults (Storage=external, ProcessSizeMax=2G) when no file "
    "sets them. An unreadable file is an error naming it.",
};

}  // namespace triad::scanner
