// SPDX-License-Identifier: Apache-2.0
// The live packet filter, read from the kernel through libnftables ("list ruleset", JSON
// output, buffered: a read, no nft binary is run). iptables-nft rules are nftables tables
// in the kernel and appear here as well; rules of the legacy x_tables backend
// (iptables-legacy) do not, so their table names are reported beside the summary.
//   firewall         — one fact for the scanner's network namespace: whether any ruleset
//                      is loaded, and whether packets to this host (input) and through it
//                      (forward) are dropped unless a rule accepts them, for IPv4 and IPv6.
//   firewall_chains  — one fact per base chain on the input or forward hook: family, table,
//                      chain, priority, policy, rule count, how it ends.
// Host scope, and only when --proc is the live procfs: the ruleset is the kernel's, never
// a fixture's. Configuration files (/etc/nftables.conf, ...) are not read here: a
// configured-but-not-loaded ruleset protects nothing.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

// Specs here so that a build without libnftables (TRIAD_WITH_NFTABLES=OFF) still has them:
// policies selecting these collectors load, and their checks say the collector is not built.
enum FirewallField : std::size_t {
    kFwRulesetLoaded, kFwTables, kFwBaseChains, kFwInputDefaultDeny, kFwInputOpenFamilies,
    kFwForwardDefaultDeny, kFwForwardOpenFamilies, kFwForwarding, kFwLegacyTables, kFwSource,
    kFwFieldCount
};
inline constexpr FieldSpec kFirewallFields[] = {
    {"ruleset_loaded", ValueKind::boolean, "the kernel holds at least one nftables table (iptables-nft tables included)"},
    {"tables", ValueKind::list, "the loaded tables (\"FAMILY NAME\")"},
    {"base_chains", ValueKind::integer, "base chains on any hook, in every table"},
    {"input_default_deny", ValueKind::boolean,
     "IPv4 and IPv6 packets to this host that no rule accepts are dropped: an ip/ip6/inet input base chain drops them"},
    {"input_open_families", ValueKind::list, "ipv4 and/or ipv6 when no input base chain of that family drops unmatched packets"},
    {"forward_default_deny", ValueKind::boolean,
     "IPv4 and IPv6 packets routed through this host that no rule accepts are dropped"},
    {"forward_open_families", ValueKind::list, "ipv4 and/or ipv6 when no forward base chain of that family drops unmatched packets"},
    {"forwarding", ValueKind::boolean,
     "the kernel routes packets: net.ipv4.ip_forward or net.ipv6.conf.all.forwarding is 1 (from --proc); absent when unreadable"},
    {"legacy_tables", ValueKind::list,
     "iptables-legacy tables loaded (/proc/net/ip_tables_names, ip6_tables_names): their rules are not part of this view"},
    {"source", ValueKind::string, "where the ruleset was read"},
};
static_assert(std::size(kFirewallFields) == kFwFieldCount);

enum FirewallChainField : std::size_t {
    kFcFamily, kFcTable, kFcChain, kFcType, kFcHook, kFcPriority, kFcPolicy, kFcRules, kFcEndsInDrop,
    kFcUnmatchedVerdict, kFcDefaultDeny, kFcFieldCount
};
inline constexpr FieldSpec kFirewallChainFields[] = {
    {"family", ValueKind::string, "ip, ip6, inet, arp, bridge or netdev"},
    {"table", ValueKind::string, "the table's name"},
    {"chain", ValueKind::string, "the chain's name"},
    {"type", ValueKind::string, "filter, nat or route"},
    {"hook", ValueKind::string, "input or forward"},
    {"priority", ValueKind::integer, "the hook priority (filter = 0); lower runs first"},
    {"policy", ValueKind::string, "accept or drop: the verdict for a packet that reaches the chain's end"},
    {"rules", ValueKind::integer, "the number of rules in the chain"},
    {"ends_in_drop", ValueKind::boolean, "the last rule drops or rejects every packet (no match, only counter/log before it)"},
    {"unmatched_verdict", ValueKind::string,
     "what happens to a packet no conditional rule matches: accept or drop (a reject counts as drop), from the "
     "first unconditional accept/drop/reject rule, else the policy; unknown after an unconditional jump or goto"},
    {"default_deny", ValueKind::boolean, "unmatched_verdict is drop"},
};
static_assert(std::size(kFirewallChainFields) == kFcFieldCount);

inline constexpr CollectorEntry kFirewallCollectorSpec{
    "firewall", Scope::host, kFirewallFields, {}, nullptr,
    "the live nftables ruleset of the scanner's network namespace (libnftables)\n"
    "\n"
    "One fact, `ruleset`: whether any table is loaded and whether input and forwarded IPv4 and "
    "IPv6 packets are dropped unless a rule accepts them, read from the kernel through "
    "libnftables (`list ruleset`, JSON); iptables-nft rules are included, iptables-legacy "
    "tables are only named. not_applicable without the live procfs (offline root or fixture "
    "--proc); an error when the kernel refuses the listing (it needs CAP_NET_ADMIN).",
};
inline constexpr CollectorEntry kFirewallChainsCollectorSpec{
    "firewall_chains", Scope::host, kFirewallChainFields, {}, nullptr,
    "each nftables base chain on the input or forward hook, from the live ruleset\n"
    "\n"
    "One object per base chain, named `FAMILY TABLE CHAIN`: its priority, policy, rule count "
    "and how a packet no rule matches leaves it. Jumped-to chains are not followed. "
    "not_applicable when no such chain is loaded, or without the live procfs.",
};

extern const CollectorEntry kFirewallCollector;
extern const CollectorEntry kFirewallChainsCollector;

}  // namespace triad::scanner
