// SPDX-License-Identifier: Apache-2.0
// `triad binaries PATH... [-r]`: a checksec-like listing of the hardening of ELF files, on
// the same reader as the `elf` collector, read on every core. Operands are followed like
// grep -r follows them; symlinks found inside directories are listed as links.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "reporters/text_escape.h"
#include "scanner/elf/elf_hardening.h"
#include "scanner/elf/binary_walk.h"
#include "scanner/identity/identity.h"
#include "base/executor.h"

namespace triad::cli {
namespace {

constexpr const char* kBinariesUsage = R"(usage: triad binaries PATH... [-r] [--format table|json] [--jobs N]

Lists the hardening of ELF executables and shared objects: kind, RELRO, stack canary,
NX, PIE, FORTIFY (fortified/fortifiable functions), CET (IBT/SHSTK), RPATH, RUNPATH and
whether symbols are stripped. Files that are not ELF are left out of directories.

options:
  -r, --recursive    descend into directories (a directory operand needs it)
  --format FORMAT    table (default) or json ({"schema":"triad.binaries/1","files":[...]})
  --jobs N           threads (default: one per core)
  --help             this text

Symlinks inside directories are listed as links, never followed; a symlink named on the
command line is followed. Exit code 0 when every file was read, 1 when some entry is an
error (damaged ELF, unreadable file), 2 on a usage error.
)";

struct Entry {
    std::string path;                        // as the user's operand spells it
    std::string read_path;                   // where it is read (operand symlinks resolved)
    bool named = false;                      // an operand itself: non-ELF is an error, symlinks followed
    std::optional<std::string> link_target;  // a symlink found in a directory
    std::optional<scanner::ElfInfo> info;
    std::string error;
};

// A file named on the command line (entries found in directories come read already): a
// symlink is followed, and a file that is not ELF is an error, since it was asked for.
void analyse_named(const scanner::Sysroot& root, Entry& e) {
    if (!e.named || !e.error.empty() || e.info) return;
    auto info = scanner::read_elf_following(root, e.read_path);
    if (info) e.info = std::move(*info);
    else e.error = info.error().message;
}

std::string absolute(const std::string& p) {
    if (!p.empty() && p.front() == '/') return p;
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    return (cwd / p).lexically_normal().string();
}

void gather(const scanner::Sysroot& root, const scanner::IdentityTable& ids, const std::string& operand, bool recursive,
            scanner::ElfMemo& memo, Executor& executor, std::vector<Entry>& out) {
    const std::string path = absolute(operand);
    auto fd = root.open_path(path, O_PATH, /*follow_final=*/true);
    if (!fd) {
        out.push_back({operand, path, true, std::nullopt, std::nullopt, fd.error().message});
        return;
    }
    struct statx st {};
    if (::statx(fd->get(), "", AT_EMPTY_PATH, STATX_TYPE, &st) != 0) {
        out.push_back({operand, path, true, std::nullopt, std::nullopt, error_from_errno(errno, path).message});
        return;
    }
    if (!S_ISDIR(st.stx_mode)) {
        out.push_back({operand, path, true, std::nullopt, std::nullopt, ""});
        return;
    }
    if (!recursive) {
        out.push_back({operand, path, true, std::nullopt, std::nullopt, "is a directory (use -r)"});
        return;
    }
    // Walk the directory the operand resolves to, and list entries under the operand's name.
    std::error_code ec;
    const std::string real = std::filesystem::canonical(path, ec).string();
    const std::string start = ec ? path : real;
    std::string prefix = operand;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
    std::mutex mutex;
    scanner::BinaryWalk walk;
    walk.start = start;
    walk.links = true;
    auto shown = [&](const std::string& p) {
        if (start == "/") return prefix == "/" ? p : prefix + p;
        return prefix + p.substr(start.size());
    };
    // Files are read by the walk's own threads as they are found, so only the binaries,
    // links and errors are kept: memory follows the number of binaries, not of files.
    scanner::walk_binaries(
        root, ids, walk, memo, executor, nullptr,
        [&](scanner::FoundBinary&& found) {
            Entry entry{shown(found.path), found.path, false, std::move(found.link_target), std::nullopt, ""};
            if (found.elf && *found.elf) entry.info = std::move(**found.elf);
            else if (found.elf) entry.error = found.elf->error().message;
            std::lock_guard lock(mutex);
            out.push_back(std::move(entry));
        },
        [&](const scanner::WalkError& error) {
            std::lock_guard lock(mutex);
            out.push_back({shown(error.path), error.path, false, std::nullopt, std::nullopt, error.reason});
        });
}

// JSON text is UTF-8 and file names are bytes: invalid sequences become U+FFFD, as in the
// scan's JSON report; quotes, backslashes and control characters are escaped.
void json_string(std::string& out, std::string_view raw) {
    out += '"';
    for (unsigned char c : report::valid_utf8(raw)) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

void json_list(std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        json_string(out, items[i]);
    }
    out += ']';
}

// One object per line, every key always present: null where a property does not apply.
void render_json(std::ostream& os, const std::vector<Entry>& entries) {
    os << "{\"schema\":\"triad.binaries/1\",\"files\":[";
    std::string o;
    for (std::size_t n = 0; n < entries.size(); ++n) {
        const Entry& e = entries[n];
        const scanner::ElfInfo* i = e.info ? &*e.info : nullptr;
        auto boolean = [&](bool v) { return i ? (v ? "true" : "false") : "null"; };
        o.assign(n ? ",\n{\"path\":" : "\n{\"path\":");
        json_string(o, e.path);
        o += ",\"kind\":";
        if (i) json_string(o, i->kind);
        else o += e.link_target ? "\"symlink\"" : "null";
        if (e.link_target) {
            o += ",\"link_target\":";
            json_string(o, *e.link_target);
        }
        o += ",\"pie\":" + std::string(boolean(i && i->pie)) + ",\"nx\":" + boolean(i && i->nx) +
             ",\"canary\":" + boolean(i && i->canary) + ",\"relro\":";
        if (i) json_string(o, i->relro);
        else o += "null";
        o += ",\"fortify\":";
        o += i ? "{\"fortified\":" + std::to_string(i->fortified) + ",\"fortifiable\":" + std::to_string(i->fortifiable) + "}"
               : "null";
        o += ",\"rpath\":";
        if (i) json_list(o, i->rpath);
        else o += "null";
        o += ",\"runpath\":";
        if (i) json_list(o, i->runpath);
        else o += "null";
        o += ",\"cet\":";
        o += i ? std::string("{\"ibt\":") + boolean(i->cet_ibt) + ",\"shstk\":" + boolean(i->cet_shstk) + "}" : "null";
        o += ",\"stripped\":" + std::string(boolean(i && i->stripped)) + ",\"error\":";
        if (e.error.empty()) o += "null";
        else json_string(o, e.error);
        o += '}';
        os << o;
    }
    os << "\n]}\n";
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ":") + s;
    return out.empty() ? "-" : out;
}

