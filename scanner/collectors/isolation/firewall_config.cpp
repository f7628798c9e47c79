// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/firewall_config.h"

#include <Poco/DOM/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/Exception.h>
#include <Poco/SAX/XMLReader.h>

#include <algorithm>
#include <map>
#include <set>

#include "scanner/collectors/services/unit_files.h"
#include "scanner/config/config_file.h"
#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

enum FwConfigField : std::size_t {
    kKind, kPresent, kFiles, kSize, kDefaultDenyInput, kDenyFamilies, kInputPolicy, kIncludes, kConfigEnabled,
    kLoader, kLoaderEnabled, kBootDefaultDeny, kIncludeProblems, kAcceptingZones, kFieldCount
};
constexpr FieldSpec kFields[] = {
    {"kind", ValueKind::string, "nftables, iptables-persistent, ufw or firewalld"},
    {"present", ValueKind::boolean, "its configuration file exists in the audited root"},
    {"files", ValueKind::list, "the files read"},
    {"size", ValueKind::integer, "bytes of its main file (nftables.conf, rules.v4 + rules.v6, ufw.conf, the zone file)"},
    {"default_deny_input", ValueKind::boolean, "the configuration drops input packets no rule accepts, for IPv4 and IPv6"},
    {"deny_families", ValueKind::list, "the families (ipv4, ipv6) whose input it drops by default"},
    {"input_policy", ValueKind::list, "the statements that decided, as written (`inet filter input: policy drop`, `:INPUT DROP`, ...)"},
    {"includes", ValueKind::list,
     "nftables only: the include statements of nftables.conf and of the files it includes, as written; followed inside the "
     "audited root (a relative name from /etc, nft's default include path), the files read are in `files`"},
    {"config_enabled", ValueKind::boolean, "ufw only: ENABLED=yes in /etc/ufw/ufw.conf (with no, ufw loads nothing at boot)"},
    {"loader", ValueKind::string, "the systemd service that loads it at boot"},
    {"loader_enabled", ValueKind::boolean, "that service is enabled (a .wants/.requires link) and not masked"},
    {"boot_default_deny", ValueKind::boolean, "present, default_deny_input, loader_enabled (and for ufw config_enabled): a default-deny firewall is loaded at boot"},
    {"include_problems", ValueKind::list,
     "nftables only: includes not followed (inside a block, relative to nft's working directory, over the bound) and "
     "includes that name no file (nft then loads nothing: default_deny_input is false)"},
    {"accepting_zones", ValueKind::list,
     "firewalld only: zones with target ACCEPT that <interface> or <source> elements bind packets to (\"zone trusted: "
     "interface eth1\"): what arrives there is accepted, so default_deny_input is false"},
};
static_assert(std::size(kFields) == kFieldCount);

constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxTokens = 1'000'000;

void add_family(std::vector<std::string>& families, const std::string& family) {
    if (std::find(families.begin(), families.end(), family) == families.end()) families.push_back(family);
}

bool covers_both(const std::vector<std::string>& families) {
    return std::find(families.begin(), families.end(), "ipv4") != families.end() &&
           std::find(families.begin(), families.end(), "ipv6") != families.end();
}

// Tokens of an nft script: words, quoted strings, and the structural characters { } ; and
// newline (a statement ends at either). Comments are gone (logical_lines strips them).
std::vector<std::string> nft_tokens(std::string_view text) {
    std::vector<std::string> out;
    for (const LogicalLine& line : logical_lines(text, true)) {
        const std::string& s = line.text;
        std::size_t i = 0;
        while (i < s.size() && out.size() < kMaxTokens) {
            const char c = s[i];
            if (c == ' ' || c == '\t' || c == '\r') {
                ++i;
            } else if (c == '{' || c == '}' || c == ';') {
                out.emplace_back(1, c);
                ++i;
            } else if (c == '"') {
                const std::size_t end = s.find('"', i + 1);
                const std::size_t stop = end == std::string::npos ? s.size() : end + 1;
                out.push_back(s.substr(i, stop - i));
                i = stop;
            } else {
                std::size_t j = i;
                while (j < s.size() && std::string_view(" \t\r{};\"").find(s[j]) == std::string_view::npos) ++j;
                out.push_back(s.substr(i, j - i));
                i = j;
            }
        }
        out.emplace_back(";");
    }
    return out;
}

