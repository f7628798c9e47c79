// SPDX-License-Identifier: Apache-2.0
// The exposure score of a systemd service, as `systemd-analyze security` computes it
// (systemd 252): the sandboxing settings of the unit's files are resolved the way systemd's
// unit loader resolves them (last assignment wins, lists accumulate, an empty assignment
// resets, implied settings such as DynamicUser's are applied), then 81 weighted assessors
// each give a badness; exposure = ceil(100 * sum(ceil(badness * weight / range)) / sum(weight))
// tenths over the applicable assessors. docs/services.md explains the rows and classes.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "scanner/collectors/services/unit_files.h"

namespace triad::scanner::units {

// The settings one assessment needs, after systemd's parsing and implied settings.
struct ServiceContext {
    std::string type = "simple";
    bool default_dependencies = true;
    std::string notify_access = "none";
    bool delegate = false;

    std::string user;  // empty: root
    bool dynamic_user = false;
    std::vector<std::string> supplementary_groups;

    std::uint64_t capability_bounding_set = ~std::uint64_t{0};
    std::uint64_t ambient_capabilities = 0;

    bool no_new_privileges = false, private_devices = false, private_mounts = false, private_network = false,
         private_tmp = false, private_users = false, protect_control_groups = false,
         protect_kernel_modules = false, protect_kernel_tunables = false, protect_kernel_logs = false,
         protect_clock = false, protect_hostname = false, remove_ipc = false, restrict_realtime = false,
         restrict_suid_sgid = false, lock_personality = false, memory_deny_write_execute = false;
    std::string protect_home = "no", protect_system = "no";
    std::string keyring_mode = "private", protect_proc = "default", proc_subset = "all";
    std::string root_directory, root_image;
    std::uint32_t umask = 0022;

    // RestrictNamespaces: the namespace types that may NOT be created is the complement;
    // this holds the CLONE_NEW* flags that may be created (all: unrestricted).
    std::uint64_t namespaces_allowed = ~std::uint64_t{0};

    bool af_set_used = false;  // RestrictAddressFamilies was assigned (the set exists)
    bool af_allow_list = false;
    std::set<std::string> address_families;

    std::set<std::string> syscall_archs;
    bool syscall_filter_used = false;
    bool syscall_allow_list = false;
    std::set<std::string> syscall_filter;  // names, after group expansion

    bool ip_deny_v4_all = false, ip_deny_v6_all = false;
    bool ip_allow_localhost = false, ip_allow_other = false;
    bool ip_custom_filters = false;

    std::string device_policy = "auto";
    bool device_allow = false;

    std::vector<std::string> exec_start;
    bool has_exec_stop = false, has_success_action = false;
};

// Applies `settings` in order, then the implied settings. `unit_name` gives DynamicUser's
// user name. `load_error` is set when systemd would refuse to load the service (no
// ExecStart=, ExecStop= or SuccessAction=; several ExecStart= outside Type=oneshot).
ServiceContext resolve_service(const std::vector<Setting>& settings, const std::string& unit_name,
                               std::string* load_error);

struct ExposureRow {
    const char* name;        // as systemd-analyze prints it ("PrivateTmp=")
    const char* json_field;  // as its --json output names it
    std::uint64_t weight;
    std::uint64_t range;
    std::uint64_t badness;   // kNotApplicable when the assessor does not apply
};
inline constexpr std::uint64_t kNotApplicable = ~std::uint64_t{0};

struct Exposure {
    int tenths = 0;  // 0..100
    std::string level;  // PERFECT, SAFE, OK, MEDIUM, EXPOSED, UNSAFE, DANGEROUS
    std::vector<ExposureRow> rows;
};

Exposure assess_exposure(const ServiceContext& c);

// "9.6"
std::string exposure_text(int tenths);

// The members of a systemd system call group ("@mount"), nested groups expanded, limited
// to names that are system calls of this architecture. Empty for an unknown group.
std::set<std::string> syscall_group(const std::string& group);

}  // namespace triad::scanner::units
