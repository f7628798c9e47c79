// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"
#include "scanner/collectors/mac/selinux.h"

#include <fcntl.h>
#include <selinux/context.h>
#include <selinux/label.h>
#include <selinux/selinux.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>

#include "scanner/collectors/mac/file_contexts_screen.h"
#include "scanner/config/config_file.h"
#include "scanner/walk/file_entry.h"
#include "scanner/proc/mac_processes.h"
#include "base/unique_fd.h"

namespace triad::scanner {
namespace {

enum SelinuxField : std::size_t {
    kSeConfigExists, kSeConfiguredMode, kSePolicyType, kSePolicyInstalled, kSeEnabled, kSeLiveMode,
    kSeModeMatches, kSeActive, kSeActiveReason, kSeFieldCount
};
static_assert(std::size(kSelinuxFields) == kSeFieldCount);

enum FileField : std::size_t {
    kSfPath, kSfExists, kSfContext, kSfType, kSfExpected, kSfExpectedType, kSfLabeled, kSfCustomizable,
    kSfRelabel, kSfFieldCount
};
static_assert(std::size(kSelinuxFileFields) == kSfFieldCount);

enum ProcField : std::size_t {
    kSpPid, kSpComm, kSpExe, kSpContext, kSpType, kSpUnconfined, kSpListening, kSpSockets, kSpActive, kSpFieldCount
};
static_assert(std::size(kSelinuxProcessFields) == kSpFieldCount);

// libselinux reports through a process-wide log callback; messages of the thread that is
// inside a libselinux call are kept for its error, never printed.
thread_local std::string g_selinux_log;

int capture_log(int, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (g_selinux_log.size() < 2048) g_selinux_log += buf;
    return 0;
}

// Contexts of an audited image are not checked against the scanning host's policy (which
// may not exist); the check is switched on only so that libselinux compiles every regex
// while loading, and a broken file_contexts is reported instead of silently matching less.
int accept_context(char**) { return 0; }

void install_callbacks() {
    static std::once_flag once;
    std::call_once(once, [] {
        union selinux_callback cb;
        cb.func_log = capture_log;
        selinux_set_callback(SELINUX_CB_LOG, cb);
        union selinux_callback validate;
        validate.func_validate = accept_context;
        selinux_set_callback(SELINUX_CB_VALIDATE, validate);
    });
}

std::string context_type(const std::string& context) {
    if (context.empty()) return {};
    context_t c = context_new(context.c_str());
    if (!c) return {};
    const char* t = context_type_get(c);
    std::string out = t ? t : "";
    context_free(c);
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Config {
    bool exists = false;
    std::string mode, type;
};

Result<Config> read_config(const Sysroot& root) {
    Config c;
    auto text = root.read_file("/etc/selinux/config");
    if (!text) {
        if (text.error().code == ErrorCode::not_found) return c;
        return text.error();
    }
    c.exists = true;
    for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::equals, false, ""})) {
        if (e.key == "SELINUX") c.mode = lower(e.value);
        if (e.key == "SELINUXTYPE") c.type = e.value;
    }
    return c;
}

// Live mode from selinuxfs under the sys root: "" when unknown (no sys root).
std::string live_mode(const Sysroot* sys) {
    if (!sys) return {};
    auto enforce = sys->read_file("/fs/selinux/enforce", 64);
    if (!enforce) return "disabled";
    return !enforce->empty() && (*enforce)[0] == '1' ? "enforcing" : "permissive";
}

// Why SELinux is or is not running, for the `active_reason` field: what selinuxfs said,
// and the kernel's LSM list when securityfs gives it.
std::string active_reason(const Sysroot& sys, const std::string& live) {
    std::string out = live == "disabled"
                          ? "selinuxfs is not mounted (no /sys/fs/selinux/enforce): SELinux is not running"
                          : "selinuxfs is mounted: SELinux runs in " + live + " mode";
    if (auto lsm = sys.read_file("/kernel/security/lsm", 4096)) {
        std::string list = *lsm;
        while (!list.empty() && (list.back() == '\n' || list.back() == '\0')) list.pop_back();
        out += " (/sys/kernel/security/lsm: " + (list.empty() ? std::string("none") : list) + ")";
    }
    return out;
}

