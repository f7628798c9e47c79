// SPDX-License-Identifier: Apache-2.0
// The SELinux collectors (libselinux):
//   selinux            — configured mode and policy type from the audited root's
//                        /etc/selinux/config, live mode from selinuxfs under the sys root.
//   selinux_files      — each named file's security.selinux label against the label the
//                        audited root's file_contexts expects (restorecon -n, nothing changed).
//   selinux_processes  — host scope: each process's context and whether it listens on the network.
#pragma once

#include <span>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

std::span<const FieldSpec> selinux_fields();
std::span<const FieldSpec> selinux_file_fields();
std::span<const FieldSpec> selinux_process_fields();

FactSet collect_selinux(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_selinux_files(const CollectContext& ctx, const SelectArgs& args);
FactSet collect_selinux_processes(const CollectContext& ctx, const SelectArgs& args);

}  // namespace triad::scanner
