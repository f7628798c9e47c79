// SPDX-License-Identifier: Apache-2.0
// rules/policies/access-control.yml end to end: in the hardened fixture root every check
// passes; for each check one change to that root (the table below) makes it fail; live
// checks are not_applicable for an offline root; and no password hash ever reaches a report.
#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "rules/load/policy_loader.h"
#include "scanner/core/registry.h"
#include "tests/e2e/policy_checks.h"
#include "tests/scanner/access_fixture.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;

std::string policy_path() { return triad::test::source_dir() + "/rules/policies/access-control.yml"; }

std::vector<std::string> policy_ids() { return fixture::policy_check_ids({policy_path()}); }

// The verdict a check should get: `verdict`, or error when its collector is not built.
std::string expected(const std::string& id, const std::string& verdict) {
    static const fixture::ExpectedVerdicts expected_verdicts({policy_path()});
    return expected_verdicts.of(id, verdict);
}

struct Tree {
    std::string root, proc, sys;
};

using Mutation = std::function<void(const Tree&)>;

// Replaces the first line starting with `prefix` by `line` (dropped when empty), or appends it.
void set_line(const std::string& file, const std::string& prefix, const std::string& line) {
    std::istringstream in(triad::test::read_file(file));
    std::string out;
    bool done = false;
    for (std::string l; std::getline(in, l);) {
        if (!done && l.rfind(prefix, 0) == 0) {
            done = true;
            if (!line.empty()) out += line + "\n";
            continue;
        }
        out += l + "\n";
    }
    if (!done && !line.empty()) out += line + "\n";
    write_file(file, out, 0644);
}

void append(const std::string& file, const std::string& text) {
    write_file(file, triad::test::read_file(file) + text, 0644);
}

// alice's shadow entry with the given aging fields (her real hash kept).
void alice_shadow(const Tree& t, const std::string& hash_override, const std::string& aging) {
    std::istringstream in(triad::test::read_file(t.root + "/etc/shadow"));
    std::string out;
    for (std::string l; std::getline(in, l);) {
        if (l.rfind("alice:", 0) == 0) {
            std::string hash = l.substr(6, l.find(':', 6) - 6);
            l = "alice:" + (hash_override == "keep" ? hash : hash_override) + ":" + aging;
        }
        out += l + "\n";
    }
    write_file(t.root + "/etc/shadow", out, 0640);
}

void sshd_dropin(const Tree& t, const std::string& text) { write_file(t.root + "/etc/ssh/sshd_config.d/00-bad.conf", text); }

void sudo_dropin(const Tree& t, const std::string& text) {
    write_file(t.root + "/etc/sudoers.d/zz-bad", text, 0440);
}

// The loopback-only helper (pid 200, unconfined) starts listening on every address.
void helper_listens(const Tree& t) {
    std::string tcp = triad::test::read_file(t.proc + "/net/tcp");
    tcp.replace(tcp.find("0100007F:1F90"), 13, "00000000:1F90");
    write_file(t.proc + "/net/tcp", tcp);
}

