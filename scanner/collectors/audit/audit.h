// SPDX-License-Identifier: Apache-2.0
// The Linux audit collectors (libaudit):
//   audit        — host scope: the kernel's audit status (enabled, failure mode, backlog
//                  limit, lost records), the registered audit daemon, and the boot
//                  command line's audit= parameter.
//   audit_rules  — the audit rules, loaded in the kernel (read back through libaudit, needs
//                  the running system) or configured in the audited root's rules files
//                  (parsed into the same kernel form), one fact per rule, so that the two
//                  can be compared.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

// The specs live here so that a build without libaudit (TRIAD_WITH_AUDIT=OFF) still has
// them (left_out() in scanner/core/collector.h); audit.cpp and audit_rules.cpp add the
// collect functions, and their field enums index these tables in this order.
inline constexpr FieldSpec kAuditStatusFields[] = {
    {"enabled", ValueKind::integer, "the kernel's audit flag: 0 off, 1 on, 2 on and locked (immutable rules)"},
    {"failure", ValueKind::integer, "failure mode: 0 silent, 1 printk, 2 panic"},
    {"backlog_limit", ValueKind::integer, "the most audit records the kernel queues"},
    {"backlog", ValueKind::integer, "records queued now"},
    {"lost", ValueKind::integer, "records lost since boot"},
    {"rate_limit", ValueKind::integer, "messages per second allowed (0: no limit)"},
    {"auditd_pid", ValueKind::integer, "the process registered as the audit daemon (0: none)"},
    {"auditd_running", ValueKind::boolean, "a registered audit daemon whose process exists"},
    {"rule_count", ValueKind::integer, "rules loaded in the kernel"},
    {"boot_audit", ValueKind::string, "the last audit= value on the kernel command line (/proc/cmdline); absent when none"},
};

inline constexpr CollectorEntry kAuditCollectorSpec{
    "audit", Scope::host, kAuditStatusFields, {}, nullptr,
    "the kernel audit status (enabled, failure mode, backlog, lost), auditd and audit= at boot\n"
    "\n"
    "One object, `kernel audit`, read through libaudit's netlink requests as `auditctl -s` "
    "reads it, plus the number of loaded rules and the kernel command line's audit= "
    "parameter. Asking needs CAP_AUDIT_CONTROL in the initial user namespace: without it "
    "the object is an error with the kernel's reason. A kernel built without audit reports "
    "enabled 0.",
};

inline constexpr FieldSpec kAuditRuleFields[] = {
    {"source", ValueKind::string, "`loaded` (in the kernel) or `configured` (in a rules file)"},
    {"rule", ValueKind::string, "the rule in auditctl's syntax, rebuilt from its kernel form (the same for both sources)"},
    {"file", ValueKind::string, "configured: the rules file"},
    {"line", ValueKind::integer, "configured: its line"},
    {"list", ValueKind::string, "the filter list: exit, user, task, exclude, filesystem, io_uring"},
    {"action", ValueKind::string, "always or never"},
    {"syscalls", ValueKind::list, "the system calls it applies to (`all` for every one)"},
    {"path", ValueKind::string, "a watched path (-w, -F path=, -F dir=)"},
    {"perms", ValueKind::string, "the watched access: letters of rwxa"},
    {"keys", ValueKind::list, "its keys (-k)"},
    {"fields", ValueKind::list, "its other field conditions (`auid>=1000`, `arch=b64`)"},
    {"loaded", ValueKind::boolean, "configured: the same rule is loaded in the kernel (absent without the running system)"},
    {"configured", ValueKind::boolean, "loaded: the same rule is in the audited root's rules files"},
};

inline constexpr ArgSpec kAuditRuleArgs[] = {
    {"source", ArgKind::choice, false, "configured (default): the audited root's rules files; loaded: the kernel's rules",
     "configured|loaded"},
};

inline constexpr CollectorEntry kAuditRulesCollectorSpec{
    "audit_rules", Scope::root, kAuditRuleFields, kAuditRuleArgs, nullptr,
    "audit rules, configured in the rules files or loaded in the kernel, in one comparable form\n"
    "\n"
    "One object per rule. `source: configured` reads what augenrules loads at boot: the "
    "audited root's /etc/audit/rules.d/*.rules in name order, or /etc/audit/audit.rules when "
    "rules.d has no rules; each line goes through libaudit's own rule builders (as auditctl "
    "builds it), so a rule the library refuses is an error naming its line; no rules file means "
    "no rule (no object). `source: loaded` "
    "lists the kernel's rules through libaudit (`auditctl -l`); it needs the running system "
    "(not_applicable under an offline root) and CAP_AUDIT_CONTROL (an error without). Control "
    "lines (-D, -b, -f, -e) are not rules; the audit_config collector reports them.",
};

extern const CollectorEntry kAuditCollector;
extern const CollectorEntry kAuditRulesCollector;

}  // namespace triad::scanner
