// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/isolation/listener_exposure.h"

#include <jansson.h>
#include <nftables/libnftables.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "scanner/collectors/isolation/nft_ruleset.h"
#include "scanner/proc/proc_table.h"

namespace triad::scanner {
namespace {

constexpr std::size_t kMaxNetTableBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxObjects = 1'000'000;
constexpr int kMaxJumpDepth = 16;               // nft itself refuses loops; this bounds the walk
constexpr std::size_t kMaxSteps = 200'000;      // rule evaluations per listener and family
constexpr std::size_t kMaxOutcomes = 4'096;     // paths per listener and family
constexpr const char* kSource =
    "libnftables 'list ruleset' and /proc/thread-self/net/{tcp,tcp6,udp,udp6} (the scanner's network namespace)";

struct JsonFree {
    void operator()(json_t* j) const { json_decref(j); }
};

std::string str(json_t* obj, const char* key) {
    const char* s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

struct Rule {
    std::int64_t handle = 0;
    json_t* expr = nullptr;  // owned by the parsed document
};

struct Chain {
    std::string family, table, name, hook, type, policy;
    std::int64_t priority = 0;
    bool base = false;
    std::vector<Rule> rules;
    std::string id() const { return family + " " + table + " " + name; }
};

struct Ruleset {
    std::unique_ptr<json_t, JsonFree> doc;
    std::vector<Chain> chains;
    std::map<std::string, std::size_t> by_id;             // Chain::id() → chains
    std::map<std::string, std::string> rule_text;         // "FAMILY TABLE CHAIN HANDLE" → nft's own text
    // Named sets whose elements the kernel holds now ("FAMILY TABLE NAME" → elem array, an
    // empty array when the set is empty). A set the packet path updates (`update @s`), or
    // whose elements time out, changes with traffic: it is left out, so a lookup in it stays
    // undecided.
    std::map<std::string, json_t*> static_sets;
    std::unique_ptr<json_t, JsonFree> empty{json_array()};  // the elements of an empty set
};

Result<Ruleset> parse_ruleset(const std::string& json) {
    json_error_t jerr{};
    Ruleset rs;
    rs.doc.reset(json_loadb(json.data(), json.size(), 0, &jerr));
    if (!rs.doc) return Error{ErrorCode::invalid_input, std::string("libnftables printed JSON that does not parse: ") + jerr.text, "nftables"};
    json_t* items = json_object_get(rs.doc.get(), "nftables");
    if (!json_is_array(items)) return Error{ErrorCode::invalid_input, "libnftables printed JSON without an \"nftables\" array", "nftables"};
    const std::size_t n = std::min(json_array_size(items), kMaxObjects);
    std::set<std::string> updated;  // sets a rule adds to or updates from the packet path
    for (std::size_t i = 0; i < n; ++i) {
        json_t* item = json_array_get(items, i);
        if (json_t* set = json_object_get(item, "set")) {
            bool changing = false;
            json_t* flags = json_object_get(set, "flags");
            for (std::size_t f = 0; f < json_array_size(flags); ++f) {
                const char* flag = json_string_value(json_array_get(flags, f));
                changing = changing || (flag && (std::string(flag) == "timeout" || std::string(flag) == "dynamic"));
            }
            if (changing) continue;
            json_t* elem = json_object_get(set, "elem");
            rs.static_sets[str(set, "family") + " " + str(set, "table") + " " + str(set, "name")] = elem ? elem : rs.empty.get();
        } else if (json_t* c = json_object_get(item, "chain")) {
            Chain ch;
            ch.family = str(c, "family");
            ch.table = str(c, "table");
            ch.name = str(c, "name");
            ch.hook = str(c, "hook");
            ch.type = str(c, "type");
            ch.policy = str(c, "policy");
            ch.base = !ch.hook.empty();
            ch.priority = json_integer_value(json_object_get(c, "prio"));
            rs.by_id.emplace(ch.id(), rs.chains.size());
            rs.chains.push_back(std::move(ch));
        } else if (json_t* r = json_object_get(item, "rule")) {
            auto at = rs.by_id.find(str(r, "family") + " " + str(r, "table") + " " + str(r, "chain"));
            if (at == rs.by_id.end()) continue;
            json_t* expr = json_object_get(r, "expr");
            rs.chains[at->second].rules.push_back({json_integer_value(json_object_get(r, "handle")), expr});
            for (std::size_t k = 0; k < json_array_size(expr); ++k) {
                const char* target = json_string_value(json_object_get(json_object_get(json_array_get(expr, k), "set"), "set"));
                if (target && target[0] == '@') updated.insert(str(r, "family") + " " + str(r, "table") + " " + (target + 1));
            }
        }
    }
    for (const std::string& name : updated) rs.static_sets.erase(name);
    return rs;
}

// The rule texts come from libnftables' own listing with handles (`nft -a list ruleset`):
// only the "# handle N" suffix of each rule line and the enclosing table/chain headers are
// read, to show a user the rule as nft prints it. The evaluation itself reads the JSON.
void add_rule_texts(const std::string& listing, Ruleset& rs) {
    std::istringstream in(listing);
    std::string line, family, table, chain;
    while (std::getline(in, line)) {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        std::string_view text = std::string_view(line).substr(start);
        const std::size_t mark = text.rfind(" # handle ");
        const std::string_view body = text.substr(0, mark);
        std::istringstream words{std::string(body)};
        std::string first, second, third;
        words >> first >> second >> third;
        if (body.ends_with("{")) {  // a block: table, chain, set, map, flowtable, ct object
            if (first == "table") family = second, table = third, chain.clear();
            else if (first == "chain") chain = second;
            else chain.clear();
        } else if (mark != std::string_view::npos && !chain.empty()) {
            const std::string handle(text.substr(mark + 10));
            rs.rule_text[family + " " + table + " " + chain + " " + handle] = std::string(text.substr(0, mark));
        }
    }
}

// The packet whose fate is followed: a new connection from another host.
struct Packet {
    std::string family;  // ipv4 or ipv6
    std::string l4;      // tcp or udp
    std::int64_t dport = 0;
};

// One path through the ruleset: the source-address conditions it took (they restrict who
// can follow it), the unmodelled conditions it assumed (matching or not), and the last rule
// or policy that gave a verdict on it.
struct Path {
    std::vector<std::string> sources;
    std::vector<std::string> assumptions;
    std::string decided_by;
};

struct Outcome {
    enum Kind { accept, drop, undecided, returned } kind;
    Path path;
};

// What a match says about the packet: it always holds, never holds, holds for some of the
// packets (a fork both ways; `on_match` / `on_miss` name the source-address condition each
// side implies), or depends on something not modelled.
struct Cond {
    enum Kind { yes, no, fork, unknown } kind = yes;
    std::string on_match, on_miss;
    Cond(Kind k, std::string match = {}, std::string miss = {}) : kind(k), on_match(std::move(match)), on_miss(std::move(miss)) {}
};

std::optional<std::int64_t> l4_number(const std::string& name) {
    if (name == "tcp") return 6;
    if (name == "udp") return 17;
    return std::nullopt;
}

// A concrete value of the packet: the port, protocol, family or conntrack state.
struct Concrete {
    std::optional<std::int64_t> number;
    std::string name;
};

// A set element with its own counter or timeout is listed as {"elem": {"val": X, ...}}.
json_t* unwrap(json_t* e) {
    json_t* val = json_object_get(json_object_get(e, "elem"), "val");
    return val ? val : e;
}

bool element_has(json_t* e, const Concrete& v) {
    e = unwrap(e);
    if (json_is_integer(e)) {
        if (v.number) return json_integer_value(e) == *v.number;
        auto n = l4_number(v.name);
        return n && json_integer_value(e) == *n;
    }
    if (json_is_string(e)) {
        const std::string s = json_string_value(e);
        if (s == v.name) return true;
        auto n = l4_number(s);
        return n && v.number && *n == *v.number;
    }
    if (json_t* range = json_object_get(e, "range"); json_is_array(range) && json_array_size(range) == 2 && v.number) {
        json_t* lo = json_array_get(range, 0);
        json_t* hi = json_array_get(range, 1);
        return json_is_integer(lo) && json_is_integer(hi) && json_integer_value(lo) <= *v.number &&
               *v.number <= json_integer_value(hi);
    }
    return false;
}

// Whether `right` (a value, an anonymous set, a named set's elements, a range, a flag list)
// contains the value; nullopt for what is not modelled (an unresolved "@name", an expression).
std::optional<bool> contains(json_t* right, const Concrete& v) {
    if (json_is_string(right) && json_string_value(right)[0] == '@') return std::nullopt;
    if (json_is_integer(right) || json_is_string(right) || json_object_get(right, "range")) return element_has(right, v);
    json_t* list = json_is_array(right) ? right : json_object_get(right, "set");
    if (!json_is_array(list)) return std::nullopt;
    for (std::size_t i = 0; i < json_array_size(list); ++i) {
        json_t* e = unwrap(json_array_get(list, i));
        if (json_is_array(e)) return std::nullopt;  // a map element in a match: not modelled
        if (element_has(e, v)) return true;
        if (!json_is_integer(e) && !json_is_string(e) && !json_object_get(e, "range")) return std::nullopt;
    }
    return false;
}

// nft's notation of an address operand: 10.0.0.0/8, 1.2.3.4-1.2.3.9, { a, b } (the first 16
// elements of a larger set, and how many it has).
std::string render(json_t* v) {
    v = unwrap(v);
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) return std::to_string(json_integer_value(v));
    if (json_t* p = json_object_get(v, "prefix"))
        return str(p, "addr") + "/" + std::to_string(json_integer_value(json_object_get(p, "len")));
    if (json_t* r = json_object_get(v, "range"); json_is_array(r) && json_array_size(r) == 2)
        return render(json_array_get(r, 0)) + "-" + render(json_array_get(r, 1));
    json_t* list = json_is_array(v) ? v : json_object_get(v, "set");
    if (json_is_array(list)) {
        const std::size_t n = json_array_size(list);
        std::string out = "{ ";
        for (std::size_t i = 0; i < std::min<std::size_t>(n, 16); ++i) out += (i ? ", " : "") + render(json_array_get(list, i));
        if (n > 16) out += ", ... (" + std::to_string(n) + " elements)";
        return out + " }";
    }
    return "?";
}

// A source set covering every address (0.0.0.0/0, ::/0) restricts nothing.
bool covers_everything(json_t* right) {
    json_t* list = json_is_array(right) ? right : json_object_get(right, "set");
    if (json_is_array(list)) {
        for (std::size_t i = 0; i < json_array_size(list); ++i)
            if (covers_everything(json_array_get(list, i))) return true;
        return false;
    }
    json_t* p = json_object_get(unwrap(right), "prefix");
    return p && json_integer_value(json_object_get(p, "len")) == 0;
}

bool is_member_op(const std::string& op) { return op == "==" || op == "in"; }

// The value of a match's left side for the packet, or why it has none.
struct Left {
    enum Kind { concrete, never, source, other_fork, unknown } kind = unknown;
    Concrete value;
    std::string label;  // source: "ip saddr"
    Left() = default;
    Left(Kind k, Concrete v = {}, std::string l = {}) : kind(k), value(std::move(v)), label(std::move(l)) {}
};

Left left_of(json_t* left, const Packet& pkt) {
    Left out;
    if (json_t* p = json_object_get(left, "payload")) {
        const std::string proto = str(p, "protocol"), field = str(p, "field");
        if (proto == "ip" || proto == "ip6") {
            // A header match implies its family (in an inet table, an IPv6 packet never matches "ip ...").
            if ((proto == "ip") != (pkt.family == "ipv4")) return {Left::never};
            if (field == "saddr") return {Left::source, {}, proto + " saddr"};
            if (field == "daddr") return {Left::other_fork};
            if (field == "protocol" || field == "nexthdr") return {Left::concrete, {l4_number(pkt.l4), pkt.l4}};
            return out;
        }
        if (proto == "tcp" || proto == "udp" || proto == "th") {
            if (proto != "th" && proto != pkt.l4) return {Left::never};
            if (field == "dport") return {Left::concrete, {pkt.dport, ""}};
            if (field == "sport") return {Left::other_fork};
            return out;  // tcp flags, checksums, ...: not modelled
        }
        return out;
    }
    if (json_t* m = json_object_get(left, "meta")) {
        const std::string key = str(m, "key");
        if (key == "l4proto") return {Left::concrete, {l4_number(pkt.l4), pkt.l4}};
        if (key == "nfproto") return {Left::concrete, {std::nullopt, pkt.family}};
        if (key == "protocol") return {Left::concrete, {std::nullopt, pkt.family == "ipv4" ? "ip" : "ip6"}};
        if (key == "iif" || key == "iifname") return {Left::other_fork, {}, "iif"};
        return out;
    }
    if (json_t* c = json_object_get(left, "ct")) {
        if (str(c, "key") == "state" && !json_object_get(c, "dir")) return {Left::concrete, {std::nullopt, "new"}};
        // A new connection straight to the socket has no status bit yet in the input hook
        // (confirmed comes after it; dnat/snat would need the NAT this walk leaves out).
        if (str(c, "key") == "status" && !json_object_get(c, "dir")) return {Left::concrete, {std::nullopt, ""}};
        return out;
    }
    return out;
}

bool names_only_loopback(json_t* right) {
    if (json_is_string(right)) return std::string(json_string_value(right)) == "lo";
    json_t* list = json_object_get(right, "set");
    if (!json_is_array(list) || json_array_size(list) == 0) return false;
    for (std::size_t i = 0; i < json_array_size(list); ++i)
        if (!json_is_string(json_array_get(list, i)) || std::string(json_string_value(json_array_get(list, i))) != "lo")
            return false;
    return true;
}

// `right` is the match's operand with a named set replaced by its elements where known.
Cond eval_match(json_t* match, json_t* right, const Packet& pkt) {
    const std::string op = str(match, "op");
    const char* as_written = json_string_value(json_object_get(match, "right"));
    const Left l = left_of(json_object_get(match, "left"), pkt);
    const bool member = is_member_op(op);
    switch (l.kind) {
        case Left::never: return {Cond::no};
        case Left::unknown: return {Cond::unknown};
        case Left::concrete: {
            if (op == "<" || op == ">" || op == "<=" || op == ">=") {
                if (!l.value.number || !json_is_integer(right)) return {Cond::unknown};
                const std::int64_t a = *l.value.number, b = json_integer_value(right);
                const bool r = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b;
                return {r ? Cond::yes : Cond::no};
            }
            if (!member && op != "!=") return {Cond::unknown};
            auto has = contains(right, l.value);
            if (!has) return {Cond::unknown};
            return {(*has == member) ? Cond::yes : Cond::no};
        }
        case Left::source: {
            if (!member && op != "!=") return {Cond::unknown};
            if (json_is_string(right) && json_string_value(right)[0] == '@') return {Cond::unknown};
            if (covers_everything(right)) return {member ? Cond::yes : Cond::no};
            json_t* list = json_is_array(right) ? right : json_object_get(right, "set");
            if (list && json_array_size(list) == 0) return {member ? Cond::no : Cond::yes};  // an empty set holds no source
            const std::string cond =
                l.label + " " + (as_written && as_written[0] == '@' ? std::string(as_written) + " " : "") + render(right);
            return member ? Cond(Cond::fork, cond) : Cond(Cond::fork, "", cond);
        }
        case Left::other_fork: {
            if (l.label == "iif") {
                // The packet comes from another host, so never in on lo.
                if (json_is_string(right) && json_string_value(right)[0] == '@') return {Cond::unknown};
                if (names_only_loopback(right)) return {member ? Cond::no : op == "!=" ? Cond::yes : Cond::unknown};
            }
            return {Cond::fork};  // another interface, destination address or source port: some packets
        }
    }
    return {Cond::unknown};
}

struct Budget {
    std::size_t steps = 0;
    bool exceeded = false;
};

class Walker {
public:
    Walker(const Ruleset& rs, const Packet& pkt) : rs_(rs), pkt_(pkt) {}

