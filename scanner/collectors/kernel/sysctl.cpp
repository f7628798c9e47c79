// SPDX-License-Identifier: Apache-2.0
// The `sysctl` collector (see sysctl.h). The configured value follows systemd-sysctl:
// sysctl.d directories by priority, same-named files hidden, the rest applied in name
// order; /etc/sysctl.conf comes last unless a sysctl.d entry already is that file (Debian's
// 99-sysctl.conf symlink), as procps' `sysctl --system` does.
#include "scanner/collectors/kernel/sysctl.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "scanner/collectors/kernel/sysctl_internal.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace sysctl_internal {

std::string key_to_path(std::string_view key) {
    std::string out(key);
    while (!out.empty() && (out.front() == '.' || out.front() == '/')) out.erase(0, 1);
    const std::size_t sep = out.find_first_of("./");
    if (sep != std::string::npos && out[sep] == '.')
        for (char& c : out) c = c == '.' ? '/' : c == '/' ? '.' : c;
    return out;
}

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}
}  // namespace

std::vector<Assignment> parse_sysctl_conf(std::string_view text) {
    std::vector<Assignment> out;
    int number = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++number;
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = trim(line.substr(0, eq));
        if (!key.empty() && key.front() == '-') key = trim(key.substr(1));  // "-key": ignore failures
        if (key.empty()) continue;
        out.push_back({std::string(key), std::string(trim(line.substr(eq + 1))), number});
    }
    return out;
}

bool assignment_sets(std::string_view assignment_key, std::string_view key) {
    const std::string pattern = key_to_path(assignment_key), path = key_to_path(key);
    if (pattern.find_first_of("*?[") == std::string::npos) return pattern == path;
    return ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
}

std::vector<std::string> config_order(const std::vector<std::pair<std::string, std::vector<std::string>>>& listings) {
    std::map<std::string, std::string> by_name;  // name -> the highest-priority directory's path
    for (const auto& [dir, names] : listings)
        for (const std::string& n : names) by_name.emplace(n, dir + "/" + n);
    std::vector<std::string> out;
    for (auto& [name, path] : by_name) out.push_back(path);
    return out;
}

}  // namespace sysctl_internal

