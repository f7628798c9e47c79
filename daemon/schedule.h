// SPDX-License-Identifier: Apache-2.0
// When triadd scans: a five-field cron expression ("0 */6 * * *": minute hour day-of-month
// month day-of-week, local time, with *, lists, ranges and steps) or a fixed interval
// ("every 6h", units s, m, h, d).
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>

namespace triad::daemon {

class Schedule {
public:
    // nullopt and `error` set (what is wrong, for the config's FILE:LINE:COL message).
    static std::optional<Schedule> parse(const std::string& text, std::string& error);

    // The first time strictly after `after` the schedule fires.
    std::chrono::system_clock::time_point next(std::chrono::system_clock::time_point after) const;
    const std::string& text() const { return text_; }

private:
    std::string text_;
    std::optional<std::chrono::seconds> interval_;
    std::bitset<60> minute_;
    std::bitset<24> hour_;
    std::bitset<32> day_;    // 1..31
    std::bitset<13> month_;  // 1..12
    std::bitset<7> weekday_; // 0 Sunday .. 6 (7 is read as Sunday too)
    bool day_any_ = true, weekday_any_ = true;
};

}  // namespace triad::daemon