// The file_contexts of the audited root, loaded into libselinux from memory: the files are
// read through the Sysroot (never a path the kernel would resolve outside the root) and
// handed over as one memfd, base first then homedirs and local, as libselinux orders them.
class Labeler {
public:
    static Result<Labeler> open(const Sysroot& root, const std::string& dir) {
        const std::string base = dir + "/file_contexts";
        std::string all;
        std::vector<FileContextsText> texts;
        for (const char* suffix : {"", ".homedirs", ".local"}) {
            // Refpolicy's file_contexts is under 1 MiB; 16 MiB leaves room without inviting abuse.
            auto text = root.read_file(base + suffix, 16 * 1024 * 1024);
            if (!text) {
                if (*suffix && text.error().code == ErrorCode::not_found) continue;
                return text.error();
            }
            all += *text;
            if (!all.empty() && all.back() != '\n') all += '\n';
            texts.push_back({base + suffix, std::move(*text)});
        }
        // The patterns are the image's, untrusted: bounded before libselinux sees them.
        auto screen = FileContextsScreen::build(texts);
        if (!screen) return screen.error();
        UniqueFd fd(::memfd_create("file_contexts", MFD_CLOEXEC));
        if (!fd.valid()) return error_from_errno(errno, "memfd_create");
        for (std::size_t off = 0; off < all.size();) {
            ssize_t n = ::write(fd.get(), all.data() + off, all.size() - off);
            if (n <= 0) return error_from_errno(errno, base);
            off += static_cast<std::size_t>(n);
        }
        install_callbacks();
        g_selinux_log.clear();
        const std::string path = "/proc/self/fd/" + std::to_string(fd.get());
        const struct selinux_opt opts[] = {
            {SELABEL_OPT_PATH, path.c_str()},
            {SELABEL_OPT_BASEONLY, reinterpret_cast<const char*>(1)},  // .homedirs/.local are already in
            {SELABEL_OPT_VALIDATE, reinterpret_cast<const char*>(1)},  // see accept_context
        };
        selabel_handle* h = selabel_open(SELABEL_CTX_FILE, opts, 3);
        if (!h) return Error{ErrorCode::invalid_input, "libselinux cannot load it: " + g_selinux_log, base};
        Labeler l(std::move(*screen));
        l.handle_.reset(h);
        l.subs_ = read_subs(root, base + ".subs");
        auto dist = read_subs(root, base + ".subs_dist");
        l.subs_.insert(l.subs_.end(), dist.begin(), dist.end());
        return l;
    }

    // Why `path` cannot be looked up within the match and time budgets; "" when it can.
    std::string undecidable(const std::string& path, std::chrono::steady_clock::time_point deadline) const {
        return screen_.check(substitute(path), deadline);
    }

    // The expected context of `path` with file type `mode`; "" when none applies.
    std::string lookup(const std::string& path, std::uint32_t mode) const {
        std::string key = substitute(path);
        char* con = nullptr;
        if (selabel_lookup_raw(handle_.get(), &con, key.c_str(), static_cast<int>(mode & S_IFMT)) != 0) return {};
        std::string out = con ? con : "";
        freecon(con);
        return out == "<<none>>" ? std::string() : out;
    }

private:
    struct Closer {
        void operator()(selabel_handle* h) const { selabel_close(h); }
    };
    using Sub = std::pair<std::string, std::string>;

    static std::vector<Sub> read_subs(const Sysroot& root, const std::string& path) {
        std::vector<Sub> out;
        auto text = root.read_file(path);
        if (!text) return out;
        for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::whitespace, false, ""}))
            if (!e.value.empty()) out.emplace_back(e.key, e.value);
        return out;
    }

    // file_contexts.subs: an alias directory is labelled like the one it stands for.
    std::string substitute(const std::string& path) const {
        for (const auto& [alias, real] : subs_)
            if (path == alias || (path.starts_with(alias) && path.size() > alias.size() && path[alias.size()] == '/'))
                return real + path.substr(alias.size());
        return path;
    }

    explicit Labeler(FileContextsScreen screen) : screen_(std::move(screen)) {}

    std::unique_ptr<selabel_handle, Closer> handle_;
    std::vector<Sub> subs_;
    FileContextsScreen screen_;
};

