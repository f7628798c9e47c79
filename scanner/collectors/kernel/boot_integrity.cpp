// SPDX-License-Identifier: Apache-2.0
// The `boot_integrity` collector (see boot_integrity.h). Each mechanism is its own object,
// so that one unreadable interface (securityfs not mounted) leaves the others judged.
#include "scanner/collectors/kernel/boot_integrity.h"

#include "scanner/core/path_glob.h"

namespace triad::scanner {

std::optional<std::string> parse_lockdown(std::string_view text) {
    const std::size_t open = text.find('['), close = text.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
    return std::string(text.substr(open + 1, close - open - 1));
}

std::optional<bool> parse_secure_boot_var(std::string_view bytes) {
    if (bytes.size() < 5) return std::nullopt;
    return bytes[4] == 1;
}

namespace {

constexpr FieldSpec kFields[] = {
    {"mechanism", ValueKind::string, "lockdown, secure_boot or module_signatures"},
    {"state", ValueKind::string, "lockdown: none, integrity or confidentiality; secure_boot: enabled, disabled or no EFI; "
                                 "module_signatures: enforced, not enforced or no loadable modules"},
    {"enforced", ValueKind::boolean, "the mechanism protects the running kernel"},
    {"file", ValueKind::string, "the interface read"},
};
static_assert(std::size(kFields) == kIntegrityFieldCount);

constexpr ArgSpec kArgs[] = {
    {"mechanism", ArgKind::choice, false, "only this mechanism's object (one unreadable interface then leaves the others' checks alone)",
     "lockdown|secure_boot|module_signatures"},
};

constexpr const char* kSecureBootVar = "firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0c6bd5c6d8c";

Fact make(const char* mechanism, std::string state, bool enforced, std::string file) {
    Fact f;
    f.object = mechanism;
    f.fields.resize(kIntegrityFieldCount);
    f.fields[kIntegrityMechanism] = Value{std::string(mechanism)};
    f.fields[kIntegrityState] = Value{std::move(state)};
    f.fields[kIntegrityEnforced] = Value{enforced};
    f.fields[kIntegrityFile] = Value{std::move(file)};
    return f;
}

bool exists(const Sysroot& tree, std::string_view path) { return tree.lstat(path).has_value(); }

Fact lockdown(const Sysroot& sys) {
    auto text = sys.read_file("kernel/security/lockdown", 4096);
    if (text) {
        auto mode = parse_lockdown(*text);
        if (!mode) return Fact::error("lockdown", "/sys/kernel/security/lockdown: no mode in brackets: " + *text);
        return make("lockdown", *mode, *mode != "none", "/sys/kernel/security/lockdown");
    }
    if (text.error().code != ErrorCode::not_found) return Fact::error("lockdown", "/sys/kernel/security/lockdown: " + text.error().message);
    // securityfs lists "lsm" whenever it is mounted: then a missing lockdown file means the
    // kernel has no lockdown LSM, which is no lockdown at all. Without securityfs nothing
    // can be said.
    if (exists(sys, "kernel/security/lsm")) return make("lockdown", "none", false, "/sys/kernel/security/lsm (no lockdown LSM)");
    return Fact::error("lockdown", "securityfs is not mounted (no /sys/kernel/security/lsm): the lockdown mode cannot be read");
}

Fact secure_boot(const Sysroot& sys) {
    if (!exists(sys, "firmware/efi")) return make("secure_boot", "no EFI", false, "/sys/firmware/efi");
    auto bytes = sys.read_file(kSecureBootVar, 4096);
    if (bytes) {
        auto on = parse_secure_boot_var(*bytes);
        if (!on) return Fact::error("secure_boot", std::string("/sys/") + kSecureBootVar + ": shorter than an EFI variable");
        return make("secure_boot", *on ? "enabled" : "disabled", *on, std::string("/sys/") + kSecureBootVar);
    }
    if (bytes.error().code != ErrorCode::not_found) return Fact::error("secure_boot", std::string("/sys/") + kSecureBootVar + ": " + bytes.error().message);
    // Firmware without Secure Boot support has no such variable; efivarfs not mounted has
    // no variables at all.
    auto variables = expand_path_glob(sys, "/firmware/efi/efivars/*");
    if (!variables || variables->empty()) return Fact::error("secure_boot", "efivarfs is not mounted at /sys/firmware/efi/efivars: the Secure Boot state cannot be read");
    return make("secure_boot", "disabled", false, "/sys/firmware/efi/efivars (no SecureBoot variable)");
}

Fact module_signatures(const CollectContext& ctx) {
    auto text = ctx.sys->read_file("module/module/parameters/sig_enforce", 4096);
    if (text) {
        const bool on = !text->empty() && ((*text)[0] == 'Y' || (*text)[0] == '1');
        return make("module_signatures", on ? "enforced" : "not enforced", on, "/sys/module/module/parameters/sig_enforce");
    }
    if (text.error().code != ErrorCode::not_found)
        return Fact::error("module_signatures", "/sys/module/module/parameters/sig_enforce: " + text.error().message);
    // A kernel without loadable modules cannot load an unsigned one: nothing to enforce.
    if (ctx.proc && !ctx.proc->lstat("modules").has_value())
        return make("module_signatures", "no loadable modules", true, "/proc/modules (absent)");
    // Modules but no sig_enforce parameter: built without CONFIG_MODULE_SIG, any module loads.
    return make("module_signatures", "not enforced", false, "/sys/module/module/parameters/sig_enforce (absent: no module signing)");
}

FactSet collect_boot_integrity(const CollectContext& ctx, const SelectArgs& args) {
    const std::string* only = args.string("mechanism");
    FactSet out;
    for (const char* mechanism : {"lockdown", "secure_boot", "module_signatures"}) {
        if (only && *only != mechanism) continue;
        const std::string_view m = mechanism;
        if (!ctx.sys) out.push_back(Fact::not_applicable(mechanism, "needs the running system (/sys); not available for an offline root"));
        else if (m == "lockdown") out.push_back(lockdown(*ctx.sys));
        else if (m == "secure_boot") out.push_back(secure_boot(*ctx.sys));
        else out.push_back(module_signatures(ctx));
    }
    return out;
}

}  // namespace

const CollectorEntry kBootIntegrityCollector{
    "boot_integrity", Scope::host, kFields, kArgs, collect_boot_integrity,
    "kernel lockdown mode, UEFI Secure Boot and module signature enforcement (/sys)\n"
    "\n"
    "Three objects: `lockdown` (/sys/kernel/security/lockdown; a mounted securityfs without "
    "it means the kernel has no lockdown LSM: state none), `secure_boot` (the SecureBoot "
    "EFI variable; a machine booted without EFI is `no EFI`, not enforced) and "
    "`module_signatures` (/sys/module/module/parameters/sig_enforce; a kernel without "
    "loadable modules needs none and counts as enforced). An interface that is not mounted "
    "(securityfs, efivarfs) is an error for its object: the state cannot be read. "
    "`mechanism` selects one of the three.",
};

}  // namespace triad::scanner
