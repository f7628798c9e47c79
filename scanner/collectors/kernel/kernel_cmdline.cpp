// SPDX-License-Identifier: Apache-2.0
// The `kernel_cmdline` collector (see kernel_cmdline.h). update-grub builds the command line
// of the normal boot entries from GRUB_CMDLINE_LINUX followed by GRUB_CMDLINE_LINUX_DEFAULT,
// after sourcing /etc/default/grub and then /etc/default/grub.d/*.cfg; that is what
// `configured` reproduces. Without GRUB, kernel-install and systemd-boot read /etc/kernel/cmdline.
#include "scanner/collectors/kernel/kernel_cmdline.h"

#include <cctype>

#include "scanner/collectors/kernel/kernel_cmdline_internal.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace cmdline_internal {

std::vector<Param> split_cmdline(std::string_view line) {
    std::vector<Param> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r')) ++i;
        if (i >= line.size()) break;
        std::string word;
        bool quoted = false;
        for (; i < line.size(); ++i) {
            const char c = line[i];
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) break;
            word += c;
        }
        if (word == "--") break;
        Param p;
        const std::size_t eq = word.find('=');
        p.name = word.substr(0, eq);
        if (eq != std::string::npos) {
            p.value = word.substr(eq + 1);
            p.has_value = true;
        }
        out.push_back(std::move(p));
    }
    return out;
}

namespace {
bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
        if (x != y) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The value of a shell word as the shell would assign it: '...' literal, "..." with $VAR
// expanded (only the two command-line variables; others expand to nothing, as when unset),
// an unquoted stretch up to a blank or '#'.
std::string shell_value(std::string_view w, const std::map<std::string, std::string>& vars) {
    std::string out;
    char quote = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        const char c = w[i];
        if (quote == '\'') {
            if (c == '\'') quote = 0;
            else out += c;
            continue;
        }
        if (c == '\'' && !quote) { quote = '\''; continue; }
        if (c == '"') { quote = quote ? 0 : '"'; continue; }
        if (!quote && (c == ' ' || c == '\t' || c == '#')) break;
        if (c == '\\' && i + 1 < w.size()) { out += w[++i]; continue; }
        if (c == '$') {
            std::size_t j = i + 1;
            const bool braced = j < w.size() && w[j] == '{';
            if (braced) ++j;
            std::size_t k = j;
            while (k < w.size() && (std::isalnum(static_cast<unsigned char>(w[k])) || w[k] == '_')) ++k;
            const std::string name(w.substr(j, k - j));
            if (braced && k < w.size() && w[k] == '}') ++k;
            if (auto it = vars.find(name); it != vars.end()) out += it->second;
            i = k - 1;
            continue;
        }
        out += c;
    }
    return out;
}
}  // namespace

std::optional<Param> find_param(const std::vector<Param>& params, std::string_view name) {
    std::optional<Param> last;
    for (const Param& p : params)
        if (same_name(p.name, name)) last = p;
    return last;
}

std::map<std::string, int> apply_grub_defaults(std::string_view text, std::map<std::string, std::string>& vars) {
    std::map<std::string, int> lines;
    for (const LogicalLine& l : logical_lines(text, /*strip_hash_comments=*/false)) {
        std::string_view s = trim(l.text);
        if (s.starts_with("export ")) s = trim(s.substr(7));
        for (const char* name : {"GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX"}) {
            const std::string prefix = std::string(name) + "=";
            if (!s.starts_with(prefix)) continue;
            vars[name] = shell_value(s.substr(prefix.size()), vars);
            lines[name] = l.line;
            break;
        }
    }
    return lines;
}

std::optional<std::pair<std::string, int>> first_linux_line(std::string_view grub_cfg) {
    for (const LogicalLine& l : logical_lines(grub_cfg, /*strip_hash_comments=*/false)) {
        std::string_view s = trim(l.text);
        for (std::string_view cmd : {"linux ", "linux\t", "linuxefi ", "linux16 "}) {
            if (!s.starts_with(cmd)) continue;
            s = trim(s.substr(cmd.size()));
            const std::size_t image_end = s.find_first_of(" \t");  // the kernel image path
            return std::pair{image_end == std::string_view::npos ? std::string() : std::string(trim(s.substr(image_end))), l.line};
        }
    }
    return std::nullopt;
}

}  // namespace cmdline_internal