namespace {

using namespace sysctl_internal;

constexpr FieldSpec kFields[] = {
    {"key", ValueKind::string, "the parameter, dotted (kernel.randomize_va_space)"},
    {"source", ValueKind::string, "live (/proc/sys), configured (sysctl.d files) or drift (both)"},
    {"value", ValueKind::string, "the value; compare numbers with `as: integer`"},
    {"set", ValueKind::boolean, "configured: some file sets it (else the default applies)"},
    {"file", ValueKind::string, "configured: the file whose assignment wins"},
    {"line", ValueKind::integer, "configured: its line"},
    {"defaulted", ValueKind::boolean, "configured: no file sets it; value is the select's `default`"},
    {"configured", ValueKind::string, "drift: the value the winning configuration file sets (absent when no file sets it)"},
    {"drift", ValueKind::boolean, "drift: a file sets the parameter and the live value differs from it"},
};
static_assert(std::size(kFields) == kSysctlFieldCount);

constexpr ArgSpec kArgs[] = {
    {"key", ArgKind::list, true, "parameter name(s), dotted or slashed"},
    {"source", ArgKind::choice, true, "live value, configured value, or drift (the live value compared with the configured one)",
     "live|configured|drift"},
    {"default", ArgKind::string, false, "configured: the kernel's value when no file sets it"},
    {"if_missing", ArgKind::choice, false,
     "live: a parameter this kernel does not have is left out (skip, default: not_applicable with the reason) or fails "
     "the check (fail: the parameter belongs to a protection the kernel lacks, like Yama's ptrace_scope)",
     "skip|fail"},
};

constexpr const char* kConfigDirs[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
                                       "/lib/sysctl.d"};
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

// Parameters whose absence has a known cause worth naming in the verdict.
std::string absent_reason(const std::string& key, const std::string& path) {
    if (path.starts_with("kernel/yama/"))
        return "the Yama LSM is not active in this kernel (no /proc/sys/kernel/yama); " + key + " does not exist";
    return "this kernel has no parameter " + key + " (/proc/sys/" + path + " does not exist)";
}

Fact base_fact(const std::string& key, const char* source) {
    Fact f;
    f.object = key;
    f.fields.resize(kSysctlFieldCount);
    f.fields[kSysctlKey] = Value{key};
    f.fields[kSysctlSource] = Value{std::string(source)};
    return f;
}

Fact live_fact(const CollectContext& ctx, const std::string& key) {
    if (!ctx.proc) return Fact::not_applicable(key, "needs the running system (/proc/sys); not available for an offline root");
    const std::string path = key_to_path(key);
    auto text = ctx.proc->read_file("sys/" + path, 64 * 1024);
    if (!text) {
        if (text.error().code == ErrorCode::not_found) {
            // Absent, with the reason: the check's if_missing decides whether that is a
            // failure (a missing protection) or nothing to judge.
            Fact missing = Fact::error(key, absent_reason(key, path));
            missing.status = FactStatus::absent;
            return missing;
        }
        return Fact::error(key, text.error().describe());
    }
    std::string value(*text);
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    std::replace(value.begin(), value.end(), '\t', ' ');
    Fact f = base_fact(key, "live");
    f.origin = ValueOrigin::read_at("/proc/sys/" + path, 0);
    f.fields[kSysctlValue] = Value{value};
    f.fields[kSysctlSet] = Value{true};
    f.fields[kSysctlDefaulted] = Value{false};
    return f;
}

struct ConfigFile {
    std::string path;
    std::vector<Assignment> assignments;
};

// The *.conf names of one sysctl.d directory; a directory that cannot be listed is an error
// (list_directory), since any key might be set in a file we cannot see.
Result<std::vector<std::string>> list_conf(const Sysroot& root, const std::string& dir) {
    auto names = list_directory(root, dir);
    if (!names) return Error{names.error().code, names.error().describe(), dir};
    std::erase_if(*names, [](std::string_view n) { return !(n.size() > 5 && n.ends_with(".conf") && n.front() != '.'); });
    return names;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> identity(const Sysroot& root, const std::string& path) {
    auto fd = root.open_path(path, O_PATH, /*follow_final=*/true);
    if (!fd) return std::nullopt;
    struct statx st {};
    if (::statx(fd->get(), "", AT_EMPTY_PATH, STATX_INO, &st) != 0) return std::nullopt;
    return std::pair{(std::uint64_t{st.stx_dev_major} << 32) | st.stx_dev_minor, std::uint64_t{st.stx_ino}};
}

// Reads the files in the order they apply; a file that cannot be read is an error about
// every key, because any of them might be set there.
Result<std::vector<ConfigFile>> read_config(const Sysroot& root) {
    std::vector<std::pair<std::string, std::vector<std::string>>> listings;
    for (const char* dir : kConfigDirs) {
        auto names = list_conf(root, dir);
        if (!names) return names.error();
        listings.emplace_back(dir, std::move(*names));
    }
    std::vector<std::string> order = config_order(listings);
    const auto main_conf = identity(root, "/etc/sysctl.conf");
    if (main_conf && std::none_of(order.begin(), order.end(), [&](const std::string& p) { return identity(root, p) == main_conf; }))
        order.push_back("/etc/sysctl.conf");
    std::vector<ConfigFile> out;
    // The sysctl.d directories together are bounded as includes are (docs/limits.md): any
    // key might be set in a file past the budget, so tripping it is an error for every key.
    IncludeBudget budget;
    for (const std::string& path : order) {
        // A symlink to /dev/null masks the same-named file of a lower directory.
        if (auto target = root.read_link(path); target && *target == "/dev/null") continue;
        auto text = root.read_file(path, kMaxConfigBytes);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;  // dangling symlink: nothing applied
            return Error{text.error().code, "cannot read " + path + ": " + text.error().message, path};
        }
        if (std::string why = budget.charge(path, *text); !why.empty()) return Error{ErrorCode::invalid_input, why, path};
        out.push_back({path, parse_sysctl_conf(*text)});
    }
    return out;
}

Fact configured_fact(const std::vector<ConfigFile>& files, const std::string& key, const std::string* default_value) {
    const ConfigFile* where = nullptr;
    const Assignment* winner = nullptr;
    for (const ConfigFile& f : files)
        for (const Assignment& a : f.assignments)
            if (assignment_sets(a.key, key)) {
                where = &f;
                winner = &a;
            }
    if (!winner && !default_value)
        return Fact::not_applicable(key, key + " is not set in any sysctl configuration file; the kernel's default applies");
    Fact f = base_fact(key, "configured");
    f.fields[kSysctlSet] = Value{winner != nullptr};
    f.fields[kSysctlDefaulted] = Value{winner == nullptr};
    if (winner) {
        f.fields[kSysctlValue] = Value{winner->value};
        f.fields[kSysctlFile] = Value{where->path};
        f.fields[kSysctlLine] = Value{std::int64_t{winner->line}};
        f.origin = ValueOrigin::read_at(where->path, winner->line);
    } else {
        f.fields[kSysctlValue] = Value{*default_value};
        f.origin = ValueOrigin::not_set_in("the sysctl.d files and /etc/sysctl.conf", true);
    }
    return f;
}

// Values compare as the kernel prints them: sysctl.d may separate the numbers of a vector
// parameter (net.ipv4.ip_local_port_range) with spaces where /proc/sys prints a tab.
std::string normalized(std::string_view v) {
    std::string out;
    bool blank = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            blank = !out.empty();
            continue;
        }
        if (blank) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

// The live value beside the configured one: a difference means the running kernel is not
// in the state its configuration promises (systemd-sysctl did not run, or someone changed
// it since with sysctl -w), and the next boot will change it back.
Fact drift_fact(const CollectContext& ctx, const std::vector<ConfigFile>& files, const std::string& key) {
    Fact f = live_fact(ctx, key);
    if (f.status != FactStatus::ok) return f;
    f.fields[kSysctlSource] = Value{std::string("drift")};
    Fact configured = configured_fact(files, key, nullptr);
    if (configured.status != FactStatus::ok) {  // no file sets it: nothing to drift from
        f.fields[kSysctlSet] = Value{false};
        f.fields[kSysctlDrift] = Value{false};
        return f;
    }
    const std::string& want = std::get<std::string>(configured.fields[kSysctlValue]->data);
    const std::string& have = std::get<std::string>(f.fields[kSysctlValue]->data);
    f.fields[kSysctlConfigured] = Value{want};
    f.fields[kSysctlFile] = configured.fields[kSysctlFile];
    f.fields[kSysctlLine] = configured.fields[kSysctlLine];
    f.fields[kSysctlDrift] = Value{normalized(want) != normalized(have)};
    return f;
}

}  // namespace