std::vector<std::string> families_of(const std::string& nft_family) {
    if (nft_family == "inet") return {"ipv4", "ipv6"};
    if (nft_family == "ip") return {"ipv4"};
    if (nft_family == "ip6") return {"ipv6"};
    return {};  // arp, bridge, netdev: no IPv4/IPv6 input hook of the host
}

bool is_family(const std::string& word) {
    return word == "ip" || word == "ip6" || word == "inet" || word == "arp" || word == "bridge" || word == "netdev";
}

}  // namespace

InputPolicy nft_input_policy(std::string_view text) {
    InputPolicy out;
    const std::vector<std::string> t = nft_tokens(text);
    std::string table_family = "ip", table_name;
    int table_depth = -1;  // brace depth of the open `table` block
    struct Chain {
        std::string family, table, name;
        int depth = -1;
        bool input = false, drop = false;
    } chain;
    int depth = 0;
    bool statement_start = true;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::string& w = t[i];
        if (w == ";") { statement_start = true; continue; }
        if (w == "{") { ++depth; statement_start = true; continue; }
        if (w == "}") {
            if (chain.depth == depth) {
                if (chain.input && chain.drop) {
                    for (const std::string& f : families_of(chain.family)) add_family(out.deny_families, f);
                    out.evidence.push_back(chain.family + " " + chain.table + " " + chain.name + ": policy drop");
                }
                chain = Chain{};
            }
            if (table_depth == depth) table_depth = -1;
            depth = std::max(0, depth - 1);
            statement_start = true;
            continue;
        }
        const bool at_start = statement_start;
        statement_start = false;
        if (!at_start) continue;
        // The words of this statement up to its end or its block.
        std::vector<std::string> words;
        std::size_t j = i;
        while (j < t.size() && t[j] != ";" && t[j] != "{" && t[j] != "}") words.push_back(t[j++]);
        const bool opens = j < t.size() && t[j] == "{";
        std::size_t k = 0;
        if (!words.empty() && (words[0] == "add" || words[0] == "create")) k = 1;
        const std::size_t n = words.size() - k;
        if (words[0] == "include" && words.size() >= 2) {
            (depth == 0 ? out.includes : out.nested_includes).push_back(words[1]);
        } else if (n >= 2 && words[k] == "table") {
            const bool fam = n >= 3 && is_family(words[k + 1]);
            table_family = fam ? words[k + 1] : "ip";
            table_name = words[k + (fam ? 2 : 1)];
            if (opens) table_depth = depth + 1;
        } else if (n >= 2 && words[k] == "chain" && opens) {
            chain = Chain{};
            chain.depth = depth + 1;
            if (n >= 4) {  // chain FAMILY TABLE NAME {
                chain.family = words[k + 1], chain.table = words[k + 2], chain.name = words[k + 3];
            } else if (n == 3) {  // chain TABLE NAME { (family ip)
                chain.family = "ip", chain.table = words[k + 1], chain.name = words[k + 2];
            } else {
                chain.family = table_family, chain.table = table_name, chain.name = words[k + 1];
            }
        } else if (chain.depth == depth && chain.depth > 0) {
            for (std::size_t w2 = 0; w2 + 1 < words.size(); ++w2) {
                if (words[w2] == "hook" && words[w2 + 1] == "input") chain.input = true;
                if (words[w2] == "policy" && words[w2 + 1] == "drop") chain.drop = true;
            }
        }
        i = j - 1;
    }
    return out;
}