std::string render_table(const std::vector<Entry>& entries) {
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "%-10s %-8s %-6s %-4s %-4s %-8s %-10s %-8s %s\n", "KIND", "RELRO", "CANARY", "NX",
                  "PIE", "FORTIFY", "CET", "STRIPPED", "PATH");
    out << line;
    for (const Entry& e : entries) {
        if (e.link_target) {
            out << "symlink    " << report::terminal_safe(e.path) << " -> " << report::terminal_safe(*e.link_target) << "\n";
            continue;
        }
        if (!e.info) {
            out << "error      " << report::terminal_safe(e.path) << ": " << report::terminal_safe(e.error) << "\n";
            continue;
        }
        const scanner::ElfInfo& i = *e.info;
        const std::string fortify = std::to_string(i.fortified) + "/" + std::to_string(i.fortifiable);
        const std::string cet = i.cet_ibt && i.cet_shstk ? "ibt,shstk" : i.cet_ibt ? "ibt" : i.cet_shstk ? "shstk" : "-";
        std::snprintf(line, sizeof line, "%-10s %-8s %-6s %-4s %-4s %-8s %-10s %-8s ", i.kind.c_str(), i.relro.c_str(),
                      i.canary ? "yes" : "no", i.nx ? "yes" : "no", i.pie ? "yes" : "no", fortify.c_str(), cet.c_str(),
                      i.stripped ? "yes" : "no");
        out << line << report::terminal_safe(e.path);
        if (!i.rpath.empty()) out << "  rpath=" << report::terminal_safe(join(i.rpath));
        if (!i.runpath.empty()) out << "  runpath=" << report::terminal_safe(join(i.runpath));
        out << "\n";
    }
    return out.str();
}

}  // namespace

int run_binaries(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first,
                               {{"recursive", false, 'r'}, {"format", true}, {"jobs", true}, {"help", false, 'h'}}, args)) {
        print_error(*err + " (see 'triad binaries --help')");
        return kExitUsage;
    }
    if (args.flag("help")) {
        std::cout << kBinariesUsage;
        return kExitOk;
    }
    const std::string format = args.value("format").value_or("table");
    if (format != "table" && format != "json") {
        print_error("unknown format '" + format + "' (table or json)");
        return kExitUsage;
    }
    if (args.positional().empty()) {
        print_error("name at least one file or directory (see 'triad binaries --help')");
        return kExitUsage;
    }
    const std::optional<int> jobs_opt = jobs_option(args);
    if (!jobs_opt) return kExitUsage;
    const int jobs = *jobs_opt;
    auto root = scanner::Sysroot::open("/");
    if (!root) {
        print_error("cannot open /: " + root.error().message);
        return kExitCannotRun;
    }
    const scanner::IdentityTable ids = scanner::IdentityTable::load(*root);
    std::vector<Entry> entries;
    Executor executor(jobs);
    scanner::ElfMemo memo;
    for (const std::string& operand : args.positional())
        gather(*root, ids, operand, args.flag("recursive"), memo, executor, entries);
    executor.parallel_for(entries.size(), nullptr, [&](std::size_t i) { analyse_named(*root, entries[i]); });
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
    if (format == "json") render_json(std::cout, entries);
    else std::cout << render_table(entries);
    std::cout << std::flush;
    const bool any_error = std::any_of(entries.begin(), entries.end(), [](const Entry& e) { return !e.error.empty(); });
    return any_error ? kExitFindings : kExitOk;
}

}  // namespace triad::cli
