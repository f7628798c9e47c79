// SPDX-License-Identifier: Apache-2.0
#include "rules/load/policy_loader.h"


#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "rules/eval/condition.h"
#include "rules/load/condition_compile.h"
#include "rules/load/yaml_support.h"
#include "scanner/core/registry.h"
#include "base/file_read.h"

namespace triad::rules {
namespace {

using scanner::ArgKind;
using scanner::ArgSpec;
using scanner::CollectorEntry;

constexpr std::string_view kCheckKeys[] = {"id", "title", "rationale", "remediation", "severity", "impact",
                                           "tags", "select", "expect", "evidence"};

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

std::optional<scanner::ArgValue> compile_arg(YamlContext& ctx, const YAML::Node& v, const ArgSpec& spec) {
    auto fail = [&](const std::string& what) {
        ctx.error(v, "'" + std::string(spec.name) + "' must be " + what);
        return std::nullopt;
    };
    switch (spec.kind) {
        case ArgKind::string:
            if (!v.IsScalar()) return fail("a string");
            return scanner::ArgValue{v.Scalar()};
        case ArgKind::list:
        case ArgKind::paths:
        case ArgKind::globs: {
            if (v.IsScalar()) return scanner::ArgValue{scanner::StringList{v.Scalar()}};
            if (!v.IsSequence() || v.size() == 0) return fail("a string or a non-empty list of strings");
            scanner::StringList l;
            for (const auto& item : v) {
                if (!item.IsScalar()) return fail("a list of strings");
                l.push_back(item.Scalar());
            }
            return scanner::ArgValue{l};
        }
        case ArgKind::boolean:
            if (v.IsScalar() && (v.Scalar() == "true" || v.Scalar() == "false"))
                return scanner::ArgValue{v.Scalar() == "true"};
            return fail("true or false");
        case ArgKind::integer:
            try {
                if (v.IsScalar()) return scanner::ArgValue{std::int64_t{v.as<long long>()}};
            } catch (const YAML::Exception&) {
            }
            return fail("an integer");
        case ArgKind::choice: {
            std::string choices = spec.choices;
            if (v.IsScalar()) {
                std::string padded = "|" + choices + "|";
                if (padded.find("|" + v.Scalar() + "|") != std::string::npos) return scanner::ArgValue{v.Scalar()};
            }
            return fail("one of " + choices);
        }
    }
    return std::nullopt;
}

void compile_select(YamlContext& ctx, const YAML::Node& node, Check& check) {
    if (!node || !node.IsMap()) {
        ctx.error(node ? node : YAML::Node(), "'select' must be a map with a 'collector'");
        return;
    }
    std::string name = ctx.required_string(node, "collector", "select");
    if (name.empty()) return;
    const CollectorEntry* collector = scanner::find_collector(name);
    if (!collector) {
        std::vector<std::string> names;
        for (const auto& c : scanner::collectors()) names.emplace_back(c.name);
        std::string hint = closest(name, names);
        ctx.error(node["collector"], "unknown collector '" + name + "'" +
                                         (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        return;
    }
    check.select.collector = collector;

    std::vector<std::string> allowed{"collector", "where"};
    for (const ArgSpec& a : collector->args) allowed.emplace_back(a.name);
    ctx.reject_unknown_keys(node, allowed, "select for collector '" + name + "'");

    for (const ArgSpec& spec : collector->args) {
        const YAML::Node v = node[spec.name];
        if (!v) {
            if (spec.required) ctx.error(node, "collector '" + name + "' needs '" + spec.name + "'");
            continue;
        }
        if (auto value = compile_arg(ctx, v, spec)) check.select.args.values.emplace(spec.name, std::move(*value));
    }
    if (const YAML::Node where = node["where"])
        check.select.where = compile_condition(ctx, where, collector->fields, /*shorthand=*/true);
    // A collector that names objects offers `if_missing`: what a named object that does
    // not exist (an absent fact) means for the check.
    if (const std::string* missing = check.select.args.string("if_missing"))
        check.select.if_missing = *missing == "fail" ? IfMissing::fail : IfMissing::skip;
    for (const ArgSpec& spec : collector->args) {
        if (spec.kind == ArgKind::globs) {
            for (const std::string& glob : check.select.args.list(spec.name)) {
                auto g = Glob::compile(glob);
                if (!g) ctx.error(node[spec.name], g.error().message);
                else check.select.exclude.push_back(std::move(*g));
            }
        } else if (spec.kind == ArgKind::paths) {
            for (const std::string& p : check.select.args.list(spec.name))
                if (p.empty() || p.front() != '/') ctx.error(node[spec.name], "'" + p + "' must be an absolute path");
        }
    }
}

void compile_expect(YamlContext& ctx, const YAML::Node& node, Check& check) {
    if (node.IsScalar()) {
        if (node.Scalar() == "none") {
            check.expect.objects = Quantifier::none;
            return;
        }
        ctx.error(node, "'expect' is 'none' or a condition map");
        return;
    }
    if (!node.IsMap()) {
        ctx.error(node, "'expect' is 'none' or a condition map");
        return;
    }
    const auto fields = check.select.collector ? check.select.collector->fields : std::span<const scanner::FieldSpec>{};
    YAML::Node condition(YAML::NodeType::Map);
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "objects") {
            const YAML::Node q = it->second;
            if (q.IsScalar() && q.Scalar() == "all") check.expect.objects = Quantifier::all;
            else if (q.IsScalar() && q.Scalar() == "any") check.expect.objects = Quantifier::any;
            else ctx.error(q, "'objects' must be all or any");
        } else {
            condition[it->first] = it->second;
        }
    }
    if (condition.size() == 0) {
        ctx.error(node, "'expect' needs a condition besides 'objects'");
        return;
    }
    if (!check.select.collector) return;  // select already reported
    check.expect.condition = compile_condition(ctx, condition, fields, /*shorthand=*/false);
}

void compile_check(YamlContext& ctx, const YAML::Node& node, Policy& policy) {
    if (!node.IsMap()) {
        ctx.error(node, "each check must be a map");
        return;
    }
    ctx.reject_unknown_keys(node, std::vector<std::string>(std::begin(kCheckKeys), std::end(kCheckKeys)), "a check");
    Check check;
    check.pos = ctx.pos(node);
    check.info.policy = policy.id;
    check.info.id = ctx.required_string(node, "id", "a check");
    if (!check.info.id.empty() && !valid_id(check.info.id))
        ctx.error(node["id"], "check id '" + check.info.id + "' may only use letters, digits, '-', '_' and '.'");
    check.info.title = ctx.required_string(node, "title", "check " + check.info.id);
    check.info.rationale = ctx.optional_string(node, "rationale");
    check.info.remediation = ctx.optional_string(node, "remediation");

    std::string severity = ctx.required_string(node, "severity", "check " + check.info.id);
    if (!severity.empty()) {
        if (auto s = parse_severity(severity)) check.info.severity = *s;
        else ctx.error(node["severity"], "severity must be one of info, low, medium, high, critical");
    }
    const YAML::Node impact = node["impact"];
    if (!impact || !impact.IsMap()) {
        ctx.error(impact ? impact : node, "check " + check.info.id + " needs 'impact: { c: ..., i: ..., a: ... }'");
    } else {
        ctx.reject_unknown_keys(impact, {"c", "i", "a"}, "impact");
        for (auto [key, slot] : {std::pair{"c", &check.info.impact.c}, std::pair{"i", &check.info.impact.i},
                                 std::pair{"a", &check.info.impact.a}}) {
            const YAML::Node v = impact[key];
            if (!v) ctx.error(impact, std::string("impact needs '") + key + "'");
            else if (auto i = v.IsScalar() ? parse_impact(v.Scalar()) : std::nullopt) *slot = *i;
            else ctx.error(v, "impact must be none, low or high");
        }
    }
    if (const YAML::Node tags = node["tags"]) {
        if (!tags.IsSequence()) ctx.error(tags, "'tags' must be a list of strings");
        else
            for (const auto& t : tags) {
                if (t.IsScalar() && !t.Scalar().empty()) check.info.tags.push_back(t.Scalar());
                else ctx.error(t, "each tag must be a non-empty string");
            }
    }
    compile_select(ctx, node["select"], check);
    if (!node["expect"]) ctx.error(node, "check " + check.info.id + " needs 'expect'");
    else compile_expect(ctx, node["expect"], check);

    if (check.select.collector) {
        if (const YAML::Node ev = node["evidence"]) {
            if (!ev.IsSequence()) ctx.error(ev, "'evidence' must be a list of field names");
            else
                for (const auto& f : ev) {
                    auto i = f.IsScalar() ? scanner::find_field(check.select.collector->fields, f.Scalar()) : std::nullopt;
                    if (!i) ctx.error(f, "unknown field '" + (f.IsScalar() ? f.Scalar() : "?") + "' in evidence");
                    else check.evidence_fields.push_back(*i);
                }
        }
        if (check.select.where) referenced_fields(*check.select.where, check.evidence_fields);
        if (check.expect.condition) referenced_fields(*check.expect.condition, check.evidence_fields);
    }
    policy.checks.push_back(std::move(check));
}

void compile_policy(YamlContext& ctx, const YAML::Node& root, Policy& policy) {
    if (!root.IsMap()) {
        ctx.error(root, "a policy is a map with 'policy' and 'checks'");
        return;
    }
    ctx.reject_unknown_keys(root, {"policy", "checks"}, "the policy file");
    const YAML::Node header = root["policy"];
    if (!header || !header.IsMap()) {
        ctx.error(header ? header : root, "the file needs 'policy: { id: ..., title: ..., version: ... }'");
    } else {
        ctx.reject_unknown_keys(header, {"id", "title", "version", "description"}, "'policy'");
        policy.id = ctx.required_string(header, "id", "'policy'");
        if (!policy.id.empty() && !valid_id(policy.id))
            ctx.error(header["id"], "policy id may only use letters, digits, '-', '_' and '.'");
        policy.title = ctx.required_string(header, "title", "'policy'");
        policy.version = ctx.required_string(header, "version", "'policy'");
    }
    const YAML::Node checks = root["checks"];
    if (!checks || !checks.IsSequence()) {
        ctx.error(checks ? checks : root, "the file needs 'checks:', a list of checks");
        return;
    }
    for (const auto& c : checks) compile_check(ctx, c, policy);
    std::map<std::string, SourcePos> seen;
    for (const Check& c : policy.checks) {
        if (c.info.id.empty()) continue;
        auto [it, fresh] = seen.emplace(c.info.id, c.pos);
        if (!fresh) ctx.error(c.pos, "duplicate check id '" + c.info.id + "' (first defined at " + it->second.str() + ")");
    }
}

}  // namespace

LoadResult load_policy_text(const std::string& text, const std::string& name) {
    LoadResult out;
    YamlContext ctx(name);
    Policy policy;
    policy.path = name;
    try {
        // Stage 1, read: yaml-cpp builds the node tree and keeps every node's mark.
        YAML::Node root = YAML::Load(text);
        // Stages 2 and 3, validate and compile, report everything they find in one pass.
        compile_policy(ctx, root, policy);
    } catch (const YAML::Exception& e) {
        ctx.error(SourcePos{name, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
    } catch (const std::exception& e) {
        ctx.error(SourcePos{name, 1, 1}, std::string("cannot load policy: ") + e.what());
    }
    out.diagnostics = std::move(ctx.diagnostics);
    if (out.diagnostics.empty()) out.policies.push_back(std::move(policy));
    return out;
}

namespace {

void load_file(const std::string& path, LoadResult& out) {
    auto text = read_regular_file(path, kMaxPolicyBytes);
    if (!text) {
        out.diagnostics.push_back({SourcePos{path, 0, 0}, text.error().message});
        return;
    }
    LoadResult one = load_policy_text(*text, path);
    for (auto& p : one.policies) out.policies.push_back(std::move(p));
    for (auto& d : one.diagnostics) out.diagnostics.push_back(std::move(d));
}

}  // namespace

LoadResult load_policies(const std::vector<std::string>& paths) {
    LoadResult out;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<std::string> files;
            for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
                std::string ext = e.path().extension().string();
                if ((ext == ".yml" || ext == ".yaml") && e.is_regular_file(ec)) files.push_back(e.path().string());
            }
            if (ec) out.diagnostics.push_back({SourcePos{path, 0, 0}, ec.message()});
            std::sort(files.begin(), files.end());
            if (files.empty() && !ec) out.diagnostics.push_back({SourcePos{path, 0, 0}, "no *.yml or *.yaml policy in directory"});
            for (const auto& f : files) load_file(f, out);
        } else {
            load_file(path, out);
        }
    }
    // IDs must be unique across everything loaded: results, waivers and --only name them.
    std::map<std::string, const Check*> seen;
    std::set<std::string> policy_ids;
    for (const Policy& p : out.policies) {
        if (!policy_ids.insert(p.id).second)
            out.diagnostics.push_back({SourcePos{p.path, 1, 1}, "policy id '" + p.id + "' is loaded twice"});
        for (const Check& c : p.checks) {
            auto [it, fresh] = seen.emplace(c.info.id, &c);
            if (!fresh)
                out.diagnostics.push_back({c.pos, "duplicate check id '" + c.info.id + "' (first defined at " +
                                                      it->second->pos.str() + ")"});
        }
    }
    return out;
}

}  // namespace triad::rules
