// SPDX-License-Identifier: Apache-2.0
// The `listener_exposure` collector: for each listening socket of the scanner's network
// namespace that is bound to a non-loopback address, whether the loaded nftables ruleset
// lets a new connection from another host reach it. The input hook's base chains are walked
// in priority order for a packet to the socket's port (its family, its protocol, ct state
// new, an input interface other than lo, any source address), following jumps and gotos, and
// every path is followed to its verdict:
//   open                   — some path accepts it whatever the source address;
//   restricted_to_sources  — every accepting path requires a source address condition;
//   restricted             — every path drops or rejects it;
//   undecided              — some path accepts or drops it only under a condition this
//                            evaluation does not model (a mark, a fib lookup, a set the
//                            packet path updates, an iptables-nft xt match, ...): never a
//                            guessed pass.
// Host scope, live only (the ruleset is the kernel's), built with TRIAD_WITH_NFTABLES.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

enum ListenerExposureField : std::size_t {
    kLxProto, kLxAddress, kLxPort, kLxFamilies, kLxProcesses, kLxExposure, kLxFirewalled, kLxSources, kLxDecidingRule,
    kLxUndecidedRules, kLxSource, kLxFieldCount
};
inline constexpr FieldSpec kListenerExposureFields[] = {
    {"proto", ValueKind::string, "tcp, tcp6, udp or udp6"},
    {"address", ValueKind::string, "the local address it is bound to (0.0.0.0, ::, 192.0.2.1, ...)"},
    {"port", ValueKind::integer, "the local port"},
    {"families", ValueKind::list,
     "the packet families evaluated: ipv4 for tcp/udp, ipv6 for tcp6/udp6, both for a socket on :: (dual stack unless IPV6_V6ONLY)"},
    {"processes", ValueKind::list, "the processes holding it (\"PID NAME\"); empty when none could be found"},
    {"exposure", ValueKind::string, "open, restricted_to_sources, restricted or undecided (see the collector's description)"},
    {"firewalled", ValueKind::boolean,
     "exposure is restricted or restricted_to_sources; undecided leaves it without a value and the reason"},
    {"sources", ValueKind::list, "restricted_to_sources: the source address conditions the accepting rules require"},
    {"deciding_rule", ValueKind::string,
     "the rule (\"FAMILY TABLE CHAIN handle N: RULE\") or chain policy that accepts it (open) or drops it (restricted); "
     "\"no input base chain\" when none is loaded"},
    {"undecided_rules", ValueKind::list, "undecided: the rules whose conditions could not be evaluated"},
    {"source", ValueKind::string, "where the ruleset and the sockets were read"},
};
static_assert(std::size(kListenerExposureFields) == kLxFieldCount);

inline constexpr CollectorEntry kListenerExposureCollectorSpec{
    "listener_exposure", Scope::host, kListenerExposureFields, {}, nullptr,
    "which non-loopback listeners the loaded nftables ruleset lets other hosts reach\n"
    "\n"
    "One object per listening socket of the scanner's network namespace bound to a non-loopback "
    "address (`tcp 0.0.0.0:22`, as in `listeners`). The input hook's base chains of the live "
    "ruleset (libnftables, JSON; iptables-nft rules included) are walked in priority order for "
    "a new connection from another host to its port, following jumps and gotos (16 deep), and "
    "every path is followed to its verdict: `open` when one accepts it from any source, "
    "`restricted_to_sources` when every accepting path requires a source address, "
    "`restricted` when every path drops it, `undecided` (with the rules) when a path depends "
    "on a condition that is not modelled — marks, fib, xt matches, sets the packet path "
    "updates or whose elements time out, verdict maps on other keys. Named sets are read as "
    "the kernel holds them now. With no input base chain every such listener is open. Listeners of other "
    "network namespaces are not listed: their ruleset is another one. not_applicable without "
    "the live procfs; an error when the ruleset cannot be listed (CAP_NET_ADMIN).",
};

extern const CollectorEntry kListenerExposureCollector;

}  // namespace triad::scanner