InputPolicy iptables_save_input_policy(std::string_view text, const std::string& family) {
    InputPolicy out;
    std::string table;
    for (const LogicalLine& line : logical_lines(text, true)) {
        const std::string& s = line.text;
        const std::size_t b = s.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        if (s[b] == '*') {
            table = s.substr(b + 1, s.find_first_of(" \t\r", b + 1) - b - 1);
        } else if (s.compare(b, 7, ":INPUT ") == 0) {
            const std::size_t p = s.find_first_not_of(' ', b + 7);
            const std::string policy = p == std::string::npos ? "" : s.substr(p, s.find(' ', p) - p);
            if (policy == "DROP") {
                add_family(out.deny_families, family);
                out.evidence.push_back("*" + table + " :INPUT DROP (line " + std::to_string(line.line) + ")");
            }
        }
    }
    return out;
}

namespace {

struct Reader {
    const CollectContext& ctx;
    units::UnitIndex index;

    // Enabled as the `services` collector says it: linked from a .wants/.requires
    // directory, and not masked.
    bool enabled(const std::string& unit) const {
        auto it = index.wanted_by.find(unit);
        if (it == index.wanted_by.end() || it->second.empty()) return false;
        return !units::load_unit(ctx.root, index, unit).masked;
    }

    bool exists(const std::string& path) const { return static_cast<bool>(ctx.root.lstat(path)); }
};

Fact make_fact(const std::string& kind, const std::string& loader, const Reader& r) {
    Fact f;
    f.object = kind;
    f.fields.resize(kFieldCount);
    f.fields[kKind] = Value{kind};
    f.fields[kLoader] = Value{loader};
    f.fields[kLoaderEnabled] = Value{r.enabled(loader)};
    f.fields[kPresent] = Value{false};
    f.fields[kFiles] = Value{StringList{}};
    f.fields[kDefaultDenyInput] = Value{false};  // no configuration: nothing is denied
    f.fields[kBootDefaultDeny] = Value{false};
    return f;
}

void finish(Fact& f, const InputPolicy& p, std::int64_t size, StringList files, bool config_enabled = true) {
    f.fields[kPresent] = Value{true};
    f.fields[kFiles] = Value{std::move(files)};
    f.fields[kSize] = Value{size};
    const bool deny = covers_both(p.deny_families);
    f.fields[kDefaultDenyInput] = Value{deny};
    f.fields[kDenyFamilies] = Value{StringList(p.deny_families)};
    f.fields[kInputPolicy] = Value{StringList(p.evidence)};
    const bool loader = std::get<bool>(f.fields[kLoaderEnabled]->data);
    f.fields[kBootDefaultDeny] = Value{deny && loader && config_enabled};
}

// nft's own limit on nested includes; the file count bounds a glob over a huge directory.
constexpr int kMaxIncludeDepth = 16;
constexpr std::size_t kMaxIncludedFiles = 64;

// nftables.conf and every file it includes, read as one configuration.
struct NftConfig {
    InputPolicy policy;  // deny_families and evidence of every file
    StringList files, includes, problems;
    std::set<std::string> seen;
    bool broken = false;  // an include names no file: nft refuses the whole ruleset
};

bool has_wildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Reads `path` into `cfg` and follows its top-level includes the way nft does: an absolute
// name as is, a relative one from the include path (/etc on Debian: `nft -h`), wildcards
// expanded in alphabetical order without dotfiles, a wildcard matching nothing is fine, a
// plain name matching nothing makes nft reject the whole ruleset. Everything inside the
// audited root (Sysroot): an absolute include never reads the scanner's own /etc.
std::optional<Error> read_nft_file(const Reader& r, const std::string& path, int depth, NftConfig& cfg) {
    auto text = r.ctx.root.read_file(path, kMaxConfigBytes);
    if (!text) return text.error();
    cfg.files.push_back(path);
    const InputPolicy p = nft_input_policy(*text);
    const std::string prefix = cfg.files.size() == 1 ? "" : path + ": ";
    for (const std::string& fam : p.deny_families) add_family(cfg.policy.deny_families, fam);
    for (const std::string& e : p.evidence) cfg.policy.evidence.push_back(prefix + e);
    for (const std::string& inc : p.nested_includes) {
        cfg.includes.push_back(inc);
        cfg.problems.push_back(path + ": include " + inc + " inside a block: not followed");
    }
    for (const std::string& inc : p.includes) {
        cfg.includes.push_back(inc);
        std::string name = inc.size() >= 2 && inc.front() == '"' && inc.back() == '"' ? inc.substr(1, inc.size() - 2) : inc;
        if (name.empty() || name.starts_with("./") || name.starts_with("../")) {
            cfg.problems.push_back(path + ": include " + inc + " is relative to nft's working directory: not followed");
            continue;
        }
        if (depth + 1 > kMaxIncludeDepth) {
            cfg.problems.push_back(path + ": include " + inc + " is nested deeper than " + std::to_string(kMaxIncludeDepth) + ": not followed");
            continue;
        }
        const std::string pattern = name.front() == '/' ? name : "/etc/" + name;
        auto matches = expand_path_glob(r.ctx.root, pattern);
        if (!matches) return matches.error();
        std::vector<std::string> found;
        for (const std::string& m : *matches)
            if (r.exists(m) && !std::string_view(m).substr(m.rfind('/') + 1).starts_with(".")) found.push_back(m);
        if (found.empty() && !has_wildcard(name)) {
            cfg.broken = true;
            cfg.problems.push_back(path + ": include " + inc + " names no file: nft refuses to load the ruleset");
        }
        for (const std::string& m : found) {
            if (!cfg.seen.insert(m).second) continue;  // nft would loop; read once
            if (cfg.files.size() >= kMaxIncludedFiles) {
                cfg.problems.push_back(path + ": include " + inc + ": more than " + std::to_string(kMaxIncludedFiles) +
                                       " files, the rest not read");
                break;
            }
            if (auto err = read_nft_file(r, m, depth + 1, cfg)) return err;
        }
    }
    return std::nullopt;
}

Fact nftables_fact(const Reader& r) {
    Fact f = make_fact("nftables", "nftables.service", r);
    const std::string path = "/etc/nftables.conf";
    if (!r.exists(path)) return f;
    NftConfig cfg;
    cfg.seen.insert(path);
    if (auto err = read_nft_file(r, path, 0, cfg)) return Fact::error("nftables", err->describe());
    if (cfg.broken) cfg.policy.deny_families.clear();  // nothing is loaded
    auto size = r.ctx.root.lstat(path);
    finish(f, cfg.policy, size ? static_cast<std::int64_t>(size->stx_size) : 0, cfg.files);
    f.fields[kIncludes] = Value{cfg.includes};
    f.fields[kIncludeProblems] = Value{cfg.problems};
    return f;
}

Fact iptables_fact(const Reader& r) {
    Fact f = make_fact("iptables-persistent", "netfilter-persistent.service", r);
    InputPolicy all;
    StringList files;
    std::int64_t size = 0;
    for (const auto& [path, family] : {std::pair{"/etc/iptables/rules.v4", "ipv4"}, std::pair{"/etc/iptables/rules.v6", "ipv6"}}) {
        if (!r.exists(path)) continue;
        auto text = r.ctx.root.read_file(path, kMaxConfigBytes);
        if (!text) return Fact::error("iptables-persistent", text.error().describe());
        const InputPolicy p = iptables_save_input_policy(*text, family);
        for (const std::string& fam : p.deny_families) add_family(all.deny_families, fam);
        for (const std::string& e : p.evidence) all.evidence.push_back(std::string(path) + ": " + e);
        files.emplace_back(path);
        size += static_cast<std::int64_t>(text->size());
    }
    if (!files.empty()) finish(f, all, size, files);
    return f;
}

// A key of a KEY=VALUE file, or "" when unset; an unreadable file is an error.
Result<std::string> config_value(const Sysroot& root, const std::string& path, const std::string& key) {
    auto text = root.read_file(path, kMaxConfigBytes);
    if (!text) return text.error();
    std::string value;
    for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::equals, false, ""}))
        if (e.key == key) value = e.value;  // the last assignment wins, as a shell-sourced file
    return value;
}

