// SPDX-License-Identifier: Apache-2.0
// The daemon's schedule: five-field cron expressions and "every N" intervals.
#include "daemon/schedule.h"

#include <doctest/doctest.h>

#include <ctime>

using triad::daemon::Schedule;
using Clock = std::chrono::system_clock;

namespace {

// A local time as a time point (cron fields are local time).
Clock::time_point local(int year, int month, int day, int hour, int minute) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;
    return Clock::from_time_t(std::mktime(&tm));
}

Schedule parsed(const std::string& text) {
    std::string error;
    auto s = Schedule::parse(text, error);
    CAPTURE(error);
    REQUIRE(s);
    return *s;
}

}  // namespace

TEST_CASE("cron expressions fire at the next matching minute") {
    CHECK(parsed("0 */6 * * *").next(local(2026, 3, 10, 7, 15)) == local(2026, 3, 10, 12, 0));
    CHECK(parsed("0 */6 * * *").next(local(2026, 3, 10, 12, 0)) == local(2026, 3, 10, 18, 0));  // strictly after
    CHECK(parsed("30 2 * * *").next(local(2026, 3, 10, 3, 0)) == local(2026, 3, 11, 2, 30));
    CHECK(parsed("15 9-17/4 * * 1-5").next(local(2026, 3, 13, 18, 0)) == local(2026, 3, 16, 9, 15));  // Fri -> Mon
    CHECK(parsed("0 0 1 1 *").next(local(2026, 3, 10, 0, 0)) == local(2027, 1, 1, 0, 0));
    CHECK(parsed("0 0 29 2 *").next(local(2026, 3, 1, 0, 0)) == local(2028, 2, 29, 0, 0));
    CHECK(parsed("0 12 * * 7").next(local(2026, 3, 10, 0, 0)) == local(2026, 3, 15, 12, 0));  // 7 is Sunday
    // Both day fields restricted: either matching is enough (cron's rule).
    CHECK(parsed("0 0 20 * 1").next(local(2026, 3, 10, 1, 0)) == local(2026, 3, 16, 0, 0));
}

TEST_CASE("intervals add to the time given") {
    const auto t = local(2026, 3, 10, 7, 15);
    CHECK(parsed("every 6h").next(t) == t + std::chrono::hours(6));
    CHECK(parsed("every 90s").next(t) == t + std::chrono::seconds(90));
    CHECK(parsed("every 2d").next(t) == t + std::chrono::hours(48));
}

TEST_CASE("bad schedules say what is wrong") {
    for (const char* bad : {"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8",
                            "*/0 * * * *", "5-1 * * * *", "a * * * *", "every", "every 6", "every 0h", "every 6w",
                            "every -1h"}) {
        CAPTURE(bad);
        std::string error;
        CHECK(!Schedule::parse(bad, error));
        CHECK(!error.empty());
    }
}
