// SPDX-License-Identifier: Apache-2.0
// The `kernel_modules` collector (see kernel_modules.h). modprobe.d is read as kmod reads
// it: /etc, /run, /usr/local/lib, /usr/lib and /lib modprobe.d, a name in a higher
// directory hiding the same name below, the survivors in name order; the first `install`
// line matching a module is the one modprobe runs (kmod keeps the first, as
// module-init-tools did).
#include "scanner/collectors/kernel/kernel_modules.h"

#include <fnmatch.h>

#include <algorithm>

#include "scanner/collectors/kernel/kernel_modules_internal.h"
#include "scanner/collectors/kernel/sysctl_internal.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace modules_internal {

std::string normalize_module(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

std::vector<std::string> loaded_modules(std::string_view proc_modules) {
    std::vector<std::string> out;
    for (const LogicalLine& l : logical_lines(proc_modules, false)) {
        const std::size_t end = l.text.find(' ');
        if (end == 0 || l.text.empty()) continue;
        out.push_back(normalize_module(l.text.substr(0, end)));
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {
std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}
}  // namespace

std::vector<ModprobeRule> parse_modprobe_conf(std::string_view text) {
    std::vector<ModprobeRule> out;
    for (const LogicalLine& l : logical_lines(text, /*strip_hash_comments=*/true)) {
        const std::vector<std::string> w = words(l.text);
        if (w.size() < 2 || (w[0] != "install" && w[0] != "blacklist")) continue;
        ModprobeRule r{w[0], normalize_module(w[1]), "", l.line};
        if (w[0] == "install") {
            // The command is the rest of the line, after the module name.
            const std::size_t at = l.text.find(w[1], l.text.find("install") + 7) + w[1].size();
            std::string_view rest = std::string_view(l.text).substr(at);
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
            while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
            r.rest = rest;
        }
        out.push_back(std::move(r));
    }
    return out;
}

bool install_disables(std::string_view command) {
    const std::vector<std::string> w = words(command);
    if (w.empty()) return false;
    for (const std::string& word : w)
        if (word.find("modprobe") != std::string::npos || word.find("insmod") != std::string::npos) return false;
    const std::string& program = w[0];
    const std::string base = program.substr(program.rfind('/') == std::string::npos ? 0 : program.rfind('/') + 1);
    return base == "false" || base == "true";
}

}  // namespace modules_internal

namespace {

using namespace modules_internal;

constexpr FieldSpec kFields[] = {
    {"module", ValueKind::string, "the module, '-' spelt '_' as the kernel lists it"},
    {"source", ValueKind::string, "live (/proc/modules) or configured (modprobe.d)"},
    {"loaded", ValueKind::boolean, "live: the running kernel has it loaded"},
    {"disabled", ValueKind::boolean, "configured: an install line makes modprobe run /bin/false (or true) instead of loading it"},
    {"blacklisted", ValueKind::boolean, "configured: a blacklist line keeps its aliases from loading it automatically"},
    {"install", ValueKind::string, "configured: the install command modprobe runs instead, when one is set"},
    {"file", ValueKind::string, "configured: the file of the install line (else of the blacklist line)"},
    {"line", ValueKind::integer, "configured: its line"},
};
static_assert(std::size(kFields) == kModuleFieldCount);

constexpr ArgSpec kArgs[] = {
    {"module", ArgKind::list, true, "module name(s)"},
    {"source", ArgKind::choice, true, "live: loaded now; configured: what modprobe.d lets modprobe do", "live|configured"},
};

constexpr const char* kConfigDirs[] = {"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
                                       "/lib/modprobe.d"};
constexpr std::size_t kMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxFiles = 1024;

struct ConfFile {
    std::string path;
    std::vector<ModprobeRule> rules;
};

Result<std::vector<ConfFile>> read_modprobe_d(const Sysroot& root) {
    std::vector<std::pair<std::string, std::vector<std::string>>> listings;
    for (const char* dir : kConfigDirs) {
        std::vector<std::string> names;
        if (auto paths = expand_path_glob(root, std::string(dir) + "/*.conf"))
            for (const std::string& p : *paths) names.push_back(p.substr(p.rfind('/') + 1));
        listings.emplace_back(dir, std::move(names));
    }
    std::vector<ConfFile> out;
    for (const std::string& path : sysctl_internal::config_order(listings)) {
        if (out.size() == kMaxFiles) break;
        if (auto target = root.read_link(path); target && *target == "/dev/null") continue;  // masked
        auto text = root.read_file(path, kMaxBytes);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;  // dangling symlink
            return Error{text.error().code, text.error().message, path};
        }
        out.push_back({path, parse_modprobe_conf(*text)});
    }
    return out;
}

bool rule_matches(const ModprobeRule& r, const std::string& module) {
    return r.module == module || ::fnmatch(r.module.c_str(), module.c_str(), 0) == 0;
}

Fact configured_fact(const std::vector<ConfFile>& files, const std::string& module) {
    Fact f;
    f.object = module;
    f.fields.resize(kModuleFieldCount);
    f.fields[kModuleName] = Value{module};
    f.fields[kModuleSource] = Value{std::string("configured")};
    const ConfFile* install_file = nullptr;
    const ModprobeRule* install = nullptr;
    const ConfFile* blacklist_file = nullptr;
    const ModprobeRule* blacklist = nullptr;
    for (const ConfFile& file : files)
        for (const ModprobeRule& r : file.rules) {
            if (!rule_matches(r, module)) continue;
            if (r.command == "install" && !install) install = &r, install_file = &file;
            if (r.command == "blacklist" && !blacklist) blacklist = &r, blacklist_file = &file;
        }
    f.fields[kModuleDisabled] = Value{install && install_disables(install->rest)};
    f.fields[kModuleBlacklisted] = Value{blacklist != nullptr};
    if (install) f.fields[kModuleInstall] = Value{install->rest};
    if (install || blacklist) {
        f.fields[kModuleFile] = Value{install ? install_file->path : blacklist_file->path};
        f.fields[kModuleLine] = Value{std::int64_t{install ? install->line : blacklist->line}};
    }
    return f;
}

FactSet collect_kernel_modules(const CollectContext& ctx, const SelectArgs& args) {
    FactSet out;
    const std::string* source = args.string("source");
    if (source && *source == "live") {
        std::optional<Result<std::string>> text;
        if (ctx.proc) text = ctx.proc->read_file("modules", 4 * 1024 * 1024);
        std::vector<std::string> loaded;
        if (text && *text) loaded = loaded_modules(**text);
        for (const std::string& name : args.list("module")) {
            const std::string module = normalize_module(name);
            if (!text) {
                out.push_back(Fact::not_applicable(module, "needs the running system (/proc/modules); not available for an offline root"));
                continue;
            }
            // No /proc/modules: the kernel is built without loadable modules, so none is loaded.
            if (!*text && text->error().code != ErrorCode::not_found) {
                out.push_back(Fact::error(module, "/proc/modules: " + text->error().message));
                continue;
            }
            Fact f;
            f.object = module;
            f.fields.resize(kModuleFieldCount);
            f.fields[kModuleName] = Value{module};
            f.fields[kModuleSource] = Value{std::string("live")};
            f.fields[kModuleLoaded] = Value{std::binary_search(loaded.begin(), loaded.end(), module)};
            out.push_back(std::move(f));
        }
        return out;
    }
    auto files = read_modprobe_d(ctx.root);
    for (const std::string& name : args.list("module")) {
        const std::string module = normalize_module(name);
        if (!files) out.push_back(Fact::error(module, files.error().describe()));
        else out.push_back(configured_fact(*files, module));
    }
    return out;
}

}  // namespace

const CollectorEntry kKernelModulesCollector{
    "kernel_modules", Scope::root, kFields, kArgs, collect_kernel_modules,
    "a kernel module: loaded now (/proc/modules) or kept from loading by modprobe.d\n"
    "\n"
    "One object per `module`. `live` reads the running kernel's /proc/modules (a kernel "
    "without loadable-module support has none, and then no module is loaded); it needs "
    "the running system, else not_applicable. `configured` reads the audited root's "
    "modprobe.d files in kmod's order: `disabled` when the first matching `install` line "
    "runs /bin/false or /bin/true instead of loading the module, `blacklisted` when a "
    "`blacklist` line names it (that stops automatic loading by alias only). A module no "
    "line names is neither.",
};

}  // namespace triad::scanner