Fact ufw_fact(const Reader& r) {
    Fact f = make_fact("ufw", "ufw.service", r);
    const std::string conf = "/etc/ufw/ufw.conf", defaults = "/etc/default/ufw";
    if (!r.exists(conf)) return f;
    auto enabled = config_value(r.ctx.root, conf, "ENABLED");
    if (!enabled) return Fact::error("ufw", enabled.error().describe());
    StringList files{conf};
    InputPolicy p;
    if (r.exists(defaults)) {
        auto policy = config_value(r.ctx.root, defaults, "DEFAULT_INPUT_POLICY");
        if (!policy) return Fact::error("ufw", policy.error().describe());
        files.push_back(defaults);
        if (*policy == "DROP" || *policy == "REJECT") {
            // ufw applies its default policy to IPv4 and, unless IPV6=no, to IPv6.
            add_family(p.deny_families, "ipv4");
            auto v6 = config_value(r.ctx.root, defaults, "IPV6");
            if (v6 && *v6 != "no") add_family(p.deny_families, "ipv6");
        }
        p.evidence.push_back("DEFAULT_INPUT_POLICY=" + *policy);
    }
    auto st = r.ctx.root.lstat(conf);
    const bool on = *enabled == "yes";
    finish(f, p, st ? static_cast<std::int64_t>(st->stx_size) : 0, files, on);
    f.fields[kConfigEnabled] = Value{on};
    return f;
}

