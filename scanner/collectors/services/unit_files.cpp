// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/services/unit_files.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "scanner/config/config_file.h"

namespace triad::scanner::units {
namespace {

// A unit directory of a real system holds a few hundred entries; a hostile root could hold
// millions. Past these limits the index says so instead of reading on.
constexpr std::size_t kMaxEntriesPerDir = 20000;
constexpr std::size_t kMaxDropinsPerDir = 256;
constexpr std::size_t kMaxLinksPerDir = 4096;
constexpr std::size_t kMaxUnitFileBytes = 512 * 1024;
constexpr std::size_t kMaxSettingsPerUnit = 20000;
constexpr std::size_t kMaxDropinsPerUnit = 512;

struct DirEntry {
    std::string name;
    unsigned char type;  // DT_* (DT_UNKNOWN on some file systems: then lstat decides)
};

// Entries of `dir` inside the root, unsorted; `error` set when the directory exists but
// cannot be read, or has more than `limit` entries.
std::vector<DirEntry> list_dir(const Sysroot& root, const std::string& dir, std::size_t limit, std::string* error) {
    std::vector<DirEntry> out;
    auto fd = root.open_path(dir, O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    if (!fd) {
        if (fd.error().code != ErrorCode::not_found && fd.error().code != ErrorCode::invalid_input)
            *error = fd.error().describe();
        return out;
    }
    DIR* d = ::fdopendir(fd->get());
    if (!d) {
        *error = root.display(dir) + ": " + std::strerror(errno);
        return out;
    }
    fd->release();  // owned by d now
    while (dirent* e = ::readdir(d)) {
        if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
        if (out.size() == limit) {
            *error = root.display(dir) + ": more than " + std::to_string(limit) + " entries; the rest was not read";
            break;
        }
        out.push_back({e->d_name, e->d_type});
    }
    ::closedir(d);
    return out;
}

bool is_dir(const Sysroot& root, const std::string& path, unsigned char type) {
    if (type == DT_DIR) return true;
    if (type != DT_UNKNOWN && type != DT_LNK) return false;
    // A symlinked drop-in or .wants directory is followed as systemd follows it (inside the root).
    auto fd = root.open_path(path, O_RDONLY | O_DIRECTORY, /*follow_final=*/true);
    return fd.has_value();
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e + 1 - b));
}

std::string base_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The drop-in directory names that apply to `name`, most specific first: the unit itself,
// its template, its dash prefixes ("foo-bar-baz.service" -> "foo-bar-.service",
// "foo-.service"), and the unit type ("service.d" for every service).
std::vector<std::string> dropin_names(const std::string& name) {
    std::vector<std::string> out{name + ".d"};
    const std::string tmpl = template_of(name);
    if (tmpl != name) out.push_back(tmpl + ".d");
    const auto dot = name.rfind('.');
    const std::string stem = name.substr(0, dot), suffix = name.substr(dot);
    for (auto dash = stem.rfind('-'); dash != std::string::npos && dash > 0; dash = stem.rfind('-', dash - 1)) {
        out.push_back(stem.substr(0, dash + 1) + suffix + ".d");
    }
    out.push_back(suffix.substr(1) + ".d");
    return out;
}

}  // namespace

std::vector<Setting> parse_unit_text(std::string_view text, const std::string& file, std::string* error) {
    std::vector<Setting> out;
    std::string section;
    for (const LogicalLine& l : logical_lines(text, /*strip_hash_comments=*/false)) {
        const std::string line = trim(l.text);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            const auto close = line.find(']');
            if (close == std::string::npos || close + 1 != line.size()) continue;  // systemd: invalid section, ignored
            section = line.substr(1, close - 1);
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;  // "Missing '=', ignoring line."
        if (section.empty()) {
            *error = file + ":" + std::to_string(l.line) + ": assignment outside of any section";
            return {};
        }
        if (out.size() == kMaxSettingsPerUnit) {
            *error = file + ": more than " + std::to_string(kMaxSettingsPerUnit) + " settings";
            return {};
        }
        out.push_back({section, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), file, l.line});
    }
    return out;
}

const std::vector<std::string>& search_dirs() {
    static const std::vector<std::string> dirs{
        "/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
        "/etc/systemd/system",         "/run/systemd/system",         "/usr/local/lib/systemd/system",
        "/lib/systemd/system",         "/usr/lib/systemd/system",
    };
    return dirs;
}

std::string template_of(const std::string& name) {
    const auto at = name.find('@');
    const auto dot = name.rfind('.');
    if (at == std::string::npos || dot == std::string::npos || dot < at || dot == at + 1) return name;
    return name.substr(0, at + 1) + name.substr(dot);
}