namespace {

using namespace cmdline_internal;

constexpr FieldSpec kFields[] = {
    {"param", ValueKind::string, "the parameter as the select names it (module.sig_enforce)"},
    {"source", ValueKind::string, "live, configured or grub_cfg"},
    {"present", ValueKind::boolean, "the command line gives the parameter"},
    {"value", ValueKind::string, "its value (the last occurrence wins); empty for a bare flag such as slab_nomerge"},
    {"file", ValueKind::string, "the file the command line comes from (/proc/cmdline, /etc/default/grub, ...)"},
    {"line", ValueKind::integer, "configured, grub_cfg: the line that sets it"},
};
static_assert(std::size(kFields) == kCmdlineFieldCount);

constexpr ArgSpec kArgs[] = {
    {"param", ArgKind::list, true, "parameter name(s); '-' and '_' are the same"},
    {"source", ArgKind::choice, true,
     "live: /proc/cmdline; configured: GRUB_CMDLINE_LINUX* of /etc/default/grub and grub.d (or /etc/kernel/cmdline); "
     "grub_cfg: the first linux line of /boot/grub/grub.cfg",
     "live|configured|grub_cfg"},
};

constexpr std::size_t kMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxSnippets = 256;

// Where a parameter's words came from: the file and line that set them.
struct Segment {
    std::vector<Param> params;
    std::string file;
    int line = 0;
};

struct CommandLine {
    std::vector<Segment> segments;  // in command-line order: a later one wins
};

Result<std::string> read_required(const Sysroot& root, const std::string& path) {
    auto text = root.read_file(path, kMaxBytes);
    if (!text) return Error{text.error().code, text.error().message, path};
    return text;
}

Result<std::optional<CommandLine>> configured_cmdline(const Sysroot& root) {
    auto main = root.read_file("/etc/default/grub", kMaxBytes);
    if (!main && main.error().code != ErrorCode::not_found) return Error{main.error().code, main.error().message, "/etc/default/grub"};
    if (main) {
        std::map<std::string, std::string> vars;
        std::map<std::string, std::pair<std::string, int>> where;  // variable -> file, line
        auto apply = [&](const std::string& path, std::string_view text) {
            for (auto& [name, line] : apply_grub_defaults(text, vars)) where[name] = {path, line};
        };
        apply("/etc/default/grub", *main);
        auto snippets = expand_path_glob(root, "/etc/default/grub.d/*.cfg");
        if (snippets) {
            if (snippets->size() > kMaxSnippets) snippets->resize(kMaxSnippets);
            for (const std::string& path : *snippets) {
                auto text = read_required(root, path);
                if (!text) return text.error();
                apply(path, *text);
            }
        }
        CommandLine c;
        for (const char* name : {"GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"}) {
            auto it = where.find(name);
            if (it == where.end()) continue;
            c.segments.push_back({split_cmdline(vars[name]), it->second.first, it->second.second});
        }
        return std::optional<CommandLine>{std::move(c)};
    }
    auto kernel = root.read_file("/etc/kernel/cmdline", kMaxBytes);
    if (kernel) return std::optional<CommandLine>{CommandLine{{{split_cmdline(*kernel), "/etc/kernel/cmdline", 1}}}};
    if (kernel.error().code != ErrorCode::not_found) return Error{kernel.error().code, kernel.error().message, "/etc/kernel/cmdline"};
    return std::optional<CommandLine>{};
}

Result<std::optional<CommandLine>> grub_cfg_cmdline(const Sysroot& root) {
    auto text = root.read_file("/boot/grub/grub.cfg", kMaxBytes);
    if (!text) {
        if (text.error().code == ErrorCode::not_found) return std::optional<CommandLine>{};
        return Error{text.error().code, text.error().message, "/boot/grub/grub.cfg"};
    }
    auto first = first_linux_line(*text);
    if (!first) return Error{ErrorCode::invalid_input, "has no linux line: no kernel entry to judge", "/boot/grub/grub.cfg"};
    return std::optional<CommandLine>{CommandLine{{{split_cmdline(first->first), "/boot/grub/grub.cfg", first->second}}}};
}

Result<std::optional<CommandLine>> live_cmdline(const CollectContext& ctx) {
    if (!ctx.proc) return std::optional<CommandLine>{};
    auto text = ctx.proc->read_file("cmdline", 64 * 1024);
    if (!text) return Error{text.error().code, text.error().message, "/proc/cmdline"};
    return std::optional<CommandLine>{CommandLine{{{split_cmdline(*text), "/proc/cmdline", 0}}}};
}

FactSet collect_kernel_cmdline(const CollectContext& ctx, const SelectArgs& args) {
    const std::string source = args.string("source") ? *args.string("source") : "live";
    auto cmdline = source == "live" ? live_cmdline(ctx) : source == "grub_cfg" ? grub_cfg_cmdline(ctx.root) : configured_cmdline(ctx.root);
    const char* absent = source == "live"       ? "needs the running system (/proc/cmdline); not available for an offline root"
                         : source == "grub_cfg" ? "the audited root has no /boot/grub/grub.cfg: GRUB does not boot it"
                                                : "the audited root configures no kernel command line (no /etc/default/grub, no /etc/kernel/cmdline)";
    FactSet out;
    for (const std::string& name : args.list("param")) {
        if (!cmdline) {
            out.push_back(Fact::error(name, cmdline.error().describe()));
            continue;
        }
        if (!*cmdline) {
            out.push_back(Fact::not_applicable(name, absent));
            continue;
        }
        Fact f;
        f.object = name;
        f.fields.resize(kCmdlineFieldCount);
        f.fields[kCmdlineParam] = Value{name};
        f.fields[kCmdlineSource] = Value{source};
        const Segment* where = nullptr;
        std::optional<Param> found;
        for (const Segment& s : (*cmdline)->segments)
            if (auto p = find_param(s.params, name)) {
                found = std::move(p);
                where = &s;
            }
        f.fields[kCmdlinePresent] = Value{found.has_value()};
        if (found) f.fields[kCmdlineValue] = Value{found->value};
        if (where) {
            f.fields[kCmdlineFile] = Value{where->file};
            if (where->line > 0) f.fields[kCmdlineLine] = Value{std::int64_t{where->line}};
        } else if (!(*cmdline)->segments.empty()) {
            f.fields[kCmdlineFile] = Value{(*cmdline)->segments.front().file};
        }
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kKernelCmdlineCollector{
    "kernel_cmdline", Scope::root, kFields, kArgs, collect_kernel_cmdline,
    "a kernel command-line parameter: live (/proc/cmdline), configured (GRUB defaults) or in grub.cfg\n"
    "\n"
    "One object per `param`. `live` reads the running kernel's /proc/cmdline up to `--` "
    "(what follows goes to init); it needs the running system, else not_applicable. "
    "`configured` rebuilds what update-grub writes for the normal entries: "
    "GRUB_CMDLINE_LINUX then GRUB_CMDLINE_LINUX_DEFAULT, after /etc/default/grub and "
    "/etc/default/grub.d/*.cfg (quotes removed, $GRUB_CMDLINE_LINUX* substituted); without "
    "/etc/default/grub it reads /etc/kernel/cmdline (kernel-install, systemd-boot); with "
    "neither it is not_applicable. `grub_cfg` reads the first linux line of "
    "/boot/grub/grub.cfg, the entry GRUB boots unless GRUB_DEFAULT says otherwise. The last "
    "occurrence of a parameter wins; a parameter not given is `present: false`.",
};

}  // namespace triad::scanner