// A firewalld zone file, parsed with Poco's XML parser (external entities off: a zone file
// names nothing outside itself): its target and the interfaces and sources bound to it.
struct Zone {
    std::string target;
    std::vector<std::string> bindings;  // "interface eth1", "source 10.0.0.0/8", "source ipset:x"
};

Result<Zone> read_zone(const std::string& text, const std::string& where) {
    try {
        Poco::XML::DOMParser parser;
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
        Poco::AutoPtr<Poco::XML::Document> doc = parser.parseString(text);
        Poco::XML::Element* zone = doc->documentElement();
        if (!zone || zone->tagName() != "zone") return Error{ErrorCode::invalid_input, "not a firewalld zone (no <zone> element)", where};
        Zone out;
        out.target = zone->getAttribute("target");
        if (out.target.empty()) out.target = "default";
        for (Poco::XML::Node* n = zone->firstChild(); n; n = n->nextSibling()) {
            auto* e = dynamic_cast<Poco::XML::Element*>(n);
            if (!e) continue;
            if (e->tagName() == "interface" && !e->getAttribute("name").empty()) {
                out.bindings.push_back("interface " + e->getAttribute("name"));
            } else if (e->tagName() == "source") {
                for (const char* kind : {"address", "mac", "ipset"})
                    if (!e->getAttribute(kind).empty())
                        out.bindings.push_back(std::string("source ") + (std::string(kind) == "address" ? "" : std::string(kind) + ":") +
                                               e->getAttribute(kind));
            }
        }
        return out;
    } catch (const Poco::Exception& e) {
        return Error{ErrorCode::invalid_input, "malformed zone file: " + e.displayText(), where};
    }
}

// Zones other than the default one with target ACCEPT and bindings: the packets bound to
// them bypass the default zone. /etc/firewalld/zones hides /usr/lib/firewalld/zones.
Result<StringList> accepting_zones(const Reader& r, const std::string& default_zone, StringList& files) {
    std::map<std::string, std::string> zone_files;  // name → file
    for (const std::string dir : {"/etc/firewalld/zones", "/usr/lib/firewalld/zones"}) {
        auto names = list_directory(r.ctx.root, dir);
        if (!names) return names.error();
        std::sort(names->begin(), names->end());
        for (const std::string& n : *names)
            if (n.size() > 4 && n.ends_with(".xml") && !n.starts_with(".")) zone_files.try_emplace(n.substr(0, n.size() - 4), dir + "/" + n);
    }
    StringList out;
    std::size_t read = 0;
    for (const auto& [name, file] : zone_files) {
        if (name == default_zone) continue;
        if (++read > 256) return Error{ErrorCode::invalid_input, "more than 256 zone files", "/etc/firewalld/zones"};
        auto text = r.ctx.root.read_file(file, kMaxConfigBytes);
        if (!text) return text.error();
        auto zone = read_zone(*text, file);
        if (!zone) return zone.error();
        if (zone->target != "ACCEPT" || zone->bindings.empty()) continue;
        files.push_back(file);
        for (const std::string& b : zone->bindings) out.push_back("zone " + name + ": " + b);
    }
    return out;
}

