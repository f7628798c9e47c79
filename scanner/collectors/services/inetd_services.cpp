// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/services/inetd_services.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

enum InetdField : std::size_t { kName, kDaemon, kFile, kLine, kEnabled, kSocketType, kProtocol, kUser, kServer, kFieldCount };
constexpr FieldSpec kFields[] = {
    {"name", ValueKind::string, "the service name (telnet, shell, login, tftp...)"},
    {"daemon", ValueKind::string, "`inetd` or `xinetd`"},
    {"file", ValueKind::string, "the configuration file that defines it"},
    {"line", ValueKind::integer, "the line its entry starts on"},
    {"enabled", ValueKind::boolean,
     "the entry is active: an inetd line not commented out (update-inetd disables with `#<off>#`), an xinetd service without disable = yes and not in the defaults' disabled list"},
    {"socket_type", ValueKind::string, "stream, dgram, raw..."},
    {"protocol", ValueKind::string, "tcp, udp... (absent when xinetd takes it from /etc/services)"},
    {"user", ValueKind::string, "the user the server runs as"},
    {"server", ValueKind::string, "the program started for each connection"},
};
static_assert(std::size(kFields) == kFieldCount);

constexpr std::size_t kMaxFileBytes = 1024 * 1024;
constexpr std::size_t kMaxIncludedFiles = 512;
constexpr std::size_t kMaxEntries = 4096;

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

Fact entry_fact(const std::string& name, const char* daemon, const std::string& file, int line, bool enabled,
                const std::map<std::string, std::string>& attrs) {
    Fact f;
    f.object = std::string(daemon) + ":" + name + " (" + file + ":" + std::to_string(line) + ")";
    f.fields.resize(kFieldCount);
    f.fields[kName] = Value{name};
    f.fields[kDaemon] = Value{std::string(daemon)};
    f.fields[kFile] = Value{file};
    f.fields[kLine] = Value{static_cast<std::int64_t>(line)};
    f.fields[kEnabled] = Value{enabled};
    auto put = [&](std::size_t field, const char* key) {
        if (auto it = attrs.find(key); it != attrs.end() && !it->second.empty()) f.fields[field] = Value{it->second};
    };
    put(kSocketType, "socket_type");
    put(kProtocol, "protocol");
    put(kUser, "user");
    put(kServer, "server");
    return f;
}

// inetd.conf: "service socket_type protocol wait user server args"; update-inetd disables an
// entry by prefixing "#<off># ".
void read_inetd(const Sysroot& root, FactSet& out) {
    const std::string file = "/etc/inetd.conf";
    auto text = root.read_file(file, kMaxFileBytes);
    if (!text) {
        if (text.error().code != ErrorCode::not_found) out.push_back(Fact::error(file, text.error().describe()));
        return;
    }
    for (const LogicalLine& l : logical_lines(*text, /*strip_hash_comments=*/false)) {
        if (out.size() >= kMaxEntries) break;
        std::string line = l.text;
        bool enabled = true;
        if (line.rfind("#<off>#", 0) == 0) {
            enabled = false;
            line.erase(0, 7);
        } else if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') {
            continue;
        }
        const std::vector<std::string> w = words(line);
        if (w.size() < 6) continue;  // inetd skips a line without a server
        std::string user = w[4].substr(0, w[4].find_first_of(":."));
        std::string name = w[0];
        if (auto colon = name.rfind(':'); colon != std::string::npos) name = name.substr(colon + 1);  // host:service
        out.push_back(entry_fact(name, "inetd", file, l.line, enabled,
                                 {{"socket_type", w[1]}, {"protocol", w[2]}, {"user", user}, {"server", w[5]}}));
    }
}

