// SPDX-License-Identifier: Apache-2.0
// The AppArmor collectors:
//   apparmor           — installed (apparmor_parser), active (the kernel's LSM list under the
//                        sys root) and profile counts by mode (securityfs when mounted).
//   apparmor_profiles  — each profile loaded (securityfs) or on disk under /etc/apparmor.d,
//                        with its mode, and whether /etc/apparmor.d/disable turns it off.
//   apparmor_processes — host scope: each process's confinement and whether it listens.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

// A profile header found in a policy file: its name and mode from flags=(...).
struct ProfileHeader {
    std::string name;
    std::string mode;  // enforce, complain, kill, unconfined, prompt
    int line = 0;
};
// Top-level profiles of one /etc/apparmor.d file (hats and child profiles are left out).
std::vector<ProfileHeader> parse_profile_headers(std::string_view text);

std::span<const FieldSpec> apparmor_fields();
std::span<const FieldSpec> apparmor_profile_fields();
std::span<const FieldSpec> apparmor_process_fields();

FactSet collect_apparmor(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_apparmor_profiles(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_apparmor_processes(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kApparmorCollector;
extern const CollectorEntry kApparmorProfilesCollector;
extern const CollectorEntry kApparmorProcessesCollector;

}  // namespace triad::scanner
