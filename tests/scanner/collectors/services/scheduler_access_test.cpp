// SPDX-License-Identifier: Apache-2.0
// The scheduler_access collector: cron's and at's allow and deny lists judged as Debian's
// crontab and at judge them.
#include "scanner/collectors/services/scheduler_access.h"

#include <doctest/doctest.h>

#include "tests/scanner/collect_root.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& dir) { return triad::test::collect_root(kSchedulerAccessCollector, dir); }

std::string f(const FactSet& facts, const std::string& object, const std::string& field) {
    return triad::test::object_field(facts, kSchedulerAccessCollector.fields, object, field);
}

}  // namespace

TEST_CASE("scheduler_access: an allow list restricts; a deny list alone does not") {
    TempDir dir;
    write_file(dir / "usr/bin/crontab", "", 02755);
    write_file(dir / "usr/bin/at", "", 06755);
    write_file(dir / "etc/cron.allow", "root\n# ops team\n  alice  \n", 0640);
    write_file(dir / "etc/at.deny", "daemon\nbin\n", 0640);
    FactSet facts = collect(dir.path());
    CHECK(f(facts, "cron", "installed") == "true");
    CHECK(f(facts, "cron", "allowed_users") == "root, alice");
    CHECK(f(facts, "cron", "restricted") == "true");
    CHECK(f(facts, "cron", "open_to_all") == "false");
    CHECK(f(facts, "at", "restricted") == "false");
    CHECK(f(facts, "at", "denied_users") == "daemon, bin");
    CHECK(f(facts, "at", "open_to_all") == "false");  // everyone but the listed users
}

TEST_CASE("scheduler_access: without lists crontab is open to all and at to root only") {
    TempDir dir;
    write_file(dir / "usr/bin/crontab", "", 02755);
    FactSet facts = collect(dir.path());
    CHECK(f(facts, "cron", "open_to_all") == "true");
    CHECK(f(facts, "cron", "restricted") == "false");
    CHECK(f(facts, "at", "installed") == "false");
    CHECK(f(facts, "at", "restricted") == "true");

    triad::test::make_dirs(dir / "etc/cron.deny");  // a directory where the list should be
    facts = collect(dir.path());
    const Fact* cron = find_object(facts, "cron");
    REQUIRE(cron);
    CHECK(cron->status == FactStatus::error);
    CHECK(cron->reason.find("/etc/cron.deny") != std::string::npos);
}
