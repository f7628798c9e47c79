// SPDX-License-Identifier: Apache-2.0
// Values as policies write them: "0640" as a mode, "7" as an integer, "yes" as a boolean.
// The loader types operands with these; the evaluator converts field values with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "scanner/core/fact.h"

namespace triad::rules {

std::optional<std::int64_t> parse_int(std::string_view s);
std::optional<scanner::Mode> parse_mode(std::string_view s);  // octal, at most 07777
std::optional<bool> parse_bool(std::string_view s);           // true/yes/on, false/no/off
// `text` typed as `kind`; nullopt when it is not a value of that kind.
std::optional<scanner::Value> parse_value(std::string_view text, scanner::ValueKind kind);

}  // namespace triad::rules
