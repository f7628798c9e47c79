// SPDX-License-Identifier: Apache-2.0
// The `firewall_config` collector: the packet-filter configuration an audited root would
// load at boot, read offline (so it works on `--root` images), one object per configuration
// kind: nftables (/etc/nftables.conf), iptables-persistent (/etc/iptables/rules.v4 and
// rules.v6), ufw (/etc/ufw/ufw.conf, /etc/default/ufw) and firewalld (its default zone and
// that zone's target). For each: whether it exists, whether it drops unmatched input, and
// whether the systemd service that loads it is enabled (the unit reader of the `services`
// collector). Configured state only: the live checks judge the kernel's ruleset through
// the `firewall` collector, and nothing here can make them pass. Root scope.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/collector.h"

namespace triad::scanner {

extern const CollectorEntry kFirewallConfigCollector;

// What a configuration text says about unmatched input packets (the tests call these).
struct InputPolicy {
    std::vector<std::string> deny_families;  // "ipv4", "ipv6": families whose input drops unmatched packets
    std::vector<std::string> evidence;       // the statements that decided, as written
    std::vector<std::string> includes;       // nftables only: include statements at the top level, as written
    std::vector<std::string> nested_includes;  // nftables only: include statements inside a block
};

// An nftables script: base chains on the input hook with `policy drop`. Not a full nft
// parser: tables, chains (block form and `add chain ... { ... }` form), `hook input`,
// `policy drop` and `include` are recognised; everything else is skipped. The collector
// follows the top-level includes itself (inside the audited root).
InputPolicy nft_input_policy(std::string_view text);

// An iptables-save file (rules.v4 / rules.v6): the `:INPUT DROP` default policy of any table.
// `family` is "ipv4" or "ipv6", reported when the policy drops.
InputPolicy iptables_save_input_policy(std::string_view text, const std::string& family);

}  // namespace triad::scanner
