// SPDX-License-Identifier: Apache-2.0
// The `boot_integrity` collector: what keeps root from changing the running kernel — the
// lockdown LSM's mode (securityfs), UEFI Secure Boot (efivarfs) and module signature
// enforcement (/sys/module/module/parameters/sig_enforce). Host scope: one fact each,
// named lockdown, secure_boot and module_signatures.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scanner/core/fact.h"
#include "scanner/core/collector.h"

namespace triad::scanner {

enum BootIntegrityField : std::size_t { kIntegrityMechanism, kIntegrityState, kIntegrityEnforced, kIntegrityFile, kIntegrityFieldCount };

// "none [integrity] confidentiality" -> "integrity": the bracketed word is the mode in effect.
std::optional<std::string> parse_lockdown(std::string_view text);

// An efivarfs variable: 4 bytes of attributes, then the data; SecureBoot's data is one
// byte, 1 when Secure Boot is on.
std::optional<bool> parse_secure_boot_var(std::string_view bytes);

extern const CollectorEntry kBootIntegrityCollector;

}  // namespace triad::scanner
