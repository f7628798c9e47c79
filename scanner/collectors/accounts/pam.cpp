// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/path_glob.h"
#include "scanner/collectors/accounts/pam.h"

#include <algorithm>
#include <map>

#include "scanner/config/config_file.h"
#include "scanner/walk/file_entry.h"

namespace triad::scanner {
namespace {

enum PamField : std::size_t {
    kPamService, kPamType, kPamControl, kPamModule, kPamModulePath, kPamArgs, kPamOptionalModule, kPamPosition,
    kPamFile, kPamLine, kPamOptionSet, kPamOptionValue, kPamModuleFound, kPamModuleFile, kPamFieldCount
};
constexpr FieldSpec kFields[] = {
    {"service", ValueKind::string, "the service file under /etc/pam.d (common-auth, sshd, su...)"},
    {"type", ValueKind::string, "auth, account, password or session"},
    {"control", ValueKind::string, "required, requisite, sufficient, optional, include or [value=action ...]"},
    {"module", ValueKind::string, "module file name (pam_unix.so)"},
    {"module_path", ValueKind::string, "module as written"},
    {"args", ValueKind::list, "module arguments"},
    {"optional_module", ValueKind::boolean, "the line starts with '-': PAM skips it when the module is missing"},
    {"position", ValueKind::integer, "1-based place in the service's stack of this type, after includes"},
    {"file", ValueKind::string, "file the line is in (an included file for @include)"},
    {"line", ValueKind::integer, "line number in that file"},
    {"option_set", ValueKind::boolean, "the argument named by select's `option` is given (deny, remember...)"},
    {"option_value", ValueKind::string, "the value of `option=VALUE`; empty for a bare flag; absent when not given"},
    {"module_found", ValueKind::boolean, "the module file exists in the audited root (PAM's module directories, or the path as written): a line whose module is missing protects nothing"},
    {"module_file", ValueKind::string, "where the module file was found; absent when it was not"},
};
static_assert(std::size(kFields) == kPamFieldCount);

constexpr int kMaxIncludeDepth = 16;
// Each @include can repeat a file many times over: what is read for one service (files,
// bytes, lines) is bounded by an IncludeBudget so that a hostile tree cannot make the
// expansion exponential or a gigabyte of lines.

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Words of a PAM line: blanks separate, "[...]" is one word (controls and arguments with spaces).
std::vector<std::string> pam_words(std::string_view line) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && blank(line[i])) ++i;
        if (i >= line.size()) break;
        std::string w;
        if (line[i] == '[') {
            ++i;
            while (i < line.size() && line[i] != ']') {
                if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ']') ++i;
                w += line[i++];
            }
            if (i < line.size()) ++i;
            // A bracketed control keeps its brackets, as users write it; an argument does not.
            words.push_back(words.size() == 1 ? "[" + w + "]" : w);
            continue;
        }
        while (i < line.size() && !blank(line[i])) w += line[i++];
        words.push_back(std::move(w));
    }
    return words;
}

struct Expander {
    const Sysroot& root;
    std::string service;
    std::vector<PamLine> out;
    std::string error;
    std::vector<std::string> stack;
    IncludeBudget budget{};

    // Appends the lines of `file`; with `only_type`, only lines of that type (include, substack).
    void expand(const std::string& file, const std::string& only_type, int depth) {
        if (!error.empty()) return;
        if (depth > kMaxIncludeDepth || std::find(stack.begin(), stack.end(), file) != stack.end()) {
            error = file + ": include loop or includes nested deeper than " + std::to_string(kMaxIncludeDepth);
            return;
        }
        auto text = root.read_file(file);
        if (!text) {
            // PAM fails the including stack when an included file is missing: that is worth an error.
            error = text.error().describe();
            return;
        }
        if (std::string why = budget.charge(file, *text); !why.empty()) {
            error = std::move(why);
            return;
        }
        stack.push_back(file);
        for (const LogicalLine& logical : logical_lines(*text, /*strip_hash_comments=*/true)) {
            if (!error.empty()) return;  // an include below tripped a budget: the stack is not whole
            std::vector<std::string> w = pam_words(logical.text);
            if (w.empty()) continue;
            if (w[0] == "@include") {
                if (w.size() >= 2) expand(resolve(w[1]), only_type, depth + 1);
                continue;
            }
            PamLine l;
            l.service = service;
            l.type = w[0];
            if (!l.type.empty() && l.type.front() == '-') {
                l.optional_module = true;
                l.type.erase(0, 1);
            }
            for (char& c : l.type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!only_type.empty() && l.type != only_type) continue;
            if (w.size() < 3) continue;  // PAM logs and ignores a line without a module
            l.control = w[1];
            if (l.control == "include" || l.control == "substack") {
                expand(resolve(w[2]), l.type, depth + 1);
                continue;
            }
            l.module_path = w[2];
            l.args.assign(w.begin() + 3, w.end());
            l.file = file;
            l.line = logical.line;
            out.push_back(std::move(l));
        }
        stack.pop_back();
    }

    static std::string resolve(const std::string& name) {
        return name.front() == '/' ? name : "/etc/pam.d/" + name;
    }
};