UnitIndex index_units(const Sysroot& root, const std::vector<std::string>& suffixes) {
    UnitIndex index;
    auto wanted = [&](const std::string& unit, const std::string& target) {
        const std::string tmpl = template_of(unit);
        auto& targets = index.wanted_by[tmpl];
        if (std::find(targets.begin(), targets.end(), target) == targets.end()) targets.push_back(target);
        if (tmpl != unit) {
            const std::string inst = unit.substr(unit.find('@') + 1, unit.rfind('.') - unit.find('@') - 1);
            auto& insts = index.instances[tmpl];
            if (std::find(insts.begin(), insts.end(), inst) == insts.end()) insts.push_back(inst);
        }
    };
    auto is_unit = [&](const std::string& n) {
        return std::any_of(suffixes.begin(), suffixes.end(), [&](const std::string& s) { return ends_with(n, s); });
    };
    // /lib and /usr/lib are the same directory on a merged root: read it once.
    std::set<std::pair<dev_t, ino_t>> seen;
    for (const std::string& dir : search_dirs()) {
        auto dfd = root.open_path(dir, O_RDONLY | O_DIRECTORY, true);
        if (dfd) {
            struct stat st {};
            if (::fstat(dfd->get(), &st) == 0 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
        }
        std::string error;
        std::vector<DirEntry> entries = list_dir(root, dir, kMaxEntriesPerDir, &error);
        if (!error.empty()) index.errors.push_back(error);
        std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
        for (const DirEntry& e : entries) {
            const std::string path = dir + "/" + e.name;
            if (is_unit(e.name)) {
                index.entries[e.name].push_back(path);
            } else if (ends_with(e.name, ".d") && is_dir(root, path, e.type)) {
                std::string derr;
                auto& files = index.dropin_dirs[e.name];
                for (const DirEntry& c : list_dir(root, path, kMaxDropinsPerDir, &derr))
                    if (ends_with(c.name, ".conf")) files.push_back(path + "/" + c.name);
                if (!derr.empty()) index.errors.push_back(derr);
            } else if ((ends_with(e.name, ".wants") || ends_with(e.name, ".requires")) && is_dir(root, path, e.type)) {
                const std::string target = e.name.substr(0, e.name.rfind('.'));
                std::string lerr;
                for (const DirEntry& c : list_dir(root, path, kMaxLinksPerDir, &lerr))
                    if (is_unit(c.name)) wanted(c.name, target);
                if (!lerr.empty()) index.errors.push_back(lerr);
            }
        }
    }
    for (auto& [_, targets] : index.wanted_by) std::sort(targets.begin(), targets.end());
    for (auto& [_, insts] : index.instances) std::sort(insts.begin(), insts.end());
    return index;
}

LoadedUnit load_unit(const Sysroot& root, const UnitIndex& index, const std::string& name) {
    LoadedUnit u;
    u.name = name;
    auto it = index.entries.find(name);
    if (it == index.entries.end() || it->second.empty()) {
        u.error = name + ": no unit file";
        return u;
    }
    const std::string& entry = it->second.front();
    auto st = root.lstat(entry);
    if (!st) {
        u.error = st.error().describe();
        return u;
    }
    if (S_ISLNK(st->stx_mode)) {
        auto target = root.read_link(entry);
        if (!target) {
            u.error = target.error().describe();
            return u;
        }
        if (*target == "/dev/null") {
            u.masked = true;
            return u;
        }
        const std::string target_name = base_name(*target);
        if (target_name != name) {
            u.alias_of = target_name;
            return u;
        }
    } else if (S_ISREG(st->stx_mode) && st->stx_size == 0) {
        u.masked = true;  // systemd treats an empty unit file as masked too
        return u;
    }
    u.fragment = entry;
    auto text = root.read_file(entry, kMaxUnitFileBytes);
    if (!text) {
        u.error = text.error().describe();
        return u;
    }
    u.settings = parse_unit_text(*text, entry, &u.error);
    if (!u.error.empty()) return u;

    // Drop-ins: a file name in a higher-priority directory hides the same name below it;
    // the survivors apply in the order of their file names.
    std::map<std::string, std::string> by_name;
    for (const std::string& dir : search_dirs()) {
        for (const std::string& dname : dropin_names(name)) {
            auto d = index.dropin_dirs.find(dname);
            if (d == index.dropin_dirs.end()) continue;
            for (const std::string& file : d->second) {
                if (!file.starts_with(dir + "/")) continue;
                by_name.emplace(base_name(file), file);
                if (by_name.size() > kMaxDropinsPerUnit) {
                    u.error = name + ": more than " + std::to_string(kMaxDropinsPerUnit) + " drop-ins";
                    return u;
                }
            }
        }
    }
    for (const auto& [_, file] : by_name) {
        auto dst = root.lstat(file);
        if (dst && S_ISLNK(dst->stx_mode)) {
            auto target = root.read_link(file);
            if (target && *target == "/dev/null") continue;  // a masked drop-in
        }
        auto dtext = root.read_file(file, kMaxUnitFileBytes);
        if (!dtext) {
            u.error = dtext.error().describe();
            return u;
        }
        if (dtext->empty()) continue;
        std::vector<Setting> more = parse_unit_text(*dtext, file, &u.error);
        if (!u.error.empty()) return u;
        if (u.settings.size() + more.size() > kMaxSettingsPerUnit) {
            u.error = name + ": more than " + std::to_string(kMaxSettingsPerUnit) + " settings with its drop-ins";
            return u;
        }
        u.dropins.push_back(file);
        u.settings.insert(u.settings.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
    return u;
}

}  // namespace triad::scanner::units