struct XinetdReader {
    const Sysroot& root;
    FactSet& out;
    std::vector<std::string> disabled_by_defaults;
    std::vector<std::pair<Fact, std::string>> pending;  // entries, with their name, until the defaults are known
    // What includes and includedirs read together is bounded (docs/limits.md); past it the
    // rest is not read and an error fact says so, never a silent cut.
    IncludeBudget budget{IncludeLimits{kMaxIncludedFiles, 16 * 1024 * 1024, 200'000}};
    bool tripped = false;

    void read(const std::string& file) {
        if (tripped) return;
        auto text = root.read_file(file, kMaxFileBytes);
        if (!text) {
            if (text.error().code != ErrorCode::not_found) out.push_back(Fact::error(file, text.error().describe()));
            return;
        }
        if (std::string why = budget.charge(file, *text); !why.empty()) {
            out.push_back(Fact::error(file, why + "; this and later xinetd files were not read"));
            tripped = true;
            return;
        }
        std::string block;  // "service NAME" or "defaults" while inside braces
        std::string pending_block;
        int block_line = 0;
        std::map<std::string, std::string> attrs;
        for (const LogicalLine& l : logical_lines(*text, /*strip_hash_comments=*/true)) {
            const std::vector<std::string> w = words(l.text);
            if (w.empty()) continue;
            if (block.empty()) {
                if (w[0] == "includedir" && w.size() > 1) {
                    auto listed = expand_path_glob(root, w[1] + "/*");
                    if (!listed) {
                        out.push_back(Fact::error(w[1], listed.error().describe()));
                        continue;
                    }
                    for (const std::string& f : *listed) {
                        const std::string base = f.substr(f.rfind('/') + 1);
                        // xinetd skips names with a dot or ending in '~' (package backups)
                        if (base.find('.') == std::string::npos && base.back() != '~') read(f);
                    }
                } else if (w[0] == "include" && w.size() > 1) {
                    read(w[1]);
                } else if (w[0] == "service" || w[0] == "defaults") {
                    pending_block = w[0] == "service" && w.size() > 1 ? "service " + w[1] : w[0];
                    block_line = l.line;
                    if (w.back() == "{") block = pending_block;
                } else if (w[0] == "{" && !pending_block.empty()) {
                    block = pending_block;
                }
                continue;
            }
            if (w[0] == "}") {
                if (block == "defaults") {
                    // `disabled = a b` lists services turned off for all.
                    for (const std::string& s : words(attrs["disabled"])) disabled_by_defaults.push_back(s);
                } else if (pending.size() < kMaxEntries) {
                    const std::string name = block.substr(8);
                    const bool enabled = attrs["disable"] != "yes";
                    pending.push_back({entry_fact(name, "xinetd", file, block_line, enabled, attrs), name});
                }
                block.clear();
                pending_block.clear();
                attrs.clear();
                continue;
            }
            // "key = value", "key += value"
            const std::string line = l.text;
            const auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            std::string key = line.substr(0, eq);
            bool append = !key.empty() && key.back() == '+';
            if (append || (!key.empty() && key.back() == '-')) key.pop_back();
            const std::vector<std::string> kw = words(key);
            if (kw.size() != 1) continue;
            std::string value;
            for (const std::string& v : words(line.substr(eq + 1))) value += (value.empty() ? "" : " ") + v;
            attrs[kw[0]] = append && attrs.count(kw[0]) ? attrs[kw[0]] + " " + value : value;
        }
    }

    void finish() {
        for (auto& [fact, name] : pending) {
            if (std::find(disabled_by_defaults.begin(), disabled_by_defaults.end(), name) != disabled_by_defaults.end())
                fact.fields[kEnabled] = Value{false};
            out.push_back(std::move(fact));
        }
    }
};

FactSet collect_inetd_services(const CollectContext& ctx, const SelectArgs&) {
    FactSet out;
    read_inetd(ctx.root, out);
    XinetdReader x{ctx.root, out, {}, {}, {}, false};
    x.read("/etc/xinetd.conf");
    x.finish();
    return out;
}

}  // namespace

const CollectorEntry kInetdServicesCollector{
    "inetd_services", Scope::root, kFields, {}, collect_inetd_services,
    "the services inetd (/etc/inetd.conf) and xinetd (/etc/xinetd.conf, its includes) offer\n"
    "\n"
    "One object per service entry, named `DAEMON:NAME (FILE:LINE)`. An inetd line commented "
    "out by update-inetd (`#<off>#`) is listed as not enabled; an xinetd service is enabled "
    "unless `disable = yes` or the defaults' `disabled` list names it. No configuration file "
    "means no object. Whether the super-server itself starts is the services collector's "
    "`enabled` of its unit. An unreadable file is an error naming it.",
};

}  // namespace triad::scanner