const std::map<std::string, Mutation>& mutations() {
    static const std::map<std::string, Mutation> m = {
        {"ACCT-UID0-ONLY-ROOT", [](const Tree& t) { append(t.root + "/etc/passwd", "toor:x:0:0::/root:/bin/sh\n"); }},
        {"ACCT-GID0-ONLY-ROOT", [](const Tree& t) { append(t.root + "/etc/passwd", "eve:x:1001:0::/home/eve:/bin/bash\n"); }},
        {"GRP-GID0-ONLY-ROOT", [](const Tree& t) { append(t.root + "/etc/group", "wheel:x:0:\n"); }},
        {"ACCT-SHADOWED", [](const Tree& t) {
             append(t.root + "/etc/passwd", "bob:" + triad::test::make_hash("yescrypt", triad::test::kFixturePassword) +
                                                ":1002:1000::/home/bob:/bin/bash\n");
         }},
        {"ACCT-NO-EMPTY-PASSWORD", [](const Tree& t) { alice_shadow(t, "", "19700:1:365:7:30::"); }},
        {"ACCT-STRONG-HASH", [](const Tree& t) {
             alice_shadow(t, triad::test::make_hash("md5crypt", triad::test::kFixturePassword), "19700:1:365:7:30::");
         }},
        {"ACCT-DUPLICATE-UID", [](const Tree& t) { append(t.root + "/etc/passwd", "alice2:x:1000:1000::/home/a2:/bin/bash\n"); }},
        {"ACCT-DUPLICATE-NAME", [](const Tree& t) { append(t.root + "/etc/passwd", "alice:x:1005:1000::/home/a3:/bin/bash\n"); }},
        {"GRP-DUPLICATE-GID", [](const Tree& t) { append(t.root + "/etc/group", "alias:x:1000:\n"); }},
        {"GRP-DUPLICATE-NAME", [](const Tree& t) { append(t.root + "/etc/group", "alice:x:1006:\n"); }},
        {"ACCT-GROUP-EXISTS", [](const Tree& t) { append(t.root + "/etc/passwd", "carol:x:1003:4242::/home/carol:/usr/sbin/nologin\n"); }},
        {"GRP-SHADOW-EMPTY", [](const Tree& t) { set_line(t.root + "/etc/group", "shadow:", "shadow:x:42:alice"); }},
        {"ACCT-SYSTEM-NO-LOGIN-SHELL", [](const Tree& t) { append(t.root + "/etc/passwd", "www-data:x:33:33::/var/www:/bin/bash\n"); }},
        {"ACCT-ROOT-EQUIVALENT-GROUPS", [](const Tree& t) { append(t.root + "/etc/group", "docker:x:998:alice\n"); }},
        {"ACCT-PRIVILEGED-GROUPS", [](const Tree& t) { set_line(t.root + "/etc/group", "sudo:", "sudo:x:27:alice"); }},
        {"GRP-NO-PASSWORD", [](const Tree& t) {
             set_line(t.root + "/etc/gshadow", "sugroup:",
                      "sugroup:" + triad::test::make_hash("sha512crypt", triad::test::kFixturePassword) + "::");
         }},
        {"ACCT-PASS-MAX-DAYS", [](const Tree& t) { alice_shadow(t, "keep", "19700:1:99999:7:30::"); }},
        {"ACCT-PASS-WARN-DAYS", [](const Tree& t) { alice_shadow(t, "keep", "19700:1:365:3:30::"); }},
        {"ACCT-INACTIVE-LOCK", [](const Tree& t) { alice_shadow(t, "keep", "19700:1:365:7:::"); }},
        {"ACCT-LAST-CHANGE-PAST", [](const Tree& t) { alice_shadow(t, "keep", "99999:1:365:7:30::"); }},
        {"LOGIN-PASS-MAX-DAYS", [](const Tree& t) { set_line(t.root + "/etc/login.defs", "PASS_MAX_DAYS", "PASS_MAX_DAYS 99999"); }},
        {"LOGIN-PASS-MIN-DAYS", [](const Tree& t) { set_line(t.root + "/etc/login.defs", "PASS_MIN_DAYS", ""); }},
        {"LOGIN-PASS-WARN-AGE", [](const Tree& t) { set_line(t.root + "/etc/login.defs", "PASS_WARN_AGE", "PASS_WARN_AGE 3"); }},
        {"LOGIN-ENCRYPT-METHOD", [](const Tree& t) { set_line(t.root + "/etc/login.defs", "ENCRYPT_METHOD", "ENCRYPT_METHOD MD5"); }},
        {"LOGIN-USERADD-INACTIVE", [](const Tree& t) { set_line(t.root + "/etc/default/useradd", "INACTIVE", "INACTIVE=-1"); }},
        // pwquality.conf is read after its drop-ins: its minlen wins over a drop-in's stricter one.
        {"PWQ-MINLEN", [](const Tree& t) {
             set_line(t.root + "/etc/security/pwquality.conf", "minlen", "minlen = 8");
             write_file(t.root + "/etc/security/pwquality.conf.d/50-strict.conf", "minlen = 20\n");
         }},
        {"PWQ-DIFOK", [](const Tree& t) { set_line(t.root + "/etc/security/pwquality.conf", "difok", "difok = 1"); }},
        {"PWQ-MAXREPEAT", [](const Tree& t) { set_line(t.root + "/etc/security/pwquality.conf", "maxrepeat", ""); }},
        {"PWQ-DICTCHECK", [](const Tree& t) { set_line(t.root + "/etc/security/pwquality.conf", "dictcheck", "dictcheck = 0"); }},
        {"PWQ-ENFORCING", [](const Tree& t) { set_line(t.root + "/etc/security/pwquality.conf", "enforcing", "enforcing = 0"); }},
        {"PWQ-ENFORCE-FOR-ROOT", [](const Tree& t) { set_line(t.root + "/etc/security/pwquality.conf", "enforce_for_root", "# enforce_for_root"); }},
        {"PAM-UNIX-NO-NULLOK", [](const Tree& t) {
             set_line(t.root + "/etc/pam.d/common-auth", "auth\t[success=1", "auth\t[success=1 default=ignore]\tpam_unix.so nullok");
         }},
        {"PAM-PWQUALITY", [](const Tree& t) { set_line(t.root + "/etc/pam.d/common-password", "password\trequisite\t\t\tpam_pwquality", ""); }},
        {"PAM-FAILLOCK", [](const Tree& t) {
             write_file(t.root + "/etc/pam.d/common-auth",
                        "auth\t[success=1 default=ignore]\tpam_unix.so\nauth\trequisite\tpam_deny.so\nauth\trequired\tpam_permit.so\n");
         }},
        {"PAM-PWHISTORY", [](const Tree& t) { set_line(t.root + "/etc/pam.d/common-password", "password\trequisite\t\t\tpam_pwhistory", ""); }},
        {"PAM-PWHISTORY-REMEMBER", [](const Tree& t) {
             set_line(t.root + "/etc/pam.d/common-password", "password\trequisite\t\t\tpam_pwhistory",
                      "password\trequisite\tpam_pwhistory.so remember=5 use_authtok");
         }},
        {"PAM-UNIX-STRONG-HASH", [](const Tree& t) {
             set_line(t.root + "/etc/pam.d/common-password", "password\t[success=1",
                      "password\t[success=1 default=ignore]\tpam_unix.so obscure use_authtok md5");
         }},
        {"PAM-UNIX-NO-REMEMBER", [](const Tree& t) {
             set_line(t.root + "/etc/pam.d/common-password", "password\t[success=1",
                      "password\t[success=1 default=ignore]\tpam_unix.so obscure use_authtok yescrypt remember=5");
         }},
        {"PAM-FAILLOCK-DENY", [](const Tree& t) { write_file(t.root + "/etc/security/faillock.conf", "deny = 10\nunlock_time = 900\n"); }},
        {"PAM-FAILLOCK-UNLOCK", [](const Tree& t) { write_file(t.root + "/etc/security/faillock.conf", "deny = 5\n"); }},
        {"PAM-SU-WHEEL", [](const Tree& t) { set_line(t.root + "/etc/pam.d/su", "auth       required   pam_wheel", "# auth required pam_wheel.so"); }},
        {"PAM-TWO-FACTOR", [](const Tree& t) { set_line(t.root + "/etc/pam.d/sshd", "auth required pam_google", ""); }},
        {"SUDO-USE-PTY", [](const Tree& t) { sudo_dropin(t, "Defaults !use_pty\n"); }},
        {"SUDO-LOGFILE", [](const Tree& t) { set_line(t.root + "/etc/sudoers", "Defaults\tlogfile", ""); }},
        {"SUDO-NOPASSWD", [](const Tree& t) { sudo_dropin(t, "alice ALL=(ALL) NOPASSWD: ALL\n"); }},
        {"SUDO-AUTHENTICATE", [](const Tree& t) { sudo_dropin(t, "Defaults:alice !authenticate\n"); }},
        {"SUDO-TIMESTAMP-TIMEOUT", [](const Tree& t) { sudo_dropin(t, "Defaults timestamp_timeout=-1\n"); }},
        // A Match block that re-enables root login fails on its own, the global setting being right.
        {"SSH-PERMIT-ROOT-LOGIN", [](const Tree& t) { append(t.root + "/etc/ssh/sshd_config", "Match User bob\n  PermitRootLogin yes\n"); }},
        {"SSH-PASSWORD-AUTHENTICATION", [](const Tree& t) { sshd_dropin(t, "PasswordAuthentication yes\n"); }},
        {"SSH-PERMIT-EMPTY-PASSWORDS", [](const Tree& t) { sshd_dropin(t, "PermitEmptyPasswords yes\n"); }},
        {"SSH-X11-FORWARDING", [](const Tree& t) { sshd_dropin(t, "X11Forwarding yes\n"); }},
        {"SSH-MAX-AUTH-TRIES", [](const Tree& t) { sshd_dropin(t, "MaxAuthTries 6\n"); }},
        {"SSH-LOGIN-GRACE-TIME", [](const Tree& t) { sshd_dropin(t, "LoginGraceTime 2m\n"); }},
        {"SSH-CIPHERS", [](const Tree& t) { sshd_dropin(t, "Ciphers aes256-ctr,aes128-cbc\n"); }},
        {"SSH-MACS", [](const Tree& t) { sshd_dropin(t, "MACs hmac-sha2-256,hmac-sha1\n"); }},
        {"SSH-KEX", [](const Tree& t) { sshd_dropin(t, "KexAlgorithms +diffie-hellman-group14-sha1\n"); }},
        {"SSH-IGNORE-RHOSTS", [](const Tree& t) { sshd_dropin(t, "IgnoreRhosts no\n"); }},
        {"SSH-HOSTBASED-AUTHENTICATION", [](const Tree& t) { sshd_dropin(t, "HostbasedAuthentication yes\n"); }},
        {"SSH-PERMIT-USER-ENVIRONMENT", [](const Tree& t) { sshd_dropin(t, "PermitUserEnvironment yes\n"); }},
        {"SSH-USE-PAM", [](const Tree& t) { sshd_dropin(t, "UsePAM no\n"); }},
        {"SSH-LOG-LEVEL", [](const Tree& t) { sshd_dropin(t, "LogLevel QUIET\n"); }},
        {"SSH-CLIENT-ALIVE", [](const Tree& t) { sshd_dropin(t, "ClientAliveInterval 0\n"); }},
        {"SSH-MAX-SESSIONS", [](const Tree& t) { sshd_dropin(t, "MaxSessions 20\n"); }},
        {"SSH-ACCESS-LIMITED", [](const Tree& t) { set_line(t.root + "/etc/ssh/sshd_config", "AllowGroups", ""); }},
        {"SSH-BANNER", [](const Tree& t) { sshd_dropin(t, "Banner none\n"); }},
        {"SSH-GSSAPI-AUTHENTICATION", [](const Tree& t) { sshd_dropin(t, "GSSAPIAuthentication yes\n"); }},
        {"SSH-DISABLE-FORWARDING", [](const Tree& t) { sshd_dropin(t, "DisableForwarding no\n"); }},
        {"SELINUX-ENFORCING", [](const Tree& t) { write_file(t.root + "/etc/selinux/config", "SELINUX=permissive\nSELINUXTYPE=default\n"); }},
        {"SELINUX-MODE-MATCHES", [](const Tree& t) { write_file(t.sys + "/fs/selinux/enforce", "0"); }},
        {"SELINUX-POLICY", [](const Tree& t) { std::remove((t.root + "/etc/selinux/default/policy/policy.33").c_str()); }},
        {"SELINUX-FILE-LABELS", [](const Tree& t) {
             triad::test::run({"setfattr", "-n", "security.selinux", "-v", "system_u:object_r:etc_t:s0", t.root + "/etc/shadow"});
         }},
        {"SELINUX-UNCONFINED-LISTENERS", helper_listens},
        // /etc/apparmor.d alone (man-db ships a profile there) is not AppArmor installed.
        {"AA-INSTALLED", [](const Tree& t) { std::remove((t.root + "/usr/sbin/apparmor_parser").c_str()); }},
        {"AA-ENABLED", [](const Tree& t) { write_file(t.sys + "/kernel/security/lsm", "lockdown,capability,yama,selinux"); }},
        {"AA-BOOTLOADER", [](const Tree& t) { write_file(t.root + "/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/sda1 ro quiet\n"); }},
        {"AA-PROFILES-ENFORCE-OR-COMPLAIN", [](const Tree& t) {
             write_file(t.root + "/etc/apparmor.d/usr.bin.x", "/usr/bin/x flags=(unconfined) {\n}\n");
         }},
        {"AA-PROFILES-ENFORCING", [](const Tree& t) {
             write_file(t.root + "/etc/apparmor.d/usr.bin.y", "/usr/bin/y flags=(complain) {\n}\n");
         }},
        {"AA-UNCONFINED-LISTENERS", helper_listens},
    };
    return m;
}

