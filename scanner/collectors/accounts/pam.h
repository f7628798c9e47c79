// SPDX-License-Identifier: Apache-2.0
// The `pam` collector: every module line of the audited root's /etc/pam.d services, with
// "@include" and "include"/"substack" expanded in place, so a check sees the stack PAM runs.
// One fact per module line per service. Root scope.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

struct PamLine {
    std::string service;
    std::string type;     // auth, account, password, session
    bool optional_module = false;  // "-type": a missing module is ignored
    std::string control;  // required, requisite, sufficient, optional, [value=action ...]
    std::string module_path;
    std::vector<std::string> args;
    std::string file;
    int line = 0;
    int position = 0;     // 1-based place in the service's stack of this type
};

// The expanded stack of one service (file name under /etc/pam.d). `error` names a file that
// could not be read or an include loop.
std::vector<PamLine> read_pam_service(const Sysroot& root, const std::string& service, std::string& error);

// Where the module a PAM line names is installed in the audited root: the path itself when
// absolute, else the first of PAM's module directories (/lib/security, the multiarch
// /lib/<triplet>/security and their /usr and lib64 forms) that has it; "" when none does.
// PAM skips a missing module of a "-type" line and fails the stack for any other line.
std::string find_pam_module(const Sysroot& root, const std::string& module_path);

// The service names of the audited root: the regular files directly under /etc/pam.d.
Result<std::vector<std::string>> pam_service_names(const Sysroot& root);

std::span<const FieldSpec> pam_fields();
FactSet collect_pam(const CollectContext& ctx, const SelectArgs& args);

extern const CollectorEntry kPamCollector;

}  // namespace triad::scanner
