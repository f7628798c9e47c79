// SPDX-License-Identifier: Apache-2.0
#include "rules/model/policy.h"

#include "rules/model/result.h"

namespace triad::rules {

std::string_view to_string(Severity s) {
    switch (s) {
        case Severity::info: return "info";
        case Severity::low: return "low";
        case Severity::medium: return "medium";
        case Severity::high: return "high";
        case Severity::critical: return "critical";
    }
    return "?";
}

std::string_view to_string(Impact i) {
    switch (i) {
        case Impact::none: return "none";
        case Impact::low: return "low";
        case Impact::high: return "high";
    }
    return "?";
}

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::pass: return "pass";
        case Verdict::fail: return "fail";
        case Verdict::error: return "error";
        case Verdict::not_applicable: return "not_applicable";
        case Verdict::waived: return "waived";
    }
    return "?";
}

std::string_view to_string(Pillar p) {
    switch (p) {
        case Pillar::confidentiality: return "confidentiality";
        case Pillar::integrity: return "integrity";
        case Pillar::availability: return "availability";
    }
    return "?";
}

std::string_view to_string(Op op) {
    switch (op) {
        case Op::eq: return "eq";
        case Op::ne: return "ne";
        case Op::in: return "in";
        case Op::lt: return "lt";
        case Op::le: return "le";
        case Op::gt: return "gt";
        case Op::ge: return "ge";
        case Op::at_most: return "at_most";
        case Op::matches: return "matches";
        case Op::contains: return "contains";
        case Op::exists: return "exists";
    }
    return "?";
}

std::optional<Severity> parse_severity(std::string_view s) {
    for (Severity v : {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical})
        if (s == to_string(v)) return v;
    return std::nullopt;
}

std::optional<Impact> parse_impact(std::string_view s) {
    for (Impact v : {Impact::none, Impact::low, Impact::high})
        if (s == to_string(v)) return v;
    return std::nullopt;
}

std::optional<Verdict> parse_verdict(std::string_view s) {
    for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::error, Verdict::not_applicable, Verdict::waived})
        if (s == to_string(v)) return v;
    return std::nullopt;
}

Counts count_verdicts(const std::vector<CheckResult>& results) {
    Counts c;
    for (const CheckResult& r : results) {
        switch (r.verdict) {
            case Verdict::pass: ++c.pass; break;
            case Verdict::fail: ++c.fail; break;
            case Verdict::error: ++c.error; break;
            case Verdict::not_applicable: ++c.not_applicable; break;
            case Verdict::waived: ++c.waived; break;
        }
    }
    return c;
}

}  // namespace triad::rules