// Scans and returns id -> verdict (and the raw JSON for the caller).
std::map<std::string, std::string> scan(const Tree& t, const std::vector<std::string>& extra, std::string* json = nullptr) {
    std::vector<std::string> args{"scan", "--policy", policy_path(), "--root", t.root, "--format", "json"};
    if (!t.proc.empty()) args.insert(args.end(), {"--proc", t.proc, "--sys", t.sys});
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = triad::test::run_triad(args);
    REQUIRE_MESSAGE((r.exit_code == 0 || r.exit_code == 1), r.err);
    if (json) *json = r.out;
    auto doc = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    std::map<std::string, std::string> out;
    auto results = doc->getArray("results");
    for (std::size_t i = 0; i < results->size(); ++i) {
        auto o = results->getObject(static_cast<unsigned>(i));
        out[o->getValue<std::string>("id")] = o->getValue<std::string>("verdict");
    }
    return out;
}

struct Base {
    TempDir root, proc, sys;
    bool labels = false;
    Base() {
        labels = triad::test::run({"setfattr", "-n", "security.selinux", "-v", "system_u:object_r:etc_t:s0", root.path()})
                     .exit_code == 0;
        triad::test::build_access_root(root.path(), labels);
        triad::test::build_live_trees(proc.path(), sys.path());
    }
};

