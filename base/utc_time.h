// SPDX-License-Identifier: Apache-2.0
// Times as triad writes them in results and stores: RFC 3339 in UTC to the second
// (2026-12-02T01:30:00Z), a form whose text order is time order.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace triad {

std::string rfc3339_utc(std::time_t t);

// Seconds since the epoch of exactly that form; nullopt for any other text.
std::optional<std::int64_t> parse_rfc3339_utc(const std::string& text);

}  // namespace triad