    // The outcomes of the input hook: base chains of the packet's family in priority order.
    std::vector<Outcome> walk_input_hook() {
        std::vector<const Chain*> hook;
        for (const Chain& c : rs_.chains)
            if (c.base && c.hook == "input" &&
                (c.family == "inet" || c.family == (pkt_.family == "ipv4" ? "ip" : "ip6")))
                hook.push_back(&c);
        std::stable_sort(hook.begin(), hook.end(), [](const Chain* a, const Chain* b) { return a->priority < b->priority; });
        std::vector<Path> entering{Path{}};
        if (hook.empty()) entering.front().decided_by = "no input base chain";
        std::vector<Outcome> final_out;
        for (const Chain* chain : hook) {
            std::vector<Path> accepted;
            for (Path& p : entering) {
                std::vector<Outcome> out;
                run(*chain, 0, p, 0, out);
                for (Outcome& o : out) {
                    if (o.kind == Outcome::returned) {  // a return in a base chain: its policy applies
                        o.kind = chain->policy == "drop" ? Outcome::drop : Outcome::accept;
                        o.path.decided_by = chain->id() + " policy " + (chain->policy.empty() ? "accept" : chain->policy);
                    }
                    // An accept ends this chain only: the next base chain on the hook still sees it.
                    if (o.kind == Outcome::accept) accepted.push_back(std::move(o.path));
                    else final_out.push_back(std::move(o));
                }
            }
            entering = std::move(accepted);
            if (entering.size() > kMaxOutcomes) return bounded(final_out);
        }
        for (Path& p : entering) final_out.push_back({Outcome::accept, std::move(p)});
        if (budget_.exceeded) return bounded(final_out);
        return final_out;
    }

private:
    std::vector<Outcome> bounded(std::vector<Outcome> out) {
        Path p;
        p.assumptions.push_back("the evaluation stopped at its bound (" + std::to_string(kMaxSteps) + " rule evaluations, " +
                                std::to_string(kMaxOutcomes) + " paths, " + std::to_string(kMaxJumpDepth) + " jumps deep)");
        out.push_back({Outcome::undecided, std::move(p)});
        return out;
    }

