// SPDX-License-Identifier: Apache-2.0
// audit rules files (/etc/audit/rules.d/*.rules) as the audit_rules collector reads them:
// each line through libaudit's rule builder, and each rule it accepts described back.
#include "scanner/collectors/audit/audit_rule_form.h"
#include "tests/fuzz/fuzz_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::scanner;
    static triad::fuzz::FixtureRoot fixture;
    static const Sysroot root = [] {
        fixture.put("/etc/audit/rules.d/a.rules", "-w /etc/shadow -p wa\n");
        return fixture.open();
    }();
    std::string_view text = triad::fuzz::as_text(data, size);
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string line(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        audit::ParsedLine parsed = audit::parse_rule_line(line, root);
        if (parsed.data) (void)audit::describe_rule(*parsed.data);
    }
    return 0;
}
