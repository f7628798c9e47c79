// SPDX-License-Identifier: Apache-2.0
// `triad collectors` and `triad collectors show NAME`: what a policy can select, from the
// collectors' own specs. The markdown form is docs/collectors/NAME.md, byte for byte
// (scripts/update-collector-docs writes it; tests/e2e/collector_docs_test.cpp compares).
#include <algorithm>
#include <cctype>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "scanner/core/registry.h"

namespace triad::cli {
namespace {

using scanner::ArgKind;
using scanner::ArgSpec;
using scanner::CollectorEntry;
using scanner::FieldSpec;

constexpr const char* kCollectorsUsage = R"(usage: triad collectors
       triad collectors show NAME [--format text|markdown]

Collectors read the audited system; a check selects objects from one of them
(select: { collector: NAME, ... }).

(no command)  every collector: name, scope (root or host) and what it reads; those this
              triad was built without are listed after them, with the build option
show NAME     one collector in full: what it reads, its scope, its select arguments and
              the fields a condition can use. --format markdown prints the page that
              docs/collectors/NAME.md holds.
)";

constexpr std::size_t kWrapColumns = 90;

std::string_view summary(const CollectorEntry& c) {
    std::string_view doc = c.doc;
    return doc.substr(0, doc.find('\n'));
}

// The paragraphs after the summary line, each as one line of text.
std::vector<std::string> paragraphs(const CollectorEntry& c) {
    std::vector<std::string> out;
    std::string_view doc = c.doc;
    std::size_t nl = doc.find('\n');
    if (nl == std::string_view::npos) return out;
    doc.remove_prefix(nl + 1);
    while (!doc.empty()) {
        std::size_t end = doc.find("\n\n");
        std::string para(doc.substr(0, end));
        std::replace(para.begin(), para.end(), '\n', ' ');
        if (para.find_first_not_of(' ') != std::string::npos) out.push_back(para.substr(para.find_first_not_of(' ')));
        doc = end == std::string_view::npos ? std::string_view{} : doc.substr(end + 2);
    }
    return out;
}

// Word-wraps one paragraph to kWrapColumns: the first line starts with `first`, the others
// with `indent` (a hanging indent when `first` is a label).
std::string wrap(const std::string& text, const std::string& first = "", const std::string& indent = "") {
    std::string out, line;
    const std::string* prefix = &first;
    std::istringstream words(text);
    for (std::string w; words >> w;) {
        if (!line.empty() && prefix->size() + line.size() + 1 + w.size() > kWrapColumns) {
            out += *prefix + line + "\n";
            line.clear();
            prefix = &indent;
        }
        line += (line.empty() ? "" : " ") + w;
    }
    if (!line.empty()) out += *prefix + line + "\n";
    return out;
}

const char* kind_name(ArgKind k) {
    switch (k) {
        case ArgKind::string: return "string";
        case ArgKind::list: return "list";
        case ArgKind::boolean: return "boolean";
        case ArgKind::integer: return "integer";
        case ArgKind::choice: return "choice";
        case ArgKind::paths: return "paths";
        case ArgKind::globs: return "globs";
    }
    return "?";
}

// What a kind accepts, for the legend under the arguments.
const char* kind_meaning(ArgKind k) {
    switch (k) {
        case ArgKind::string: return "one string";
        case ArgKind::list: return "a string or a list of strings";
        case ArgKind::boolean: return "true or false";
        case ArgKind::integer: return "a whole number";
        case ArgKind::choice: return "one of the listed words";
        case ArgKind::paths: return "an absolute path or glob inside the audited root, or a list of them";
        case ArgKind::globs: return "path globs of objects to leave out, or a list of them; DIR/** also keeps a walk out of DIR";
    }
    return "?";
}

std::vector<std::string> choices(const ArgSpec& a) {
    std::vector<std::string> out;
    std::string_view s = a.choices;
    while (!s.empty()) {
        std::size_t bar = s.find('|');
        out.emplace_back(s.substr(0, bar));
        s = bar == std::string_view::npos ? std::string_view{} : s.substr(bar + 1);
    }
    return out;
}

const char* scope_meaning(scanner::Scope s) {
    return s == scanner::Scope::root
               ? "it reads the audited root, so it works on this host and on an offline root (`triad scan --root DIR`)"
               : "it needs the running system (/proc and /sys, or --proc/--sys fixture trees); under an offline `--root` "
                 "its checks are not_applicable";
}

const char* walk_meaning(const CollectorEntry& c) {
    return c.walk ? "yes — its objects are the entries of the one shared walk of the file system, filtered by `where` "
                    "as the walk meets them; every such select of a scan shares that one pass"
                  : "no — it collects its objects itself, for each select";
}

// ---- markdown ----

// Escapes what markdown would read as markup in prose and table cells, leaving `code`
// spans alone: a doc's "<policy_type>" would vanish as an HTML tag, "__*_chk" would turn
// into emphasis, a '|' would split a table cell.
std::string md(std::string_view text) {
    std::string out;
    bool code = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '`') code = !code;
        if (!code) {
            auto alnum = [&](std::size_t j) { return j < text.size() && std::isalnum(static_cast<unsigned char>(text[j])); };
            if (c == '<') {
                out += "&lt;";
                continue;
            }
            if (c == '*' || c == '|' || c == '\\' || (c == '_' && !(i > 0 && alnum(i - 1) && alnum(i + 1)))) out += '\\';
        }
        out += c;
    }
    return out;
}

