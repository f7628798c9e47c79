// SPDX-License-Identifier: Apache-2.0
// `triad policy check`, `triad rules list` and `triad rules explain`: what is loaded, without scanning.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "reporters/text_escape.h"
#include "rules/eval/condition.h"

namespace triad::cli {
namespace {

constexpr const char* kPolicyUsage = R"(usage: triad policy check FILE|DIR...

Validates policies without scanning: every error is printed as FILE:LINE:COL: message.
Exit code 0 when all are valid, 2 otherwise.
)";

constexpr const char* kRulesUsage = R"(usage: triad rules list [--policy FILE|DIR]... [--format table|json]
       triad rules explain ID [--policy FILE|DIR]...

list     every loaded check: id, severity, C/I/A impact, collector, title
explain  one check in full: rationale, remediation, what it selects and expects
)";

// Policies are input like any other: what they say is shown inert on the terminal.
std::string t(std::string_view s) { return report::terminal_safe(s); }

std::string impact_letters(const rules::CiaImpact& i) {
    auto letter = [](rules::Impact v) { return v == rules::Impact::high ? 'H' : v == rules::Impact::low ? 'L' : '-'; };
    return std::string{letter(i.c), '/', letter(i.i), '/', letter(i.a)};
}

std::string arg_text(const scanner::ArgValue& v) {
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    std::string out;
    for (const auto& s : std::get<scanner::StringList>(v)) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::vector<std::string> policy_paths(const Args& args) {
    auto paths = args.values("policy");
    if (paths.empty()) paths.push_back(default_policy_dir());
    return paths;
}

int rules_list(const Args& args, const rules::LoadResult& loaded) {
    const std::string format = args.value("format").value_or("table");
    if (format == "json") {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& p : loaded.policies)
            for (const auto& c : p.checks) {
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                o->set("id", c.info.id);
                o->set("policy", p.id);
                o->set("title", c.info.title);
                o->set("severity", std::string(to_string(c.info.severity)));
                Poco::JSON::Object::Ptr impact = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
                impact->set("c", std::string(to_string(c.info.impact.c)));
                impact->set("i", std::string(to_string(c.info.impact.i)));
                impact->set("a", std::string(to_string(c.info.impact.a)));
                o->set("impact", impact);
                Poco::JSON::Array::Ptr tags = new Poco::JSON::Array;
                for (const auto& t : c.info.tags) tags->add(t);
                o->set("tags", tags);
                o->set("collector", std::string(c.select.collector->name));
                o->set("source", c.pos.str());
                list->add(o);
            }
        list->stringify(std::cout, 2);
        std::cout << "\n";
        return kExitOk;
    }
    if (format != "table") {
        print_error("unknown format '" + format + "' (table or json)");
        return kExitUsage;
    }
    for (const auto& p : loaded.policies)
        for (const auto& c : p.checks) {
            std::string id = t(c.info.id);
            id.resize(std::max<std::size_t>(id.size(), 28), ' ');
            std::string sev(to_string(c.info.severity));
            sev.resize(9, ' ');
            std::string coll = c.select.collector->name;
            coll.resize(std::max<std::size_t>(coll.size(), 7), ' ');
            std::cout << id << ' ' << sev << impact_letters(c.info.impact) << "  " << coll << ' ' << t(c.info.title) << "\n";
        }
    return kExitOk;
}

int rules_explain(const std::string& id, const rules::LoadResult& loaded) {
    for (const auto& p : loaded.policies)
        for (const auto& c : p.checks) {
            if (c.info.id != id) continue;
            std::ostringstream out;
            out << t(c.info.id) << ": " << t(c.info.title) << "\n"
                << "  policy       " << t(p.id) << " " << t(p.version) << " (" << t(c.pos.str()) << ")\n"
                << "  severity     " << to_string(c.info.severity) << "\n"
                << "  impact       confidentiality " << to_string(c.info.impact.c) << ", integrity "
                << to_string(c.info.impact.i) << ", availability " << to_string(c.info.impact.a) << "\n";
            if (!c.info.tags.empty()) {
                out << "  tags        ";
                for (const auto& tag : c.info.tags) out << " " << t(tag);
                out << "\n";
            }
            out << "  selects      collector " << c.select.collector->name;
            for (const auto& [k, v] : c.select.args.values) out << ", " << k << ": " << t(arg_text(v));
            out << "\n";
            if (c.select.where) out << "  where        " << t(rules::describe(*c.select.where)) << "\n";
            if (c.expect.objects == rules::Quantifier::none) out << "  expects      no object selected\n";
            else
                out << "  expects      " << (c.expect.objects == rules::Quantifier::any ? "some object: " : "every object: ")
                    << t(rules::describe(*c.expect.condition)) << "\n";
            if (!c.info.rationale.empty()) out << "\nwhy: " << t(c.info.rationale) << "\n";
            if (!c.info.remediation.empty()) out << "fix: " << t(c.info.remediation) << "\n";
            std::cout << out.str();
            return kExitOk;
        }
    print_error("no loaded check has id '" + id + "' (see 'triad rules list')");
    return kExitUsage;
}

}  // namespace

// Messages quote file names, policy text and result files: never let them drive the terminal.
void print_error(const std::string& message) { std::cerr << "triad: " << t(message) << "\n"; }

void print_diagnostic(const std::string& line) { std::cerr << t(line) << "\n"; }

std::string default_policy_dir() {
    if (const char* env = std::getenv("TRIAD_POLICY_DIR"); env && *env) return env;
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto installed = exe.parent_path().parent_path() / "share/triad/policies";
        if (std::filesystem::is_directory(installed, ec)) return installed.string();
    }
    return TRIAD_DEFAULT_POLICY_DIR;
}

bool load_or_report(const std::vector<std::string>& paths, rules::LoadResult& out) {
    out = rules::load_policies(paths);
    for (const auto& d : out.diagnostics) print_diagnostic(d.str());
    return out.ok();
}

int run_policy(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first, {{"help", false, 'h'}}, args)) {
        print_error(*err);
        return kExitUsage;
    }
    const auto& pos = args.positional();
    if (args.flag("help")) {
        std::cout << kPolicyUsage;
        return kExitOk;
    }
    if (pos.empty() || pos[0] != "check" || pos.size() < 2) {
        std::cerr << kPolicyUsage;
        return kExitUsage;
    }
    rules::LoadResult loaded;
    if (!load_or_report({pos.begin() + 1, pos.end()}, loaded)) return kExitUsage;
    std::size_t checks = 0;
    for (const auto& p : loaded.policies) checks += p.checks.size();
    std::cout << "ok: " << loaded.policies.size() << " polic" << (loaded.policies.size() == 1 ? "y" : "ies") << ", "
              << checks << " checks\n";
    return kExitOk;
}

int run_rules(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first, {{"policy", true}, {"format", true}, {"help", false, 'h'}}, args)) {
        print_error(*err);
        return kExitUsage;
    }
    const auto& pos = args.positional();
    if (args.flag("help")) {
        std::cout << kRulesUsage;
        return kExitOk;
    }
    if (pos.empty() || (pos[0] != "list" && pos[0] != "explain") || (pos[0] == "explain" && pos.size() != 2) ||
        (pos[0] == "list" && pos.size() != 1)) {
        std::cerr << kRulesUsage;
        return kExitUsage;
    }
    rules::LoadResult loaded;
    if (!load_or_report(policy_paths(args), loaded)) return kExitUsage;
    return pos[0] == "list" ? rules_list(args, loaded) : rules_explain(pos[1], loaded);
}

}  // namespace triad::cli
