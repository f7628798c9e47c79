// SPDX-License-Identifier: Apache-2.0
// Where `triad report` and `triad diff` take a result from: a triad.result/1 file, or
// `store:SCAN_ID`, the document triadd stored for that scan in a store (--store URL).
#pragma once

#include <string>

#include "base/result.h"
#include "rules/model/result.h"

namespace triad::cli {

inline constexpr std::string_view kStorePrefix = "store:";

// `input` is a file path, or store:ID read from store_url (opened read-only, once per call).
// A file whose name starts with "store:" is reached as ./store:...
Result<rules::ScanResult> load_result(const std::string& input, const std::string& store_url);

}  // namespace triad::cli