    // A named set's elements in place of "@name", when the kernel's copy is static.
    json_t* resolve(json_t* right, const Chain& chain) const {
        const char* name = json_string_value(right);
        if (!name || name[0] != '@') return right;
        auto it = rs_.static_sets.find(chain.family + " " + chain.table + " " + (name + 1));
        return it == rs_.static_sets.end() ? right : it->second;
    }

    std::string rule_name(const Chain& c, const Rule& r) const {
        std::string name = c.id() + " handle " + std::to_string(r.handle);
        auto it = rs_.rule_text.find(c.id() + " " + std::to_string(r.handle));
        if (it != rs_.rule_text.end()) name += ": " + it->second;
        return name;
    }

    // A path that comes back to rule i+1 carrying every condition of the path that goes on
    // there anyway (`cont`, the packets the rule did not take), and no other assumption,
    // would meet the same rules and can only end with more source conditions: following it
    // changes no verdict, and skipping it keeps a chain of conditional jumps linear.
    static bool dominated(const Path& returned, const Path* cont) {
        if (!cont || returned.assumptions != cont->assumptions) return false;
        for (const std::string& s : cont->sources)
            if (std::find(returned.sources.begin(), returned.sources.end(), s) == returned.sources.end()) return false;
        return true;
    }

    // Applies a verdict to the packets on `p` that matched rule `i` of `chain`; appends
    // the outcomes (continuing after rule i where a jumped-to chain returns). `cont` is the
    // path of the packets the rule did not take, null when it took them all.
    void apply(json_t* verdict, const std::string& key, const Chain& chain, std::size_t i, Path p, int depth,
               std::vector<Outcome>& out, const Path* cont) {
        const std::string name = rule_name(chain, chain.rules[i]);
        if (key == "accept" || key == "drop" || key == "reject") {
            p.decided_by = name;
            out.push_back({key == "accept" ? Outcome::accept : Outcome::drop, std::move(p)});
        } else if (key == "return") {
            out.push_back({Outcome::returned, std::move(p)});
        } else if (key == "continue") {
            if (!dominated(p, cont)) run(chain, i + 1, std::move(p), depth, out);
        } else if (key == "jump" || key == "goto") {
            auto target = rs_.by_id.find(chain.family + " " + chain.table + " " + str(verdict, "target"));
            if (target == rs_.by_id.end() || depth + 1 > kMaxJumpDepth) {
                budget_.exceeded = budget_.exceeded || depth + 1 > kMaxJumpDepth;
                p.assumptions.push_back(name);
                out.push_back({Outcome::undecided, std::move(p)});
                return;
            }
            std::vector<Outcome> sub;
            run(rs_.chains[target->second], 0, std::move(p), depth + 1, sub);
            for (Outcome& o : sub) {
                if (o.kind == Outcome::returned && key == "jump") {
                    if (!dominated(o.path, cont)) run(chain, i + 1, std::move(o.path), depth, out);
                } else {
                    out.push_back(std::move(o));  // a goto's return goes back to our caller
                }
            }
        } else {  // queue to userspace, or anything else: not decided here
            p.assumptions.push_back(name);
            out.push_back({Outcome::undecided, std::move(p)});
        }
    }

