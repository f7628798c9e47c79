// SPDX-License-Identifier: Apache-2.0
#include "daemon/schedule.h"

#include <charconv>
#include <ctime>
#include <sstream>
#include <vector>

namespace triad::daemon {
namespace {

bool parse_number(const std::string& s, int& out) {
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

// One cron field ("*", "*/15", "1-5", "0,30", "8-18/2") into the set of values lo..hi.
template <std::size_t N>
bool parse_field(const std::string& field, int lo, int hi, std::bitset<N>& out, bool& any, std::string& error,
                 const char* name) {
    any = field == "*";
    std::stringstream parts(field);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int step = 1;
        if (auto slash = part.find('/'); slash != std::string::npos) {
            if (!parse_number(part.substr(slash + 1), step) || step < 1) {
                error = std::string("bad step in the ") + name + " field '" + field + "'";
                return false;
            }
            part = part.substr(0, slash);
        }
        int first = lo, last = hi;
        if (part != "*") {
            if (auto dash = part.find('-'); dash != std::string::npos) {
                if (!parse_number(part.substr(0, dash), first) || !parse_number(part.substr(dash + 1), last)) {
                    error = std::string("bad range in the ") + name + " field '" + field + "'";
                    return false;
                }
            } else if (!parse_number(part, first)) {
                error = std::string("bad value in the ") + name + " field '" + field + "'";
                return false;
            } else if (step == 1) {
                last = first;
            }
        }
        if (first < lo || last > hi || first > last) {
            error = std::string("the ") + name + " field '" + field + "' is outside " + std::to_string(lo) + "-" +
                    std::to_string(hi);
            return false;
        }
        for (int v = first; v <= last; v += step) out.set(static_cast<std::size_t>(v % static_cast<int>(N)));
    }
    if (out.none()) {
        error = std::string("empty ") + name + " field";
        return false;
    }
    return true;
}

}  // namespace

std::optional<Schedule> Schedule::parse(const std::string& text, std::string& error) {
    Schedule s;
    s.text_ = text;
    if (text.rfind("every ", 0) == 0) {
        std::string amount = text.substr(6);
        if (amount.size() < 2) {
            error = "expected 'every N' with a unit s, m, h or d, as in 'every 6h'";
            return std::nullopt;
        }
        char unit = amount.back();
        int n = 0;
        if (!parse_number(amount.substr(0, amount.size() - 1), n) || n < 1) {
            error = "expected 'every N' with N a positive whole number and a unit s, m, h or d, as in 'every 6h'";
            return std::nullopt;
        }
        long mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
        if (mult == 0) {
            error = std::string("unknown unit '") + unit + "' (s, m, h or d)";
            return std::nullopt;
        }
        s.interval_ = std::chrono::seconds(n * mult);
        return s;
    }
    std::stringstream in(text);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    if (fields.size() != 5) {
        error = "expected a five-field cron expression (minute hour day month weekday) or 'every N{s,m,h,d}', got " +
                std::to_string(fields.size()) + " fields";
        return std::nullopt;
    }
    bool unused = false;
    std::bitset<8> weekday;  // 0..7, 7 folded onto Sunday below
    if (!parse_field(fields[0], 0, 59, s.minute_, unused, error, "minute") ||
        !parse_field(fields[1], 0, 23, s.hour_, unused, error, "hour") ||
        !parse_field(fields[2], 1, 31, s.day_, s.day_any_, error, "day-of-month") ||
        !parse_field(fields[3], 1, 12, s.month_, unused, error, "month") ||
        !parse_field(fields[4], 0, 7, weekday, s.weekday_any_, error, "day-of-week"))
        return std::nullopt;
    for (std::size_t d = 0; d < 7; ++d) s.weekday_[d] = weekday[d];
    if (weekday[7]) s.weekday_.set(0);
    return s;
}

std::chrono::system_clock::time_point Schedule::next(std::chrono::system_clock::time_point after) const {
    using namespace std::chrono;
    if (interval_) return after + *interval_;
    // Minute by minute from the next whole minute; every valid expression fires within
    // four years (29 February), so the bound is never the answer for a parsed schedule.
    std::time_t t = system_clock::to_time_t(after);
    t = t - t % 60 + 60;
    for (long i = 0; i < 4L * 366 * 24 * 60; ++i, t += 60) {
        std::tm tm{};
        localtime_r(&t, &tm);
        if (!minute_[tm.tm_min] || !hour_[tm.tm_hour] || !month_[tm.tm_mon + 1]) continue;
        // cron: when both day fields are restricted, either one matching is enough.
        bool day = day_[tm.tm_mday], wday = weekday_[tm.tm_wday];
        bool match = day_any_ && weekday_any_ ? true : day_any_ ? wday : weekday_any_ ? day : (day || wday);
        if (match) return system_clock::from_time_t(t);
    }
    return after + hours(24 * 365 * 4);
}

}  // namespace triad::daemon