std::string base_name(const std::string& path) {
    std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<PamLine> read_pam_service(const Sysroot& root, const std::string& service, std::string& error) {
    Expander e{root, service, {}, {}, {}, {}};
    e.expand("/etc/pam.d/" + service, "", 0);
    error = e.error;
    std::map<std::string, int> positions;
    for (PamLine& l : e.out) l.position = ++positions[l.type];
    return std::move(e.out);
}

std::string find_pam_module(const Sysroot& root, const std::string& module_path) {
    if (module_path.empty()) return {};
    if (module_path.front() == '/') return root.lstat(module_path) ? module_path : std::string();
    // PAM resolves a relative name in its own compiled-in directory; distributions differ in
    // which one, so each of them is tried.
    for (const char* dir : {"/lib/security/", "/lib64/security/", "/usr/lib/security/", "/usr/lib64/security/",
                            "/lib/*/security/", "/usr/lib/*/security/"}) {
        auto found = expand_path_glob(root, dir + module_path);
        if (!found) continue;
        for (const std::string& path : *found)
            if (root.lstat(path)) return path;
    }
    return {};
}

Result<std::vector<std::string>> pam_service_names(const Sysroot& root) {
    std::vector<std::string> services;
    auto files = expand_path_glob(root, "/etc/pam.d/*");
    if (!files) return files.error();
    for (const std::string& f : *files) {
        auto fst = root.lstat(f);
        if (fst && S_ISREG(fst->stx_mode)) services.push_back(base_name(f));
    }
    return services;
}

std::span<const FieldSpec> pam_fields() { return kFields; }

FactSet collect_pam(const CollectContext& ctx, const SelectArgs& args) {
    StringList services = args.list("service");
    if (services.empty()) {
        auto st = ctx.root.lstat("/etc/pam.d");
        if (!st) return {Fact::not_applicable("/etc/pam.d", "/etc/pam.d does not exist: PAM is not configured")};
        auto names = pam_service_names(ctx.root);
        if (!names) return {Fact::error("/etc/pam.d", names.error().describe())};
        services.assign(names->begin(), names->end());
    }
    const std::string* option = args.string("option");
    std::map<std::string, std::string> module_files;  // module as written -> where found
    FactSet out;
    for (const std::string& service : services) {
        if (ctx.cancelled()) break;
        std::string error;
        std::vector<PamLine> lines = read_pam_service(ctx.root, service, error);
        if (!error.empty()) {
            if (!ctx.root.lstat("/etc/pam.d/" + service))
                out.push_back(Fact::not_applicable("/etc/pam.d/" + service, "/etc/pam.d/" + service + " does not exist"));
            else
                out.push_back(Fact::error("/etc/pam.d/" + service, error));
            continue;
        }
        for (const PamLine& l : lines) {
            Fact f;
            f.object = service + ": " + l.type + " " + l.control + " " + l.module_path + " (" + l.file + ":" +
                       std::to_string(l.line) + ")";
            f.fields.resize(kPamFieldCount);
            f.fields[kPamService] = Value{l.service};
            f.fields[kPamType] = Value{l.type};
            f.fields[kPamControl] = Value{l.control};
            f.fields[kPamModule] = Value{base_name(l.module_path)};
            f.fields[kPamModulePath] = Value{l.module_path};
            f.fields[kPamArgs] = Value{StringList(l.args)};
            f.fields[kPamOptionalModule] = Value{l.optional_module};
            f.fields[kPamPosition] = Value{std::int64_t{l.position}};
            f.fields[kPamFile] = Value{l.file};
            f.fields[kPamLine] = Value{std::int64_t{l.line}};
            auto [found, fresh] = module_files.try_emplace(l.module_path);
            if (fresh) found->second = find_pam_module(ctx.root, l.module_path);
            f.fields[kPamModuleFound] = Value{!found->second.empty()};
            if (!found->second.empty()) f.fields[kPamModuleFile] = Value{found->second};
            if (option) {
                bool set = false;
                for (const std::string& a : l.args) {
                    // The last occurrence wins, as in the modules' own argument loops.
                    if (a == *option) {
                        set = true;
                        f.fields[kPamOptionValue] = Value{std::string()};
                    } else if (a.size() > option->size() && a.starts_with(*option) && a[option->size()] == '=') {
                        set = true;
                        f.fields[kPamOptionValue] = Value{a.substr(option->size() + 1)};
                    }
                }
                f.fields[kPamOptionSet] = Value{set};
            }
            out.push_back(std::move(f));
        }
    }
    return out;
}

namespace {

constexpr ArgSpec kArgs[] = {
    {"service", ArgKind::list, false, "service files under /etc/pam.d to read (default: all)"},
    {"option", ArgKind::string, false, "a module argument to read into option_set / option_value (deny, remember...)"},
};

}  // namespace

const CollectorEntry kPamCollector{
    "pam", Scope::root, kFields, kArgs, collect_pam,
    "each module line of the /etc/pam.d services, includes expanded\n"
    "\n"
    "One object per module line of each service's stack, in the order PAM runs it: "
    "`@include`, `include` and `substack` are expanded in place (`file` and `line` say "
    "where each line is written) and `position` counts the lines of one type; "
    "`module_found` says whether the module file is installed, since a line naming a "
    "missing module protects nothing. Continued "
    "lines and comments are read as PAM reads them. Without /etc/pam.d the collector is "
    "not_applicable; a named service that does not exist is not_applicable for that "
    "service; an unreadable file or an include loop is an error for its service.",
};

}  // namespace triad::scanner
