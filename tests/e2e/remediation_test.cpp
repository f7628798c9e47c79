// SPDX-License-Identifier: Apache-2.0
// Every shipped fix that is a shell command works. A remediation whose text starts with a
// lower-case letter is a command, meant to be pasted into a root shell as it is
// (docs/policy-language.md); anything else is prose. Each command runs here on a fixture root
// where its check fails, inside a private mount namespace chrooted into the fixture (the
// host's /usr/bin and /usr/lib bound read-only, so the programs exist but nothing of the host
// can change); then the root is scanned again and the check must pass. A second round runs
// every command on a root whose drop-in directories are empty: a glob that matches nothing
// must not make a fix fail halfway.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "rules/load/policy_loader.h"
#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using namespace triad::test::fixture;

namespace {

std::string access_policy() { return triad::test::source_dir() + "/rules/policies/access-control.yml"; }

// check id -> its remediation, for every shipped remediation that is a shell command.
std::map<std::string, std::string> shell_fixes() {
    const auto loaded = triad::rules::load_policies({triad::test::source_dir() + "/rules/policies"});
    REQUIRE(loaded.ok());
    std::map<std::string, std::string> fixes;
    for (const auto& p : loaded.policies)
        for (const auto& c : p.checks) {
            const std::string& r = c.info.remediation;
            if (!r.empty() && std::islower(static_cast<unsigned char>(r.front()))) fixes[c.info.id] = r;
        }
    return fixes;
}

// The fixture's own programs are fake; the commands need real ones. Mount points and the
// dynamic loader's path are created for the run and removed afterwards, so that the
// rescan sees the fixture as the fixes left it and nothing else.
class Chroot {
public:
    explicit Chroot(std::string root) : root_(std::move(root)) {
        for (const char* dir : {"usr/bin", "usr/lib", "usr/lib64", ".triad-host-sbin"}) {
            const std::string path = root_ + "/" + dir;
            if (!std::filesystem::exists(path) && !std::filesystem::is_symlink(path)) {
                std::filesystem::create_directories(path);
                created_.push_back(path);
            }
        }
        const std::string lib64 = root_ + "/lib64";
        if (!std::filesystem::exists(lib64) && !std::filesystem::is_symlink(lib64)) {
            std::filesystem::create_directory_symlink("usr/lib64", lib64);
            created_.push_back(lib64);
        }
    }
    ~Chroot() {
        std::reverse(created_.begin(), created_.end());
        for (const std::string& p : created_) std::filesystem::remove(p);
    }
    Chroot(const Chroot&) = delete;
    Chroot& operator=(const Chroot&) = delete;

    // Runs `command` with /usr/bin/sh inside the fixture; the commands' sbin programs
    // (useradd, pwconv) come from the host's /usr/sbin after the fixture's own.
    triad::test::RunResult run(const std::string& command) const {
        const std::string script = R"(set -e
R=$1
mount -o bind,ro /usr/bin "$R/usr/bin"
mount -o bind,ro /usr/lib "$R/usr/lib"
if [ -d /usr/lib64 ]; then mount -o bind,ro /usr/lib64 "$R/usr/lib64"; fi
mount -o bind,ro /usr/sbin "$R/.triad-host-sbin"
exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/.triad-host-sbin /usr/bin/sh -c "$2"
)";
        return triad::test::run({"unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", root_, command});
    }

private:
    std::string root_;
    std::vector<std::string> created_;
};

std::vector<std::string> only(const std::map<std::string, std::string>& fixes) {
    std::vector<std::string> args = {"--policy", access_policy()};
    for (const auto& [id, fix] : fixes) args.insert(args.end(), {"--only", id});
    return args;
}

// The states the fail fixture does not set up: the access-control checks with a command.
void break_access_control(const std::string& root) {
    // ACCT-SHADOWED: a hash left in /etc/passwd (as before shadow passwords).
    std::string passwd = triad::test::read_file(root + "/etc/passwd");
    const std::string alice = "alice:x:";
    const auto at = passwd.find(alice);
    REQUIRE(at != std::string::npos);
    passwd.replace(at, alice.size(), "alice:$y$j9T$F5Jx5fExrKuJdXd4Q/wF.1$8OUSK8JrW3VvIqx2aL5j0CxHS/B8zGw3HG6p4uXNq91:");
    struct stat st {};
    REQUIRE(::stat((root + "/etc/passwd").c_str(), &st) == 0);
    triad::test::write_file(root + "/etc/passwd", passwd, st.st_mode & 07777);
    REQUIRE(::chown((root + "/etc/passwd").c_str(), st.st_uid, st.st_gid) == 0);
    // LOGIN-USERADD-INACTIVE: Debian's shipped file with the value set to "never".
    triad::test::make_dirs(root + "/etc/default");
    triad::test::write_file(root + "/etc/default/useradd", "SHELL=/bin/sh\nINACTIVE=-1\n");
}

