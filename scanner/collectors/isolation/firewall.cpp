// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/firewall.h"
#include "scanner/collectors/isolation/nft_ruleset.h"

#include <jansson.h>
#include <nftables/libnftables.h>
#include <sys/capability.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include <cstring>
#include <map>
#include <memory>

namespace triad::scanner {
namespace {

// A large host ruleset (thousands of rules, sets listed tersely) is a few MiB of JSON.
constexpr std::size_t kMaxJsonBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxObjects = 1'000'000;
constexpr std::size_t kMaxChains = 10'000;
constexpr const char* kSource = "libnftables 'list ruleset' (the scanner's network namespace)";

struct ChainInfo {
    std::string family, table, name, type, hook, policy;
    std::int64_t priority = 0;
    bool base = false;
    std::int64_t rules = 0;
    bool ends_in_drop = false;
    std::string unmatched;  // first unconditional verdict: accept, drop, unknown; empty: none yet
};

struct Ruleset {
    std::vector<std::string> tables;
    std::vector<ChainInfo> chains;  // listing order (table by table)
};

struct JsonFree {
    void operator()(json_t* j) const { json_decref(j); }
};
struct NftFree {
    void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};

std::string str(json_t* obj, const char* key) {
    const char* s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

// How one rule leaves the chain for a packet it sees: a rule made only of statements that
// match nothing (counter, log) and a verdict applies to every packet. "" when the rule is
// conditional or has no terminal verdict.
std::string unconditional_verdict(json_t* expr) {
    if (!json_is_array(expr)) return "";
    std::string verdict;
    for (std::size_t i = 0; i < json_array_size(expr); ++i) {
        json_t* stmt = json_array_get(expr, i);
        void* it = json_object_iter(stmt);
        if (!it || json_object_size(stmt) != 1) return "";
        const std::string key = json_object_iter_key(it);
        if (key == "counter" || key == "log") continue;
        if (!verdict.empty()) return "";  // nothing follows a verdict in a rule we can judge
        if (key == "accept" || key == "drop" || key == "reject") verdict = key;
        else if (key == "jump" || key == "goto") verdict = "unknown";
        else return "";  // a match, a limit, a map lookup...: not every packet
    }
    return verdict;
}

Result<Ruleset> parse_ruleset(const char* text) {
    const std::size_t len = std::strlen(text);
    if (len > kMaxJsonBytes) return Error{ErrorCode::invalid_input, "the ruleset listing is larger than 64 MiB", "nftables"};
    json_error_t jerr{};
    std::unique_ptr<json_t, JsonFree> root(json_loadb(text, len, 0, &jerr));
    if (!root) return Error{ErrorCode::invalid_input, std::string("libnftables printed JSON that does not parse: ") + jerr.text, "nftables"};
    json_t* items = json_object_get(root.get(), "nftables");
    if (!json_is_array(items)) return Error{ErrorCode::invalid_input, "libnftables printed JSON without an \"nftables\" array", "nftables"};
    Ruleset rs;
    std::map<std::string, std::size_t> chain_index;  // "FAMILY TABLE CHAIN" → rs.chains
    const std::size_t n = std::min(json_array_size(items), kMaxObjects);
    for (std::size_t i = 0; i < n; ++i) {
        json_t* item = json_array_get(items, i);
        if (json_t* t = json_object_get(item, "table")) {
            rs.tables.push_back(str(t, "family") + " " + str(t, "name"));
        } else if (json_t* c = json_object_get(item, "chain")) {
            if (rs.chains.size() == kMaxChains) continue;
            ChainInfo ch;
            ch.family = str(c, "family");
            ch.table = str(c, "table");
            ch.name = str(c, "name");
            ch.hook = str(c, "hook");
            ch.base = !ch.hook.empty();
            ch.type = str(c, "type");
            ch.policy = str(c, "policy");
            ch.priority = json_integer_value(json_object_get(c, "prio"));
            chain_index.emplace(ch.family + " " + ch.table + " " + ch.name, rs.chains.size());
            rs.chains.push_back(std::move(ch));
        } else if (json_t* r = json_object_get(item, "rule")) {
            // Rules are listed in chain order, so the last one seen is the chain's last.
            auto at = chain_index.find(str(r, "family") + " " + str(r, "table") + " " + str(r, "chain"));
            if (at == chain_index.end()) continue;
            ChainInfo& ch = rs.chains[at->second];
            const std::string v = unconditional_verdict(json_object_get(r, "expr"));
            ++ch.rules;
            ch.ends_in_drop = v == "drop" || v == "reject";
            if (ch.unmatched.empty() && !v.empty()) ch.unmatched = v == "reject" ? "drop" : v;
        }
    }
    return rs;
}

// Listing the ruleset needs CAP_NET_ADMIN; without it libnftables also prints its own
// complaint to stderr, bypassing the error buffer, so it is not asked at all.
bool has_net_admin() {
    cap_t caps = cap_get_proc();
    if (!caps) return false;
    cap_flag_value_t value = CAP_CLEAR;
    const bool ok = cap_get_flag(caps, CAP_NET_ADMIN, CAP_EFFECTIVE, &value) == 0;
    cap_free(caps);
    return ok && value == CAP_SET;
}

// The listing of the calling thread's network namespace. A read: the command is fixed,
// output and errors go to libnftables' buffers, never to our stdout/stderr.
Result<std::string> list_ruleset(unsigned flags) {
    if (!has_net_admin())
        return Error{ErrorCode::permission_denied,
                     "listing the nftables ruleset needs CAP_NET_ADMIN, which this process does not have", "nftables"};
    std::unique_ptr<nft_ctx, NftFree> nft(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!nft) return Error{ErrorCode::io, "libnftables could not create a context", "nftables"};
    nft_ctx_output_set_flags(nft.get(), flags);
    if (nft_ctx_buffer_output(nft.get()) != 0 || nft_ctx_buffer_error(nft.get()) != 0)
        return Error{ErrorCode::io, "libnftables could not buffer its output", "nftables"};
    if (nft_run_cmd_from_buffer(nft.get(), "list ruleset") != 0) {
        std::string why = nft_ctx_get_error_buffer(nft.get());
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        return Error{ErrorCode::io, "the kernel refused to list the nftables ruleset: " + (why.empty() ? "unknown" : why),
                     "nftables"};
    }
    const char* out = nft_ctx_get_output_buffer(nft.get());
    const std::size_t len = out ? std::strlen(out) : 0;
    if (len > kMaxJsonBytes) return Error{ErrorCode::invalid_input, "the ruleset listing is larger than 64 MiB", "nftables"};
    return std::string(out ? out : "", len);
}

// The kernel's ruleset of the calling thread's network namespace, summarised.
Result<Ruleset> read_live_ruleset() {
    auto text = list_ruleset(NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_TERSE | NFT_CTX_OUTPUT_STATELESS);
    if (!text) return text.error();
    return parse_ruleset(text->c_str());
}

bool is_ipv4(const std::string& family) { return family == "ip" || family == "inet"; }
bool is_ipv6(const std::string& family) { return family == "ip6" || family == "inet"; }

std::string unmatched_verdict(const ChainInfo& c) {
    if (!c.unmatched.empty()) return c.unmatched;
    return c.policy.empty() ? "unknown" : c.policy;
}

// A drop in any base chain on a hook is final (an accept only ends that chain), so the hook
// denies by default for a family when one of its chains of that family does.
StringList open_families(const Ruleset& rs, const std::string& hook) {
    bool v4 = false, v6 = false;
    for (const ChainInfo& c : rs.chains) {
        if (!c.base || c.hook != hook || unmatched_verdict(c) != "drop") continue;
        v4 = v4 || is_ipv4(c.family);
        v6 = v6 || is_ipv6(c.family);
    }
    StringList open;
    if (!v4) open.push_back("ipv4");
    if (!v6) open.push_back("ipv6");
    return open;
}

// "1\n" → true; unreadable or odd → nullopt (the field stays absent, never guessed).
std::optional<bool> proc_flag(const Sysroot& proc, const char* path) {
    auto text = proc.read_file(path, 64);
    if (!text || text->empty() || ((*text)[0] != '0' && (*text)[0] != '1')) return std::nullopt;
    return (*text)[0] == '1';
}

StringList legacy_tables(const Sysroot& proc) {
    StringList out;
    for (const auto& [file, family] : {std::pair{"net/ip_tables_names", "ip"}, std::pair{"net/ip6_tables_names", "ip6"}}) {
        auto text = proc.read_file(file, 4096);
        if (!text) continue;  // the legacy module is not loaded: no legacy tables
        std::size_t start = 0;
        while (start < text->size()) {
            std::size_t end = text->find('\n', start);
            if (end == std::string::npos) end = text->size();
            if (end > start) out.push_back(std::string(family) + " " + text->substr(start, end - start));
            start = end + 1;
        }
    }
    return out;
}

std::optional<Fact> unavailable(const CollectContext& ctx, const char* object) {
    if (!ctx.proc) return Fact::not_applicable(object, "needs the running system: the ruleset is the kernel's");
    if (!live_procfs(*ctx.proc))
        return Fact::not_applicable(object, "--proc is not the live procfs: the kernel's ruleset belongs to another system");
    return std::nullopt;
}

FactSet collect_firewall(const CollectContext& ctx, const SelectArgs&) {
    if (auto f = unavailable(ctx, "ruleset")) return {*f};
    auto rs = read_live_ruleset();
    if (!rs) return {Fact::error("ruleset", rs.error().describe())};
    Fact f;
    f.object = "ruleset";
    f.fields.resize(kFwFieldCount);
    f.fields[kFwRulesetLoaded] = Value{!rs->tables.empty()};
    f.fields[kFwTables] = Value{StringList(rs->tables.begin(), rs->tables.end())};
    std::int64_t base = 0;
    for (const ChainInfo& c : rs->chains) base += c.base;
    f.fields[kFwBaseChains] = Value{base};
    StringList in = open_families(*rs, "input"), fwd = open_families(*rs, "forward");
    f.fields[kFwInputDefaultDeny] = Value{in.empty()};
    f.fields[kFwInputOpenFamilies] = Value{std::move(in)};
    f.fields[kFwForwardDefaultDeny] = Value{fwd.empty()};
    f.fields[kFwForwardOpenFamilies] = Value{std::move(fwd)};
    auto v4 = proc_flag(*ctx.proc, "sys/net/ipv4/ip_forward");
    auto v6 = proc_flag(*ctx.proc, "sys/net/ipv6/conf/all/forwarding");
    if ((v4 && *v4) || (v6 && *v6)) f.fields[kFwForwarding] = Value{true};
    else if (v4 && (v6 || !ctx.proc->lstat("sys/net/ipv6"))) f.fields[kFwForwarding] = Value{false};  // no IPv6 in the kernel
    f.fields[kFwLegacyTables] = Value{legacy_tables(*ctx.proc)};
    f.fields[kFwSource] = Value{std::string(kSource)};
    return {std::move(f)};
}

FactSet collect_firewall_chains(const CollectContext& ctx, const SelectArgs&) {
    if (auto f = unavailable(ctx, "firewall_chains")) return {*f};
    auto rs = read_live_ruleset();
    if (!rs) return {Fact::error("firewall_chains", rs.error().describe())};
    FactSet out;
    for (const ChainInfo& c : rs->chains) {
        if (ctx.cancelled()) break;
        if (!c.base || (c.hook != "input" && c.hook != "forward")) continue;
        Fact f;
        f.object = c.family + " " + c.table + " " + c.name;
        f.fields.resize(kFcFieldCount);
        f.fields[kFcFamily] = Value{c.family};
        f.fields[kFcTable] = Value{c.table};
        f.fields[kFcChain] = Value{c.name};
        if (!c.type.empty()) f.fields[kFcType] = Value{c.type};
        f.fields[kFcHook] = Value{c.hook};
        f.fields[kFcPriority] = Value{c.priority};
        if (!c.policy.empty()) f.fields[kFcPolicy] = Value{c.policy};
        f.fields[kFcRules] = Value{c.rules};
        f.fields[kFcEndsInDrop] = Value{c.ends_in_drop};
        const std::string verdict = unmatched_verdict(c);
        f.fields[kFcUnmatchedVerdict] = Value{verdict};
        f.fields[kFcDefaultDeny] = Value{verdict == "drop"};
        out.push_back(std::move(f));
    }
    if (out.empty() && !ctx.cancelled())
        out.push_back(Fact::not_applicable("firewall_chains", "no nftables base chain on the input or forward hook is loaded"));
    return out;
}

}  // namespace

// The ruleset is the kernel's own state, so it is read only when --proc is the live
// procfs: a fixture proc tree describes another system, whose ruleset we cannot see.
bool live_procfs(const Sysroot& proc) {
    struct statfs st {};
    return ::fstatfs(proc.fd(), &st) == 0 && st.f_type == PROC_SUPER_MAGIC;
}

Result<std::string> list_live_ruleset(unsigned flags) { return list_ruleset(flags); }

const CollectorEntry kFirewallCollector = with_collect(kFirewallCollectorSpec, collect_firewall);
const CollectorEntry kFirewallChainsCollector = with_collect(kFirewallChainsCollectorSpec, collect_firewall_chains);

}  // namespace triad::scanner
