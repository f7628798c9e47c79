// SPDX-License-Identifier: Apache-2.0
// The compiled policy model: what the loader produces and the engine evaluates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scanner/core/fact.h"
#include "base/pattern.h"
#include "scanner/core/collector.h"

namespace triad::rules {

enum class Severity { info, low, medium, high, critical };
enum class Impact { none, low, high };
enum class Verdict { pass, fail, error, not_applicable, waived };
enum class Pillar { confidentiality, integrity, availability };

struct CiaImpact {
    Impact c = Impact::none;
    Impact i = Impact::none;
    Impact a = Impact::none;
    Impact of(Pillar p) const { return p == Pillar::confidentiality ? c : p == Pillar::integrity ? i : a; }
};

struct SourcePos {
    std::string file;
    int line = 0;    // 1-based
    int column = 0;  // 1-based
    std::string str() const { return file + ":" + std::to_string(line) + ":" + std::to_string(column); }
};

enum class Op { eq, ne, in, lt, le, gt, ge, at_most, matches, contains, exists };

struct Condition {
    enum class Kind { leaf, all, any, none };
    Kind kind = Kind::leaf;
    std::vector<Condition> children;  // all / any / none

    // leaf
    std::string field_name;
    std::size_t field = 0;             // index into the collector's FieldSpecs
    scanner::ValueKind as = scanner::ValueKind::string;  // the type the comparison runs in
    Op op = Op::eq;
    std::vector<scanner::Value> operands;  // one, or several for `in`
    std::optional<Regex> regex;   // for `matches`
    SourcePos pos;
};

// What a check asks of the objects it selects.
enum class Quantifier {
    all,   // every selected object satisfies the condition
    any,   // at least one does
    none,  // no object may be selected at all
};

struct Expect {
    Quantifier objects = Quantifier::all;
    std::optional<Condition> condition;  // absent for Quantifier::none
};

// What happens to a named path that does not exist (file collector).
enum class IfMissing { skip, fail };

struct Selection {
    const scanner::CollectorEntry* collector = nullptr;
    scanner::SelectArgs args;
    std::optional<Condition> where;
    std::vector<Glob> exclude;  // files collector
    IfMissing if_missing = IfMissing::skip;
};

// Descriptive part of a check; copied into every result so a stored result stands alone.
struct CheckInfo {
    std::string id;
    std::string title;
    std::string rationale;
    std::string remediation;
    Severity severity = Severity::medium;
    CiaImpact impact;
    std::vector<std::string> tags;
    std::string policy;  // id of the policy that defines it
};

struct Check {
    CheckInfo info;
    Selection select;
    Expect expect;
    std::vector<std::size_t> evidence_fields;  // fields shown per failing object
    // `group_by`: failing objects are reported one evidence line per value of this field
    // (the package that owns a binary), with the count and examples.
    std::optional<std::size_t> group_by;
    SourcePos pos;
};

struct Policy {
    std::string id;
    std::string title;
    std::string version;
    std::string path;
    std::vector<Check> checks;
};

std::string_view to_string(Severity s);
std::string_view to_string(Impact i);
std::string_view to_string(Verdict v);
std::string_view to_string(Pillar p);
std::string_view to_string(Op op);
std::optional<Severity> parse_severity(std::string_view s);
std::optional<Impact> parse_impact(std::string_view s);
std::optional<Verdict> parse_verdict(std::string_view s);

}  // namespace triad::rules
