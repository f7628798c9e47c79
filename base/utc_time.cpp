// SPDX-License-Identifier: Apache-2.0
#include "base/utc_time.h"

namespace triad {

namespace {
constexpr const char* kForm = "%Y-%m-%dT%H:%M:%SZ";
}

std::string rfc3339_utc(std::time_t t) {
    std::tm tm{};
    if (!::gmtime_r(&t, &tm)) return {};
    char buf[32];
    return std::strftime(buf, sizeof buf, kForm, &tm) ? buf : "";
}

std::optional<std::int64_t> parse_rfc3339_utc(const std::string& text) {
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), kForm, &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace triad