    // Follows `p` through `chain` from rule `start`.
    void run(const Chain& chain, std::size_t start, Path p, int depth, std::vector<Outcome>& out) {
        for (std::size_t i = start; i < chain.rules.size(); ++i) {
            if (++budget_.steps > kMaxSteps || out.size() > kMaxOutcomes) {
                budget_.exceeded = true;
                return;
            }
            json_t* expr = chain.rules[i].expr;
            if (!json_is_array(expr)) continue;
            bool never = false, unknown = false;
            int forks = 0;
            std::string on_match_sources, on_miss_source;
            std::vector<std::string> match_sources;
            json_t* verdict = nullptr;
            std::string verdict_key;
            json_t* vmap = nullptr;
            for (std::size_t s = 0; s < json_array_size(expr) && !never && !verdict && !vmap; ++s) {
                json_t* stmt = json_array_get(expr, s);
                void* it = json_object_iter(stmt);
                if (!it) continue;
                const std::string key = json_object_iter_key(it);
                json_t* val = json_object_iter_value(it);
                if (key == "match") {
                    const Cond c = eval_match(val, resolve(json_object_get(val, "right"), chain), pkt_);
                    if (c.kind == Cond::no) never = true;
                    else if (c.kind == Cond::unknown) unknown = true;
                    else if (c.kind == Cond::fork) {
                        ++forks;
                        if (!c.on_match.empty()) match_sources.push_back(c.on_match);
                        on_miss_source = c.on_miss;
                    }
                } else if (key == "accept" || key == "drop" || key == "reject" || key == "jump" || key == "goto" ||
                           key == "return" || key == "continue" || key == "queue") {
                    verdict = val ? val : json_null(), verdict_key = key;
                } else if (key == "vmap") {
                    vmap = val;
                } else if (key == "limit" || key == "quota") {
                    ++forks;  // some packets are under the rate or quota, some not
                } else if (key == "counter" || key == "log" || key == "mangle" || key == "notrack" || key == "set" ||
                           key == "nftrace" || key == "meter") {
                    // no effect on where the packet goes
                } else {
                    unknown = true;  // an xt match of iptables-nft, a fib or socket lookup, ...
                }
            }
            if (never || (!verdict && !vmap)) continue;
            const std::string name = rule_name(chain, chain.rules[i]);
            // A verdict map on a modelled key (ct state vmap { established : accept, ... })
            // picks the verdict for the packet's value; on any other key: undecided.
            bool vmap_decided = true;
            if (vmap) {
                json_t* data = json_object_get(json_object_get(vmap, "data"), "set");
                const Left l = left_of(json_object_get(vmap, "key"), pkt_);
                vmap_decided = l.kind == Left::never || (l.kind == Left::concrete && json_is_array(data));
                verdict = nullptr;
                for (std::size_t k = 0; l.kind == Left::concrete && vmap_decided && !verdict && k < json_array_size(data); ++k) {
                    json_t* pair = json_array_get(data, k);
                    auto has = json_is_array(pair) && json_array_size(pair) == 2 ? contains(json_array_get(pair, 0), l.value)
                                                                                  : std::nullopt;
                    void* vit = has && *has ? json_object_iter(json_array_get(pair, 1)) : nullptr;
                    if (!has || (*has && !vit)) vmap_decided = false;
                    else if (*has) verdict = json_object_iter_value(vit), verdict_key = json_object_iter_key(vit);
                }
                if (vmap_decided && !verdict) continue;  // no element holds the packet's value: the rule does nothing
            }
            Path matched = p;
            for (const std::string& src : match_sources) matched.sources.push_back(src);
            if (unknown) matched.assumptions.push_back(name);
            // The packets this rule does not take go on. With one source condition as its only
            // condition, they are those outside it ("ip saddr != 10.0.0.0/8 drop" leaves 10/8).
            const bool conditional = forks > 0 || unknown;
            if (forks == 1 && !unknown && !on_miss_source.empty()) p.sources.push_back(on_miss_source);
            if (unknown) p.assumptions.push_back(name);
            const Path* cont = conditional ? &p : nullptr;
            if (!vmap_decided) {
                matched.assumptions.push_back(name);
                out.push_back({Outcome::undecided, std::move(matched)});
            } else {
                apply(verdict, verdict_key, chain, i, std::move(matched), depth, out, cont);
            }
            if (!conditional) return;  // every packet on this path matched
        }
        if (chain.base) {
            p.decided_by = chain.id() + " policy " + (chain.policy.empty() ? "accept" : chain.policy);
            out.push_back({chain.policy == "drop" ? Outcome::drop : Outcome::accept, std::move(p)});
        } else {
            out.push_back({Outcome::returned, std::move(p)});
        }
    }