void copy_tree(const std::string& from, const std::string& to) {
    auto r = triad::test::sh("cp -a '" + from + "/.' '" + to + "/'");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

}  // namespace

TEST_CASE("access-control policy: at least 40 checks, each with one fixture that fails it") {
    auto ids = policy_ids();
    CHECK(ids.size() >= 40);
    std::set<std::string> missing;
    for (const auto& id : ids)
        if (!mutations().count(id)) missing.insert(id);
    CHECK_MESSAGE(missing.empty(), "checks without a failing fixture: " << missing.size());
    for (const auto& [id, _] : mutations())
        CHECK_MESSAGE(std::find(ids.begin(), ids.end(), id) != ids.end(), id << " is not in the policy");
    auto r = triad::test::run_triad({"policy", "check", policy_path()});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("access-control policy: the hardened root passes every check, and each change fails its own") {
    Base base;
    const Tree hardened{base.root.path(), base.proc.path(), base.sys.path()};
    std::string json;
    auto verdicts = scan(hardened, {}, &json);
    for (const std::string& id : policy_ids()) {
        if (id == "SELINUX-FILE-LABELS" && !base.labels && expected(id, "pass") == "pass") continue;
        CHECK_MESSAGE(verdicts[id] == expected(id, "pass"), id << " is " << verdicts[id] << " on the hardened root");
    }
    for (const auto& [id, why] : fixture::not_built_checks({policy_path()}))
        CHECK_MESSAGE(json.find(why) != std::string::npos, id << ": the report does not say " << why);
    if (triad::test::have_sshd()) {
        auto v = triad::test::run_sshd_check(base.root.path(), false);
        CHECK_MESSAGE(v.exit_code == 0, "hardened sshd_config rejected by sshd -t: " << v.out);
    }

    for (const auto& [id, mutate] : mutations()) {
        if (expected(id, "fail") != "fail") continue;  // its collector is not built: an error either way
        if (id == "SELINUX-FILE-LABELS" && !base.labels) {
            MESSAGE("skipping SELINUX-FILE-LABELS: this file system keeps no security.selinux xattrs");
            continue;
        }
        CAPTURE(id);
        TempDir root, proc, sys;
        copy_tree(base.root.path(), root.path());
        copy_tree(base.proc.path(), proc.path());
        copy_tree(base.sys.path(), sys.path());
        const Tree t{root.path(), proc.path(), sys.path()};
        mutate(t);
        auto v = scan(t, {"--only", id});
        CHECK_MESSAGE(v[id] == "fail", id << " is " << v[id] << " after its change");
        // The changed files are still what the real tools accept.
        if (id.rfind("SSH-", 0) == 0 && triad::test::have_sshd()) {
            auto check = triad::test::run_sshd_check(root.path(), false);
            CHECK_MESSAGE(check.exit_code == 0, "sshd -t: " << check.out);
        }
        if (id.rfind("SUDO-", 0) == 0 && triad::test::have_tool("visudo")) {
            for (const char* f : {"/etc/sudoers", "/etc/sudoers.d/zz-bad"}) {
                if (!triad::test::sh("test -f '" + root.path() + f + "'").exit_code) {
                    auto check = triad::test::run({"visudo", "-c", "-f", root.path() + f});
                    CHECK_MESSAGE(check.exit_code == 0, "visudo " << f << ": " << check.out << check.err);
                }
            }
        }
    }
}

TEST_CASE("access-control policy: live checks are not_applicable for an offline root") {
    Base base;
    auto v = scan(Tree{base.root.path(), "", ""}, {});
    for (const char* id : {"SELINUX-UNCONFINED-LISTENERS", "AA-UNCONFINED-LISTENERS", "SELINUX-MODE-MATCHES", "AA-ENABLED"})
        CHECK_MESSAGE(v[id] == expected(id, "not_applicable"), id << " is " << v[id]);
    CHECK(v["SSH-PERMIT-ROOT-LOGIN"] == "pass");

    // A root without sshd, sudo, SELinux: those checks say so instead of failing.
    TempDir bare;
    write_file(bare / "etc/passwd", "root:x:0:0::/root:/bin/bash\n");
    write_file(bare / "etc/group", "root:x:0:\n");
    auto b = scan(Tree{bare.path(), "", ""}, {});
    for (const char* id : {"SSH-PERMIT-ROOT-LOGIN", "SUDO-NOPASSWD", "SUDO-USE-PTY", "SELINUX-ENFORCING", "SELINUX-FILE-LABELS",
                           "PAM-UNIX-NO-NULLOK", "AA-PROFILES-ENFORCING"})
        CHECK_MESSAGE(b[id] == expected(id, "not_applicable"), id << " is " << b[id]);
    CHECK(b["AA-INSTALLED"] == "fail");
}

TEST_CASE("access-control policy: no password hash or password reaches a report") {
    Base base;
    TempDir root;
    copy_tree(base.root.path(), root.path());
    // Every kind of weak hash, in shadow, in passwd and in gshadow, so that failing checks
    // list these very accounts as evidence.
    std::vector<std::string> hashes = {
        triad::test::make_hash("md5crypt", triad::test::kFixturePassword),
        triad::test::make_hash("descrypt", triad::test::kFixturePassword),
        triad::test::make_hash("bcrypt", triad::test::kFixturePassword, 5),
        triad::test::make_hash("sha256crypt", triad::test::kFixturePassword),
    };
    append(root / "etc/passwd", "m:x:2001:1000::/home/m:/bin/bash\nd:x:2002:1000::/home/d:/bin/bash\n"
                                "b:x:2003:1000::/home/b:/bin/bash\nlegacy:" + hashes[3] + ":2004:1000::/:/bin/bash\n");
    write_file(root / "etc/shadow",
               triad::test::read_file(root / "etc/shadow") + "m:" + hashes[0] + ":99999:0:99999:7:::\nd:" + hashes[1] +
                   ":19700:0:99999:7:::\nb:" + hashes[2] + ":19700:0:99999:7:::\n",
               0640);
    set_line(root / "etc/gshadow", "sugroup:", "sugroup:" + hashes[0] + "::");
    for (const std::string& line : {std::string("root:"), std::string("alice:")}) {
        std::string shadow = triad::test::read_file(root / "etc/shadow");
        std::size_t at = shadow.find("\n" + line) + 1;
        std::string h = shadow.substr(at + line.size(), shadow.find(':', at + line.size()) - at - line.size());
        hashes.push_back(h);
    }

    std::string json;
    auto v = scan(Tree{root.path(), "", ""}, {}, &json);
    CHECK(v["ACCT-STRONG-HASH"] == "fail");
    CHECK(v["ACCT-SHADOWED"] == "fail");
    CHECK(v["GRP-NO-PASSWORD"] == "fail");
    CHECK(json.find("\"md5\"") != std::string::npos);  // the algorithm is the evidence
    for (const std::string& h : hashes) {
        CHECK_MESSAGE(json.find(h) == std::string::npos, "hash found in the JSON report: " << h.substr(0, 3));
        // Not even the salt: the part between the algorithm id and the digest.
        std::size_t last = h.rfind('$');
        if (last != std::string::npos && last > 3) {
            std::string salt = h.substr(h.rfind('$', last - 1) + 1, last - h.rfind('$', last - 1) - 1);
            if (salt.size() >= 8) CHECK_MESSAGE(json.find(salt) == std::string::npos, "salt found in the report");
        }
    }
    CHECK(json.find(triad::test::kFixturePassword) == std::string::npos);
    for (const char* format : {"console", "markdown", "html", "sarif", "csv", "junit"}) {
        auto r = triad::test::run_triad({"scan", "--policy", policy_path(), "--root", root.path(), "--format", format});
        if (r.exit_code == 2) continue;  // a format this build does not have
        for (const std::string& h : hashes) CHECK_MESSAGE(r.out.find(h) == std::string::npos, format << " report holds a hash");
    }
}

// Issue 9, class 1: a check about a mechanism's settings passes only when the mechanism is in
// effect. Each case starts from the hardened root (where the check passes) and takes away
// the mechanism, leaving its configuration files exactly as they were.
TEST_CASE("access-control policy: configured is not active") {
    Base base;
    auto fresh = [&](TempDir& root, TempDir& proc, TempDir& sys) {
        copy_tree(base.root.path(), root.path());
        copy_tree(base.proc.path(), proc.path());
        copy_tree(base.sys.path(), sys.path());
        return Tree{root.path(), proc.path(), sys.path()};
    };

    SUBCASE("AppArmor profiles on disk and loaded, on a kernel whose LSM list lacks AppArmor") {
        TempDir root, proc, sys;
        const Tree t = fresh(root, proc, sys);
        write_file(t.sys + "/kernel/security/lsm", "lockdown,capability,yama,selinux");
        std::string json;
        auto v = scan(t, {"--only", "apparmor"}, &json);
        for (const char* id : {"AA-ENABLED", "AA-PROFILES-ENFORCING", "AA-PROFILES-ENFORCE-OR-COMPLAIN", "AA-UNCONFINED-LISTENERS"})
            CHECK_MESSAGE(v[id] == "fail", id << " is " << v[id]);
        CHECK(v["AA-INSTALLED"] == "pass");
        CHECK(json.find("do not include apparmor") != std::string::npos);
    }
    SUBCASE("no securityfs and no AppArmor module: the machine this was found on") {
        TempDir root, proc, sys;
        const Tree t = fresh(root, proc, sys);
        triad::test::sh("rm -rf '" + t.sys + "/kernel/security' '" + t.sys + "/module/apparmor'");
        std::string json;
        auto v = scan(t, {"--only", "apparmor"}, &json);
        for (const char* id : {"AA-ENABLED", "AA-PROFILES-ENFORCING", "AA-UNCONFINED-LISTENERS"})
            CHECK_MESSAGE(v[id] == "fail", id << " is " << v[id]);
        CHECK(json.find("AppArmor is not in the running kernel") != std::string::npos);
    }
    SUBCASE("SELinux configured to enforce, but not running") {
        TempDir root, proc, sys;
        const Tree t = fresh(root, proc, sys);
        triad::test::sh("rm -rf '" + t.sys + "/fs/selinux'");
        auto v = scan(t, {"--only", "selinux"});
        for (const char* id : {"SELINUX-ENFORCING", "SELINUX-UNCONFINED-LISTENERS"})
            CHECK_MESSAGE(v[id] == expected(id, "fail"), id << " is " << v[id]);
    }
    SUBCASE("pwquality.conf and faillock.conf of modules that no PAM stack runs") {
        TempDir root, proc, sys;
        const Tree t = fresh(root, proc, sys);
        set_line(t.root + "/etc/pam.d/common-password", "password\trequisite\t\t\tpam_pwquality", "");
        write_file(t.root + "/etc/pam.d/common-auth", "auth\t[success=1 default=ignore]\tpam_unix.so\nauth\trequisite\tpam_deny.so\n");
        std::string json;
        auto v = scan(t, {"--only", "pwquality", "--only", "lockout"}, &json);
        for (const char* id : {"PWQ-MINLEN", "PWQ-DIFOK", "PWQ-MAXREPEAT", "PWQ-DICTCHECK", "PWQ-ENFORCING",
                               "PWQ-ENFORCE-FOR-ROOT", "PAM-FAILLOCK-DENY", "PAM-FAILLOCK-UNLOCK"})
            CHECK_MESSAGE(v[id] == "fail", id << " is " << v[id]);
        // The evidence still shows what the settings file says, beside in_stack.
        CHECK(json.find("/etc/security/pwquality.conf:2") != std::string::npos);
        CHECK(json.find("\"in_stack\": \"false\"") != std::string::npos);
    }
    SUBCASE("a stack line whose module is not installed") {
        TempDir root, proc, sys;
        const Tree t = fresh(root, proc, sys);
        std::remove((t.root + "/usr/lib/x86_64-linux-gnu/security/pam_pwquality.so").c_str());
        std::remove((t.root + "/usr/lib/x86_64-linux-gnu/security/pam_faillock.so").c_str());
        auto v = scan(t, {"--only", "pam", "--only", "pwquality"});
        for (const char* id : {"PAM-PWQUALITY", "PWQ-MINLEN", "PAM-FAILLOCK", "PAM-FAILLOCK-DENY"})
            CHECK_MESSAGE(v[id] == "fail", id << " is " << v[id]);
        CHECK(v["PAM-PWHISTORY"] == "pass");
    }
    SUBCASE("an argument on the module's line overrides its settings file") {
        TempDir root, proc, sys;
        const Tree t = fresh(root, proc, sys);
        set_line(t.root + "/etc/pam.d/common-password", "password\trequisite\t\t\tpam_pwquality",
                 "password\trequisite\tpam_pwquality.so retry=3 minlen=8");
        std::string json;
        auto v = scan(t, {"--only", "PWQ-MINLEN", "--only", "PWQ-DIFOK"}, &json);
        CHECK(v["PWQ-MINLEN"] == "fail");
        CHECK(v["PWQ-DIFOK"] == "pass");
        CHECK(json.find("argument at /etc/pam.d/common-password:1") != std::string::npos);
    }
}