std::span<const FieldSpec> sysctl_fields() { return kFields; }

FactSet collect_sysctl(const CollectContext& ctx, const SelectArgs& args) {
    FactSet out;
    const std::string* source = args.string("source");
    const bool live = source && *source == "live";
    if (live) {
        for (const std::string& key : args.list("key")) out.push_back(live_fact(ctx, key));
        return out;
    }
    const bool drift = source && *source == "drift";
    if (drift && !ctx.proc) {
        for (const std::string& key : args.list("key"))
            out.push_back(Fact::not_applicable(key, "needs the running system (/proc/sys) to compare with; not available for an offline root"));
        return out;
    }
    auto files = read_config(ctx.root);
    for (const std::string& key : args.list("key")) {
        if (!files) out.push_back(Fact::error(key, files.error().message));
        else if (drift) out.push_back(drift_fact(ctx, *files, key));
        else out.push_back(configured_fact(*files, key, args.string("default")));
    }
    return out;
}

const CollectorEntry kSysctlCollector{
    "sysctl", Scope::root, kFields, kArgs, collect_sysctl,
    "a kernel parameter: live (/proc/sys) or configured (sysctl.d, systemd-sysctl's order)\n"
    "\n"
    "One object per `key`. `source: live` reads the running kernel's value under "
    "/proc/sys, so it needs the running system: without it the object is not_applicable. "
    "A parameter the kernel does not have is an absent object with the reason (the Yama "
    "LSM is not active): not_applicable by default, a failure with `if_missing: fail`, "
    "for a parameter whose absence means a protection is missing. `source: configured` "
    "reads what systemd-sysctl applies at boot from the audited root's sysctl.d "
    "directories and /etc/sysctl.conf (a name in /etc hides the same name below it; the "
    "last setting wins), so it works on an offline root; a key no file sets is "
    "not_applicable unless `default` gives the kernel's value. `source: drift` reads "
    "both: `drift` is true when a file sets the parameter and the running kernel's value "
    "differs from it, and `file` and `line` name that file.",
};

}  // namespace triad::scanner
