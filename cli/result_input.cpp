// SPDX-License-Identifier: Apache-2.0
#include "cli/result_input.h"

#include <charconv>

#include "reporters/result_reader.h"
#include "store/scan_store.h"

namespace triad::cli {

Result<rules::ScanResult> load_result(const std::string& input, const std::string& store_url) {
    if (input.rfind(kStorePrefix, 0) != 0) return report::read_result_file(input);
    const std::string_view digits = std::string_view(input).substr(kStorePrefix.size());
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || id <= 0)
        return Error{ErrorCode::usage, "expected store:SCAN_ID with a scan number (see 'triad history')", input};
    auto opened = store::ScanStore::open(store_url, store::StoreAccess::read);
    if (!opened) return opened.error();
    auto json = (*opened)->result_json(id);
    if (!json) return json.error();
    // The stored document is read as untrusted as a file is: the same reader, the same limits.
    return report::parse_result_json(*json, input + " (" + store::redact_store_url(store_url) + ")");
}

}  // namespace triad::cli