std::set<std::string> customizable_types(const Sysroot& root, const std::string& type) {
    std::set<std::string> out;
    auto text = root.read_file("/etc/selinux/" + type + "/contexts/customizable_types");
    if (!text) return out;
    for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::whitespace, false, ""})) out.insert(e.key);
    return out;
}

}  // namespace

std::span<const FieldSpec> selinux_fields() { return kSelinuxFields; }
std::span<const FieldSpec> selinux_file_fields() { return kSelinuxFileFields; }
std::span<const FieldSpec> selinux_process_fields() { return kSelinuxProcessFields; }

FactSet collect_selinux(const CollectContext& ctx, const SelectArgs&) {
    auto config = read_config(ctx.root);
    if (!config) return {Fact::error("/etc/selinux/config", config.error().describe())};
    const std::string live = live_mode(ctx.sys);
    if (!config->exists && (live.empty() || live == "disabled"))
        return {Fact::not_applicable("selinux", "SELinux is not configured: no /etc/selinux/config" +
                                                    std::string(live.empty() ? "" : " and no selinuxfs"))};
    Fact f;
    f.object = "selinux";
    f.fields.resize(kSeFieldCount);
    f.fields[kSeConfigExists] = Value{config->exists};
    if (!config->mode.empty()) f.fields[kSeConfiguredMode] = Value{config->mode};
    if (!config->type.empty()) {
        f.fields[kSePolicyType] = Value{config->type};
        auto policies = expand_path_glob(ctx.root, "/etc/selinux/" + config->type + "/policy/policy.*");
        f.fields[kSePolicyInstalled] = Value{policies && !policies->empty()};
    }
    if (!live.empty()) {
        f.fields[kSeEnabled] = Value{live != "disabled"};
        f.fields[kSeLiveMode] = Value{live};
        if (!config->mode.empty()) f.fields[kSeModeMatches] = Value{live == config->mode};
        f.fields[kSeActive] = Value{live != "disabled"};
        f.fields[kSeActiveReason] = Value{active_reason(*ctx.sys, live)};
    }
    return {std::move(f)};
}

FactSet collect_selinux_files(const CollectContext& ctx, const SelectArgs& args) {
    auto config = read_config(ctx.root);
    if (!config) return {Fact::error("/etc/selinux/config", config.error().describe())};
    std::string type = config->type;
    if (const std::string* t = args.string("policy_type")) type = *t;
    if (type.empty())
        return {Fact::not_applicable("/etc/selinux/config", "SELinux is not configured: no policy type in /etc/selinux/config")};
    const std::string dir = "/etc/selinux/" + type + "/contexts/files";
    if (!ctx.root.lstat(dir + "/file_contexts"))
        return {Fact::not_applicable(dir + "/file_contexts", dir + "/file_contexts does not exist: the policy is not installed")};
    auto labeler = Labeler::open(ctx.root, dir);
    if (!labeler) return {Fact::error(dir + "/file_contexts", labeler.error().describe())};
    const auto customizable = customizable_types(ctx.root, type);

    // The time budget of this select's matching (the screen and libselinux's lookups): each
    // path left when it runs out is an error naming the budget, so what was skipped shows.
    const auto deadline = std::chrono::steady_clock::now() + kFileContextsTimeBudget;
    FactSet out;
    for (const std::string& pattern : args.list("path")) {
        auto paths = expand_path_glob(ctx.root, pattern);
        if (!paths) {
            out.push_back(Fact::error(pattern, paths.error().describe()));
            continue;
        }
        for (const std::string& path : *paths) {
            if (ctx.cancelled()) return out;
            Fact f;
            f.object = path;
            f.fields.resize(kSfFieldCount);
            f.fields[kSfPath] = Value{path};
            auto fd = ctx.root.open_path(path, O_PATH, /*follow_final=*/false);
            if (!fd) {
                if (fd.error().code != ErrorCode::not_found) {
                    out.push_back(Fact::error(path, fd.error().message));
                } else {
                    f.fields[kSfExists] = Value{false};
                    out.push_back(std::move(f));
                }
                continue;
            }
            struct statx st {};
            if (::statx(fd->get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &st) != 0) {
                out.push_back(Fact::error(path, error_from_errno(errno, path).message));
                continue;
            }
            f.fields[kSfExists] = Value{true};
            if (std::string why = labeler->undecidable(path, deadline); !why.empty()) {
                out.push_back(Fact::error(path, why));
                continue;
            }
            auto label = read_whole_xattr_at(fd->get(), "", "security.selinux");
            if (!label) {
                out.push_back(Fact::error(path, label.error().message));
                continue;
            }
            std::string context = label->value_or("");
            while (!context.empty() && context.back() == '\0') context.pop_back();
            const std::string current_type = context_type(context);
            const std::string expected = labeler->lookup(path, st.stx_mode);
            const std::string expected_type = context_type(expected);
            f.fields[kSfLabeled] = Value{!context.empty()};
            if (!context.empty()) {
                f.fields[kSfContext] = Value{context};
                f.fields[kSfType] = Value{current_type};
            }
            if (!expected.empty()) {
                f.fields[kSfExpected] = Value{expected};
                f.fields[kSfExpectedType] = Value{expected_type};
            }
            const bool custom = customizable.count(current_type) > 0;
            f.fields[kSfCustomizable] = Value{custom};
            // restorecon without -F: only the type is compared, and customizable types are kept.
            f.fields[kSfRelabel] = Value{!expected.empty() && !custom && current_type != expected_type};
            out.push_back(std::move(f));
        }
    }
    return out;
}