    const Ruleset& rs_;
    const Packet& pkt_;
    Budget budget_;
};

struct Verdict {
    std::string exposure;
    std::string deciding_rule;
    StringList sources, undecided;
};

void add_unique(StringList& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// open > undecided > restricted_to_sources > restricted: an unconditional accepting path
// settles it; an accept or drop that rests on an unmodelled condition leaves it undecided.
Verdict judge(const std::vector<Outcome>& outcomes) {
    Verdict v;
    const Outcome* open = nullptr;
    const Outcome* first_drop = nullptr;
    bool restricted_accept = false;
    for (const Outcome& o : outcomes) {
        if (o.kind == Outcome::accept && o.path.assumptions.empty() && o.path.sources.empty() && !open) open = &o;
        if (o.kind == Outcome::undecided || (o.kind == Outcome::accept && !o.path.assumptions.empty()))
            for (const std::string& a : o.path.assumptions) add_unique(v.undecided, a);
        if (o.kind == Outcome::accept && o.path.assumptions.empty() && !o.path.sources.empty()) {
            restricted_accept = true;
            for (const std::string& s : o.path.sources) add_unique(v.sources, s);
        }
        if (o.kind == Outcome::drop && !first_drop) first_drop = &o;
    }
    if (open) {
        v.exposure = "open";
        v.deciding_rule = open->path.decided_by;
        v.sources.clear(), v.undecided.clear();
    } else if (!v.undecided.empty()) {
        v.exposure = "undecided";
    } else if (restricted_accept) {
        v.exposure = "restricted_to_sources";
    } else {
        v.exposure = "restricted";
        if (first_drop) v.deciding_rule = first_drop->path.decided_by;
    }
    return v;
}

// "0.0.0.0:22" / "[::]:53" → address and port.
std::pair<std::string, std::int64_t> split_address(const std::string& local) {
    const std::size_t colon = local.rfind(':');
    std::string addr = local.substr(0, colon);
    if (addr.size() >= 2 && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
    std::int64_t port = -1;
    const std::string p = local.substr(colon + 1);
    std::from_chars(p.data(), p.data() + p.size(), port);
    return {addr, port};
}

FactSet collect_listener_exposure(const CollectContext& ctx, const SelectArgs&) {
    if (!ctx.proc) return {Fact::not_applicable("listener_exposure", "needs the running system: the ruleset is the kernel's")};
    if (!live_procfs(*ctx.proc))
        return {Fact::not_applicable("listener_exposure",
                                     "--proc is not the live procfs: the kernel's ruleset belongs to another system")};
    // The sockets of the namespace the ruleset is read in: this thread's.
    std::vector<ListeningSocket> sockets;
    for (const char* table : {"tcp", "tcp6", "udp", "udp6"}) {
        auto text = ctx.proc->read_file(std::string("thread-self/net/") + table, kMaxNetTableBytes);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;  // a kernel without IPv6
            return {Fact::error("listener_exposure", text.error().describe())};
        }
        for (ListeningSocket& s : parse_proc_net(*text, table))
            if (!s.loopback) sockets.push_back(std::move(s));
    }
    if (sockets.empty())
        return {Fact::not_applicable("listener_exposure", "no socket of this network namespace listens on a non-loopback address")};
    // Not terse: the named sets' elements are part of the evaluation (terse output would
    // list every set as empty).
    auto json = list_live_ruleset(NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_STATELESS);
    if (!json) return {Fact::error("listener_exposure", json.error().describe())};
    auto rs = parse_ruleset(*json);
    if (!rs) return {Fact::error("listener_exposure", rs.error().describe())};
    auto text = list_live_ruleset(NFT_CTX_OUTPUT_HANDLE | NFT_CTX_OUTPUT_TERSE | NFT_CTX_OUTPUT_STATELESS);
    if (!text) return {Fact::error("listener_exposure", text.error().describe())};
    add_rule_texts(*text, *rs);

    std::map<std::uint64_t, StringList> owners;
    for (const ProcessInfo& p : read_processes(*ctx.proc))
        for (std::uint64_t inode : p.sockets) owners[inode].push_back(std::to_string(p.pid) + " " + p.name);

    FactSet out;
    for (const ListeningSocket& s : sockets) {
        if (ctx.cancelled()) break;
        const auto [addr, port] = split_address(s.local);
        const std::string l4 = s.proto.starts_with("tcp") ? "tcp" : "udp";
        StringList families;
        if (s.proto.ends_with("6")) {
            families.push_back("ipv6");
            if (addr == "::") families.push_back("ipv4");  // dual stack unless the socket set IPV6_V6ONLY
        } else {
            families.push_back("ipv4");
        }
        std::vector<Outcome> outcomes;
        for (const std::string& fam : families) {
            const Packet pkt{fam, l4, port};
            for (Outcome& o : Walker(*rs, pkt).walk_input_hook()) outcomes.push_back(std::move(o));
        }
        const Verdict v = judge(outcomes);
        Fact f;
        f.object = s.describe();
        f.fields.resize(kLxFieldCount);
        f.fields[kLxProto] = Value{s.proto};
        f.fields[kLxAddress] = Value{addr};
        f.fields[kLxPort] = Value{port};
        f.fields[kLxFamilies] = Value{families};
        auto own = owners.find(s.inode);
        f.fields[kLxProcesses] = Value{own == owners.end() ? StringList{} : own->second};
        f.fields[kLxExposure] = Value{v.exposure};
        if (v.exposure == "undecided") {
            std::string why = "the ruleset's verdict depends on conditions that are not evaluated:";
            for (const std::string& r : v.undecided) why += " [" + r + "]";
            f.set_field_error(kLxFirewalled, why);
        } else {
            f.fields[kLxFirewalled] = Value{v.exposure != "open"};
        }
        f.fields[kLxSources] = Value{v.sources};
        if (!v.deciding_rule.empty()) f.fields[kLxDecidingRule] = Value{v.deciding_rule};
        f.fields[kLxUndecidedRules] = Value{v.undecided};
        f.fields[kLxSource] = Value{std::string(kSource)};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kListenerExposureCollector = with_collect(kListenerExposureCollectorSpec, collect_listener_exposure);

}  // namespace triad::scanner