std::string markdown(const CollectorEntry& c) {
    std::ostringstream out;
    out << "<!-- Generated from the collector's specs by scripts/update-collector-docs\n"
        << "     (triad collectors show " << c.name << " --format markdown); do not edit. -->\n\n"
        << "# Collector `" << c.name << "`\n\n"
        << wrap(md(summary(c))) << "\n";
    for (const std::string& p : paragraphs(c)) out << wrap(md(p)) << "\n";
    out << "- **Scope:** " << (c.scope == scanner::Scope::root ? "root" : "host") << " — " << scope_meaning(c.scope)
        << ".\n"
        << "- **Walk collector:** " << walk_meaning(c) << ".\n\n";

    out << "## Select arguments\n\n";
    if (c.args.empty()) {
        out << "`select: { collector: " << c.name << " }` takes no arguments besides `where`, a condition on the fields "
            << "below.\n\n";
    } else {
        out << "`select: { collector: " << c.name << ", ... }` takes these arguments besides `where`, a condition on "
            << "the fields below.\n\n"
            << "| argument | kind | required | choices | description |\n"
            << "|---|---|---|---|---|\n";
        std::vector<ArgKind> kinds;
        for (const ArgSpec& a : c.args) {
            std::string cs;
            for (const std::string& choice : choices(a)) cs += (cs.empty() ? "`" : ", `") + choice + "`";
            out << "| `" << a.name << "` | " << kind_name(a.kind) << " | " << (a.required ? "yes" : "no") << " | " << cs
                << " | " << md(a.doc) << " |\n";
            if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) kinds.push_back(a.kind);
        }
        out << "\nArgument kinds:\n\n";
        for (ArgKind k : kinds) out << "- " << kind_name(k) << ": " << md(kind_meaning(k)) << "\n";
        out << "\n";
    }

    out << "## Fields\n\n"
        << "| field | kind | description |\n"
        << "|---|---|---|\n";
    for (const FieldSpec& f : c.fields) out << "| `" << f.name << "` | " << to_string(f.kind) << " | " << md(f.doc) << " |\n";
    out << "\nThe policy language, its operators and verdicts: [policy-language.md](../policy-language.md).\n";
    return out.str();
}

// ---- text ----

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.resize(width, ' ');
    return s;
}

std::string text(const CollectorEntry& c) {
    std::ostringstream out;
    out << c.name << " — " << summary(c) << "\n\n";
    for (const std::string& p : paragraphs(c)) out << wrap(p) << "\n";
    const std::string hang(7, ' ');
    out << wrap(std::string(c.scope == scanner::Scope::root ? "root — " : "host — ") + scope_meaning(c.scope),
                "scope  ", hang)
        << wrap(walk_meaning(c), "walk   ", hang);
    if (c.left_out_by)
        out << wrap(std::string("no — this triad was built without ") + c.left_out_by + ": checks that select it are errors",
                    "built  ", hang);

    out << "\nselect arguments (besides `where`):\n";
    if (c.args.empty()) out << "  none\n";
    std::size_t width = 0;
    for (const ArgSpec& a : c.args) width = std::max(width, std::string_view(a.name).size());
    for (const ArgSpec& a : c.args) {
        std::string doc = a.doc;
        if (*a.choices) doc += " [" + std::string(a.choices) + "]";
        out << "  " << pad(a.name, width) << "  " << pad(kind_name(a.kind), 7) << "  " << (a.required ? "required" : "optional")
            << "  " << doc << "\n";
    }

    out << "\nfields:\n";
    width = 0;
    for (const FieldSpec& f : c.fields) width = std::max(width, std::string_view(f.name).size());
    for (const FieldSpec& f : c.fields)
        out << "  " << pad(f.name, width) << "  " << pad(std::string(to_string(f.kind)), 7) << "  " << f.doc << "\n";
    return out.str();
}

int list() {
    std::size_t width = 0;
    for (const CollectorEntry& c : scanner::collectors()) width = std::max(width, std::string_view(c.name).size());
    bool any_left_out = false;
    for (const CollectorEntry& c : scanner::collectors()) {
        if (c.left_out_by) {
            any_left_out = true;
            continue;
        }
        std::cout << pad(c.name, width) << "  " << (c.scope == scanner::Scope::root ? "root" : "host") << "  "
                  << summary(c) << "\n";
    }
    if (any_left_out) {
        std::cout << "\nnot built into this triad (policies that select them load; their checks are errors):\n";
        for (const CollectorEntry& c : scanner::collectors())
            if (c.left_out_by) std::cout << pad(c.name, width) << "  built without " << c.left_out_by << "\n";
    }
    return kExitOk;
}

int show(const std::string& name, const std::string& format) {
    const CollectorEntry* c = scanner::find_collector(name);
    if (!c) {
        print_error("unknown collector '" + name + "' (see 'triad collectors')");
        return kExitUsage;
    }
    if (format == "markdown") std::cout << markdown(*c);
    else std::cout << text(*c);
    return kExitOk;
}

}  // namespace

int run_collectors(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first, {{"format", true}, {"help", false, 'h'}}, args)) {
        print_error(*err);
        return kExitUsage;
    }
    if (args.flag("help")) {
        std::cout << kCollectorsUsage;
        return kExitOk;
    }
    const auto& pos = args.positional();
    const std::string format = args.value("format").value_or("text");
    if (format != "text" && format != "markdown") {
        print_error("unknown format '" + format + "' (text or markdown)");
        return kExitUsage;
    }
    if (pos.empty()) {
        if (args.value("format")) {
            print_error("--format applies to 'triad collectors show NAME'");
            return kExitUsage;
        }
        return list();
    }
    if (pos[0] != "show" || pos.size() != 2) {
        std::cerr << kCollectorsUsage;
        return kExitUsage;
    }
    return show(pos[1], format);
}

}  // namespace triad::cli