FactSet collect_selinux_processes(const CollectContext& ctx, const SelectArgs&) {
    const std::string live = live_mode(ctx.sys);
    if (live.empty()) return {Fact::not_applicable("selinux", "the SELinux state is unknown without a sys root")};
    auto config = read_config(ctx.root);
    if (!config) return {Fact::error("/etc/selinux/config", config.error().describe())};
    if (live == "disabled" && !config->exists)
        return {Fact::not_applicable("selinux", "SELinux is neither configured (no /etc/selinux/config) nor running "
                                                "(no selinuxfs): this system does not use SELinux")};
    // Configured but not running: every process is unconfined, which is the finding.
    const bool active = live != "disabled";
    const auto procs = read_mac_processes(*ctx.proc, active ? std::vector<std::string>{"attr/current"}
                                                            : std::vector<std::string>{});
    FactSet out;
    for (const MacProcess& p : procs) {
        if (ctx.cancelled()) break;
        Fact f;
        f.object = std::to_string(p.pid) + " " + p.name;
        f.fields.resize(kSpFieldCount);
        f.fields[kSpPid] = Value{std::int64_t{p.pid}};
        f.fields[kSpComm] = Value{p.name};
        if (!p.exe.empty()) f.fields[kSpExe] = Value{p.exe};
        const std::string type = context_type(p.label);
        if (!p.label.empty()) {
            f.fields[kSpContext] = Value{p.label};
            f.fields[kSpType] = Value{type};
        }
        static const std::set<std::string> kUnconfined = {"unconfined_t", "unconfined_service_t", "initrc_t", "kernel_t"};
        f.fields[kSpUnconfined] = Value{p.label.empty() || kUnconfined.count(type) > 0};
        f.fields[kSpListening] = Value{p.listens_on_network};
        f.fields[kSpSockets] = Value{StringList(p.sockets)};
        f.fields[kSpActive] = Value{active};
        out.push_back(std::move(f));
    }
    return out;
}

const CollectorEntry kSelinuxCollector = with_collect(kSelinuxCollectorSpec, collect_selinux);
const CollectorEntry kSelinuxFilesCollector = with_collect(kSelinuxFilesCollectorSpec, collect_selinux_files);
const CollectorEntry kSelinuxProcessesCollector = with_collect(kSelinuxProcessesCollectorSpec, collect_selinux_processes);

}  // namespace triad::scanner
