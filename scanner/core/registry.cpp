// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/registry.h"

#include "scanner/collectors/accounts/accounts.h"
#include "scanner/collectors/mac/apparmor.h"
#include "scanner/collectors/kernel/cpu.h"
#include "scanner/collectors/binaries/elf_collector.h"
#include "scanner/collectors/files/config.h"
#include "scanner/collectors/files/file.h"
#include "scanner/collectors/accounts/pam.h"
#include "scanner/collectors/runtime/process_hardening.h"
#include "scanner/collectors/mac/selinux.h"
#include "scanner/collectors/accounts/sshd_config.h"
#include "scanner/collectors/accounts/sudoers.h"
#include "scanner/collectors/kernel/sysctl.h"

namespace triad::scanner {
namespace {

FactSet run_file(const CollectContext& ctx, const SelectArgs& args) {
    return collect_file(ctx.root, ctx.ids, args.list("path"));
}

FactSet run_config(const CollectContext& ctx, const SelectArgs& args) {
    ConfigQuery q;
    q.paths = args.list("path");
    q.key = *args.string("key");
    if (const std::string* s = args.string("separator")) {
        if (*s == "whitespace") q.syntax.separator = ConfigSeparator::whitespace;
        else if (*s == "equals") q.syntax.separator = ConfigSeparator::equals;
        else if (*s == "colon") q.syntax.separator = ConfigSeparator::colon;
    }
    if (const std::string* s = args.string("repeat")) q.repeat = *s == "first" ? ConfigRepeat::first : ConfigRepeat::last;
    q.syntax.case_insensitive_keys = args.boolean("case_insensitive").value_or(false);
    if (const std::string* s = args.string("stop_at")) q.syntax.stop_at = *s;
    if (const std::string* s = args.string("default")) q.default_value = *s;
    return collect_config(ctx.root, q);
}

constexpr ArgSpec kFileArgs[] = {
    {"path", ArgKind::paths, true, "path or glob (or a list of them) inside the audited root"},
    {"if_missing", ArgKind::choice, false, "a named path that does not exist is left out (skip, default) or fails the check", "skip|fail"},
};

constexpr ArgSpec kFilesArgs[] = {
    {"paths", ArgKind::paths, false, "directories to walk (default: /)"},
    {"exclude", ArgKind::globs, false, "globs of paths to leave out; DIR/** skips the subtree"},
    {"max_depth", ArgKind::integer, false, "how deep below each start directory (default: unlimited)"},
    {"one_filesystem", ArgKind::boolean, false, "stay on the start directory's file system (default: true)"},
};

constexpr ArgSpec kConfigArgs[] = {
    {"path", ArgKind::paths, true, "file, glob or list; read in order as one stream"},
    {"key", ArgKind::string, true, "the key to read"},
    {"separator", ArgKind::choice, false, "how a key ends (default: auto)", "auto|whitespace|equals|colon"},
    {"repeat", ArgKind::choice, false, "which of repeated keys wins (default: last)", "first|last"},
    {"case_insensitive", ArgKind::boolean, false, "keys compare without case, as sshd does"},
    {"stop_at", ArgKind::string, false, "keyword that ends the global section (sshd: Match)"},
    {"default", ArgKind::string, false, "value the program uses when the key is unset"},
};

constexpr ArgSpec kSshdArgs[] = {
    {"key", ArgKind::string, false, "any other sshd keyword, read into the `value` field"},
    {"default", ArgKind::string, false, "what `value` is when `key` is not set"},
};

constexpr ArgSpec kPamArgs[] = {
    {"service", ArgKind::list, false, "service files under /etc/pam.d to read (default: all)"},
    {"option", ArgKind::string, false, "a module argument to read into option_set / option_value (deny, remember...)"},
};

constexpr ArgSpec kSelinuxFileArgs[] = {
    {"path", ArgKind::paths, true, "path or glob (or a list of them) whose labels to compare with file_contexts"},
    {"policy_type", ArgKind::string, false, "policy whose file_contexts to use (default: SELINUXTYPE of /etc/selinux/config)"},
};

// The `files` select's part of the shared walk.
WalkScope files_scope(const SelectArgs& args) {
    WalkScope scope;
    scope.roots.clear();
    for (std::string r : args.list("paths")) {
        while (r.size() > 1 && r.back() == '/') r.pop_back();
        scope.roots.push_back(std::move(r));
    }
    if (scope.roots.empty()) scope.roots.push_back("/");
    scope.max_depth = static_cast<int>(args.integer("max_depth").value_or(-1));
    scope.one_filesystem = args.boolean("one_filesystem").value_or(true);
    return scope;
}

const CollectorEntry kCollectors[] = {
    {"file", Scope::root, file_fields(), kFileArgs, run_file,
     "named paths: type, mode, owner, ACL, capabilities, attributes"},
    {"files", Scope::root, file_fields(), kFilesArgs, nullptr,
     "every object under the walked directories, filtered by `where`, in one parallel pass", files_scope},
    {"config", Scope::root, config_fields(), kConfigArgs, run_config,
     "one key of a key/value configuration file"},
    {"accounts", Scope::root, account_fields(), {}, collect_accounts,
     "each /etc/passwd entry with its shadow password state (algorithm only), aging and groups"},
    {"groups", Scope::root, group_fields(), {}, collect_groups,
     "each /etc/group entry with its members and gshadow state"},
    {"sshd", Scope::root, sshd_fields(), kSshdArgs, collect_sshd,
     "effective OpenSSH server settings: global and per Match block, Include and defaults applied"},
    {"sudo_defaults", Scope::root, sudo_default_fields(), {}, collect_sudo_defaults,
     "each Defaults parameter of /etc/sudoers and its includes"},
    {"sudo_rules", Scope::root, sudo_rule_fields(), {}, collect_sudo_rules,
     "each sudoers user specification: users, commands, NOPASSWD, authentication"},
    {"pam", Scope::root, pam_fields(), kPamArgs, collect_pam,
     "each module line of the /etc/pam.d services, includes expanded"},
    {"selinux", Scope::root, selinux_fields(), {}, collect_selinux,
     "SELinux configured mode and policy (/etc/selinux/config) against the live mode (selinuxfs)"},
    {"selinux_files", Scope::root, selinux_file_fields(), kSelinuxFileArgs, collect_selinux_files,
     "SELinux labels of named files against the policy's file_contexts, as restorecon -n"},
    {"selinux_processes", Scope::host, selinux_process_fields(), {}, collect_selinux_processes,
     "SELinux domain of each running process and whether it listens on the network"},
    {"apparmor", Scope::root, apparmor_fields(), {}, collect_apparmor,
     "AppArmor installed, enabled, boot parameters and profile counts by mode"},
    {"apparmor_profiles", Scope::root, apparmor_profile_fields(), {}, collect_apparmor_profiles,
     "each AppArmor profile loaded or under /etc/apparmor.d, with its mode"},
    {"apparmor_processes", Scope::host, apparmor_process_fields(), {}, collect_apparmor_processes,
     "AppArmor confinement of each running process and whether it listens on the network"},
    {"elf", Scope::root, elf_fields(), elf_args(), collect_elf_files,
     "ELF executables and shared objects: PIE, NX, canary, RELRO, FORTIFY, RPATH, CET, and their exposure"},
    {"sysctl", Scope::root, sysctl_fields(), sysctl_args(), collect_sysctl,
     "a kernel parameter: live (/proc/sys) or configured (sysctl.d, systemd-sysctl's order)"},
    {"cpu", Scope::host, cpu_fields(), {}, collect_cpu, "processor features from /proc/cpuinfo (NX)"},
    {"processes", Scope::host, process_fields(), process_args(), collect_processes,
     "running processes: their binary's hardening, seccomp, NoNewPrivs, listening sockets"},
};

}  // namespace

std::span<const CollectorEntry> collectors() { return kCollectors; }

const CollectorEntry* find_collector(std::string_view name) {
    for (const CollectorEntry& c : kCollectors)
        if (name == c.name) return &c;
    return nullptr;
}

}  // namespace triad::scanner
