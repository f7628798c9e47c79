// SPDX-License-Identifier: Apache-2.0
// Audit rules in one form whichever side they come from: a rule line of a rules file is
// built into libaudit's kernel structure (audit_rule_data) with libaudit's own builders,
// as auditctl builds it, and a rule the kernel lists comes in that structure; both are
// then described by the same function. Also the kernel's audit status. Needs libaudit.
#pragma once

#include <libaudit.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "scanner/core/sysroot.h"

namespace triad::scanner::audit {

struct RuleForm {
    std::string list;    // exit, user, task, exclude, filesystem, io_uring
    std::string action;  // always, never
    std::vector<std::string> syscalls;  // {"all"} for every one
    std::string path;    // -w / path= / dir=
    std::string perms;   // rwxa letters
    std::vector<std::string> keys;
    std::vector<std::string> fields;  // other conditions, "name<op>value"
    std::string text;    // the rule in auditctl syntax
};

RuleForm describe_rule(const audit_rule_data& rule);

struct RuleDataDeleter {
    void operator()(audit_rule_data* r) const { audit_rule_free_data(r); }
};
using RuleData = std::unique_ptr<audit_rule_data, RuleDataDeleter>;

// One line of a rules file.
struct ParsedLine {
    enum class Kind { none, rule, control } kind = Kind::none;
    RuleData data;              // a rule: its kernel form (flags and action set)
    int list = 0, action = 0;   // for audit_add_rule_data / audit_delete_rule_data
    std::string control;        // a control line: the option ("-e", "-b", "-f", "-D", ...)
    std::string control_value;  // and its value
    std::string error;          // a line libaudit refuses, with the reason
};

// Parses one line of auditctl options (comments and blank lines are Kind::none). `root`
// decides whether a watched path is a directory (-w on a directory watches the tree), as
// auditctl decides it on the system it runs on.
ParsedLine parse_rule_line(const std::string& line, const Sysroot& root);

// The kernel's rules, through an audit netlink socket (needs CAP_AUDIT_CONTROL).
Result<std::vector<RuleForm>> list_loaded_rules();

// The kernel's audit status (AUDIT_GET).
Result<audit_status> read_status();

}  // namespace triad::scanner::audit
