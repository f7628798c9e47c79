// SPDX-License-Identifier: Apache-2.0
// triad run by an unprivileged user (nobody) on a root it can only partly read: what it
// cannot read becomes an `error` verdict saying "permission denied", what it can stat is
// still decided, and the report stays valid JSON.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>

#include <map>

#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using namespace triad::test::fixture;

namespace {

const std::vector<std::string> kAsNobody = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};

}  // namespace

TEST_CASE("unprivileged: as nobody, unreadable parts of the root are errors that say permission denied") {
    if (!can_build_fixtures()) return;  // building the root, and switching user, need root
    TempDir t;
    REQUIRE(::chmod(t.path().c_str(), 0755) == 0);  // mkdtemp makes it 0700
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "pass"));
    // The pass root has /root 0700 root:root and /etc/shadow 0600 root:root already; the
    // cron, sudoers.d, audit and alice's home directories are 0700/0750 root or alice.
    struct stat st {};
    REQUIRE(::stat((root + "/root").c_str(), &st) == 0);
    REQUIRE((st.st_mode & 07777) == 0700);
    REQUIRE(::stat((root + "/etc/shadow").c_str(), &st) == 0);
    REQUIRE((st.st_mode & 07777) == 0600);
    // Let nobody into /var/lib/docker; its overlay2 (0700) stays closed. Every walk check
    // that covers it excludes overlay2/**, so the walk must not even try to open it.
    REQUIRE(::chmod((root + "/var/lib/docker").c_str(), 0755) == 0);

    // nobody must reach the binary, the policy and the root at all; a build tree under a
    // private home directory would make this test meaningless, not failed.
    auto reach = triad::test::run([&] {
        std::vector<std::string> argv = kAsNobody;
        argv.insert(argv.end(), {"sh", "-c", "test -x \"$0\" && test -r \"$1\" && test -x \"$2\"",
                                 triad::test::triad_binary(), policy_path(), root});
        return argv;
    }());
    if (reach.exit_code != 0) {
        MESSAGE("skipped: nobody cannot reach the triad binary, the policy or the temporary directory ("
                << reach.err << ")");
        return;
    }

    Scan scan = run_scan(root, {}, kAsNobody, 60);
    CHECK((scan.exit_code == 0 || scan.exit_code == 1));
    CHECK(scan.err.find("terminate") == std::string::npos);
    REQUIRE(scan.json);
    CHECK(scan.by_id.size() == 46);

    // Expected from the fixture's modes. Checks that only stat named paths stay decided:
    // stat needs search permission on the parent directories, not read permission, so
    // /etc/shadow (0600) and /root (0700) themselves are still judged (and pass).
    // Everything that must list a directory nobody may read is an error:
    //   /root, /home/alice (0700)    /root/.* and /home/*/.* globs, .rhosts and the like,
    //                                and the walk of /
    //   /etc/cron.{d,hourly,...}     the cron job globs (0700)
    //   /etc/sudoers.d (0750)        its glob
    //   /etc/audit, /var/log/audit   (0750) their globs, and the walk of /var/log
    const std::map<std::string, std::string> errors = {
        {"DAC-CRON-JOBS", "/etc/cron."},           {"DAC-SUDOERS-D", "/etc/sudoers.d"},
        {"DAC-HOME-DOTFILES", "/"},                {"DAC-HOME-TRUST-FILES", "/home/alice/"},
        {"DAC-LOG-FILES", "/var/log/audit"},       {"DAC-LOG-DIRS", "/var/log/audit"},
        {"DAC-AUDIT-LOGS", "/var/log/audit"},      {"DAC-AUDIT-CONFIG", "/etc/audit"},
        {"DAC-WORLD-WRITABLE-FILES", "/"},         {"DAC-WORLD-WRITABLE-DIRS", "/"},
        {"DAC-SUID-ALLOWLIST", "/"},               {"DAC-SGID-ALLOWLIST", "/"},
        {"DAC-CAPABILITIES-ALLOWLIST", "/"},       {"DAC-UNOWNED", "/"},
        {"DAC-UNGROUPED", "/"},
    };
    for (const auto& [id, result] : scan.by_id) {
        CAPTURE(id);
        const std::string verdict = result->getValue<std::string>("verdict");
        const std::string reason = result->getValue<std::string>("reason");
        auto expected = errors.find(id);
        if (expected == errors.end()) {
            CHECK(verdict == "pass");
            continue;
        }
        CHECK(verdict == "error");
        CHECK(reason.find("permission denied") != std::string::npos);
        CHECK(reason.find(expected->second) != std::string::npos);
        auto evidence = result->getArray("evidence");
        for (std::size_t i = 0; i < evidence->size(); ++i)
            CHECK_FALSE(evidence->getObject(i)->getValue<std::string>("object").starts_with("/var/lib/docker"));
    }
    auto counts = scan.json->getObject("counts");
    CHECK(counts->getValue<std::size_t>("error") == errors.size());
    // Errors are counted, never scored as passes or failures.
    CHECK(counts->getValue<std::size_t>("pass") == 46 - errors.size());
}