bool can_chroot() {
    return triad::test::sh("command -v unshare && command -v chroot && unshare --mount true").exit_code == 0;
}

}  // namespace

TEST_CASE("remediation: every shell-command fix makes its check pass on a root where it failed") {
    if (!can_build_fixtures()) return;
    if (!can_chroot()) {
        MESSAGE("skipped: unshare --mount or chroot is not available");
        return;
    }
    const auto fixes = shell_fixes();
    REQUIRE(fixes.size() >= 30);  // the file-permission commands, pwconv, useradd -D

    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "fail"));
    break_access_control(root);

    Scan before = run_scan(root, only(fixes));
    REQUIRE(before.json);
    for (const auto& [id, fix] : fixes) {
        CAPTURE(id);
        REQUIRE(before.by_id.count(id) == 1);
        CHECK(before.by_id[id]->getValue<std::string>("verdict") == "fail");
    }

    {
        Chroot chroot(root);
        // pwconv and useradd rewrite /etc/passwd and keep its mode; the file-permission
        // fixes come after, as an admin working down the report would run them.
        for (const char* first : {"ACCT-SHADOWED", "LOGIN-USERADD-INACTIVE"}) {
            CAPTURE(first);
            auto r = chroot.run(fixes.at(first));
            CHECK_MESSAGE(r.exit_code == 0, r.err);
        }
        for (const auto& [id, fix] : fixes) {
            if (id == "ACCT-SHADOWED" || id == "LOGIN-USERADD-INACTIVE") continue;
            CAPTURE(id);
            CAPTURE(fix);
            auto r = chroot.run(fix);
            CHECK_MESSAGE(r.exit_code == 0, r.err);
        }
    }

    Scan after = run_scan(root, only(fixes));
    REQUIRE(after.json);
    for (const auto& [id, fix] : fixes) {
        CAPTURE(id);
        CAPTURE(fix);
        REQUIRE(after.by_id.count(id) == 1);
        CHECK(after.by_id[id]->getValue<std::string>("verdict") == "pass");
    }
}

TEST_CASE("remediation: fixes work when the drop-in directories they cover are empty") {
    if (!can_build_fixtures()) return;
    if (!can_chroot()) {
        MESSAGE("skipped: unshare --mount or chroot is not available");
        return;
    }
    const auto fixes = shell_fixes();
    TempDir t;
    const std::string root = t / "root";
    REQUIRE(build_fixture(root, "fail"));
    break_access_control(root);
    // sshd_config with no drop-in (the case of issue 9: the old fix stopped at the empty
    // glob and left sshd_config at 0644), an empty sudoers.d, audit rules.d and log dir.
    for (const char* dir : {"/etc/ssh/sshd_config.d", "/etc/sudoers.d", "/etc/audit/rules.d", "/var/log/audit"})
        for (const auto& e : std::filesystem::directory_iterator(root + dir)) std::filesystem::remove_all(e.path());

    {
        Chroot chroot(root);
        for (const char* first : {"ACCT-SHADOWED", "LOGIN-USERADD-INACTIVE"}) {
            auto r = chroot.run(fixes.at(first));
            CHECK_MESSAGE(r.exit_code == 0, r.err);
        }
        for (const auto& [id, fix] : fixes) {
            CAPTURE(id);
            CAPTURE(fix);
            auto r = chroot.run(fix);
            CHECK_MESSAGE(r.exit_code == 0, r.err);
        }
    }
    Scan after = run_scan(root, only(fixes));
    REQUIRE(after.json);
    for (const auto& [id, fix] : fixes) {
        CAPTURE(id);
        REQUIRE(after.by_id.count(id) == 1);
        const std::string verdict = after.by_id[id]->getValue<std::string>("verdict");
        CHECK((verdict == "pass" || verdict == "not_applicable"));
    }
}

TEST_CASE("remediation: a fix that is not a command reads as prose") {
    // The rule the test above relies on: nothing that starts like a command is left untested,
    // so a prose fix never starts with a lower-case program name.
    const auto loaded = triad::rules::load_policies({triad::test::source_dir() + "/rules/policies"});
    REQUIRE(loaded.ok());
    for (const auto& p : loaded.policies)
        for (const auto& c : p.checks) {
            const std::string& r = c.info.remediation;
            CAPTURE(c.info.id);
            // A live kernel setting cannot be tried in a chroot: it must be prose.
            if (r.starts_with("sysctl")) FAIL("a sysctl -w fix changes the running kernel: write it as prose");
        }
}
