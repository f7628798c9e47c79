// SPDX-License-Identifier: Apache-2.0
// Pure parts of the kconfig collector: gzip decompression with an output bound, and the
// .config syntax ("CONFIG_X=y", "CONFIG_X=\"text\"", "# CONFIG_X is not set").
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace triad::scanner::kconfig_internal {

// Inflates a gzip stream; more than max_bytes of output is an error (a hostile file must
// not exhaust memory), and so is a truncated or corrupt stream.
Result<std::string> gunzip(std::string_view compressed, std::size_t max_bytes);

// Option name (with CONFIG_) -> value: "n" for "is not set", strings unquoted.
std::map<std::string, std::string, std::less<>> parse_kconfig(std::string_view text);

}  // namespace triad::scanner::kconfig_internal