Fact firewalld_fact(const Reader& r) {
    Fact f = make_fact("firewalld", "firewalld.service", r);
    const std::string conf = "/etc/firewalld/firewalld.conf";
    if (!r.exists(conf) && !r.exists("/etc/firewalld") && !r.exists("/usr/lib/firewalld")) return f;
    StringList files;
    std::string zone = "public";  // firewalld's built-in default zone
    if (r.exists(conf)) {
        auto v = config_value(r.ctx.root, conf, "DefaultZone");
        if (!v) return Fact::error("firewalld", v.error().describe());
        if (!v->empty()) zone = *v;
        files.push_back(conf);
    }
    if (zone.find('/') != std::string::npos || zone.starts_with("."))
        return Fact::error("firewalld", conf + ": DefaultZone is not a zone name: " + zone);
    // An administrator's zone file hides the shipped one of the same name.
    std::string zone_file;
    for (const std::string dir : {"/etc/firewalld/zones/", "/usr/lib/firewalld/zones/"})
        if (zone_file.empty() && r.exists(dir + zone + ".xml")) zone_file = dir + zone + ".xml";
    if (zone_file.empty()) return Fact::error("firewalld", "default zone '" + zone + "' has no zone file in /etc/firewalld/zones or /usr/lib/firewalld/zones");
    auto text = r.ctx.root.read_file(zone_file, kMaxConfigBytes);
    if (!text) return Fact::error("firewalld", text.error().describe());
    auto def = read_zone(*text, zone_file);
    if (!def) return Fact::error("firewalld", def.error().describe());
    const std::string& target = def->target;
    files.push_back(zone_file);
    auto accepting = accepting_zones(r, zone, files);
    if (!accepting) return Fact::error("firewalld", accepting.error().describe());
    InputPolicy p;
    // Targets default, DROP, REJECT and %%REJECT%% all refuse what no rule of the zone
    // accepts (default rejects, letting ICMP through); ACCEPT lets everything in. A trusted
    // (ACCEPT) zone bound to an interface or source opens what arrives there.
    if (target != "ACCEPT" && accepting->empty()) {
        add_family(p.deny_families, "ipv4");
        add_family(p.deny_families, "ipv6");
    }
    p.evidence.push_back("zone " + zone + " target " + target);
    for (const std::string& a : *accepting) p.evidence.push_back(a + " (target ACCEPT)");
    finish(f, p, static_cast<std::int64_t>(text->size()), files);
    f.fields[kAcceptingZones] = Value{*accepting};
    return f;
}

FactSet collect_firewall_config(const CollectContext& ctx, const SelectArgs&) {
    Reader r{ctx, units::index_units(ctx.root, {".service"})};
    FactSet out;
    for (const std::string& e : r.index.errors) out.push_back(Fact::error("systemd units", e));
    for (Fact (*read)(const Reader&) : {nftables_fact, iptables_fact, ufw_fact, firewalld_fact}) {
        if (ctx.cancelled()) break;
        out.push_back(read(r));
    }
    return out;
}

}  // namespace

const CollectorEntry kFirewallConfigCollector{
    "firewall_config", Scope::root, kFields, {}, collect_firewall_config,
    "the firewall configuration the audited root loads at boot (nftables, iptables-persistent, ufw, firewalld)\n"
    "\n"
    "One object per kind, always listed (present: false when its file is missing, so a root "
    "with no configuration at all fails a check that wants one). Read offline: nftables.conf "
    "by a small scanner of its statements (base chains on the input hook with `policy drop`), "
    "with its top-level includes followed inside the root as nft follows them (16 deep, 64 "
    "files), rules.v4/v6 by their iptables-save `:INPUT` "
    "policies, ufw by its KEY=VALUE files, firewalld by its default zone's XML target and the "
    "ACCEPT zones interfaces or sources are bound to. Loader "
    "enablement comes from the unit files, as the `services` collector reads them. An "
    "unreadable or malformed file is an error for that kind.",
};

}  // namespace triad::scanner
