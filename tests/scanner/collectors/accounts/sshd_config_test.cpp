// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/accounts/sshd_config.h"

#include <doctest/doctest.h>

#include <map>

#include "scanner/collectors/accounts/sshd_config_internal.h"
#include "tests/scanner/access_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet sshd_of(const std::string& dir, SelectArgs args = {}) {
    auto root = Sysroot::open(dir).value();
    IdentityTable ids = IdentityTable::load(root);
    return collect_sshd(CollectContext{root, ids}, args);
}

// `sshd -T` output as keyword -> value.
std::map<std::string, std::string> parse_dump(const std::string& out) {
    std::map<std::string, std::string> m;
    std::size_t pos = 0;
    while (pos < out.size()) {
        std::size_t nl = out.find('\n', pos);
        std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? out.size() : nl + 1;
        std::size_t sp = line.find(' ');
        if (sp != std::string::npos) m[line.substr(0, sp)] = line.substr(sp + 1);
    }
    return m;
}

std::string yn(const std::string& b) { return b == "true" ? "yes" : b == "false" ? "no" : b; }

// Our global fact against sshd's own dump, for the settings both report.
void check_against_sshd(const Fact& f, const std::map<std::string, std::string>& dump) {
    auto at = [&](const char* k) {
        auto it = dump.find(k);
        return it == dump.end() ? std::string("(missing)") : it->second;
    };
    std::string prl = at("permitrootlogin");
    if (prl == "without-password") prl = "prohibit-password";
    CHECK(field_text(f, sshd_fields(), "permit_root_login") == prl);
    CHECK(yn(field_text(f, sshd_fields(), "password_authentication")) == at("passwordauthentication"));
    CHECK(yn(field_text(f, sshd_fields(), "permit_empty_passwords")) == at("permitemptypasswords"));
    CHECK(yn(field_text(f, sshd_fields(), "x11_forwarding")) == at("x11forwarding"));
    CHECK(field_text(f, sshd_fields(), "max_auth_tries") == at("maxauthtries"));
    CHECK(field_text(f, sshd_fields(), "login_grace_time") == at("logingracetime"));
    CHECK(field_text(f, sshd_fields(), "client_alive_interval") == at("clientaliveinterval"));
    CHECK(field_text(f, sshd_fields(), "client_alive_count_max") == at("clientalivecountmax"));
    CHECK(field_text(f, sshd_fields(), "max_sessions") == at("maxsessions"));
    CHECK(field_text(f, sshd_fields(), "max_startups") == at("maxstartups"));
    CHECK(field_text(f, sshd_fields(), "log_level") == at("loglevel"));
    CHECK(yn(field_text(f, sshd_fields(), "hostbased_authentication")) == at("hostbasedauthentication"));
    CHECK(field_text(f, sshd_fields(), "ignore_rhosts") == at("ignorerhosts"));
    CHECK(field_text(f, sshd_fields(), "permit_user_environment") == at("permituserenvironment"));
    CHECK(yn(field_text(f, sshd_fields(), "use_pam")) == at("usepam"));
    CHECK(yn(field_text(f, sshd_fields(), "kbd_interactive_authentication")) == at("kbdinteractiveauthentication"));
    CHECK(yn(field_text(f, sshd_fields(), "pubkey_authentication")) == at("pubkeyauthentication"));
    CHECK(field_text(f, sshd_fields(), "allow_tcp_forwarding") == at("allowtcpforwarding"));
    CHECK(yn(field_text(f, sshd_fields(), "gssapi_authentication")) == at("gssapiauthentication"));
    CHECK(yn(field_text(f, sshd_fields(), "disable_forwarding")) == at("disableforwarding"));
    CHECK(field_text(f, sshd_fields(), "banner") == at("banner"));
    auto commas = [](std::string s) {
        for (std::size_t i = 0; (i = s.find(", ", i)) != std::string::npos;) s.replace(i, 2, ",");
        return s;
    };
    CHECK(commas(field_text(f, sshd_fields(), "ciphers")) == at("ciphers"));
    CHECK(commas(field_text(f, sshd_fields(), "macs")) == at("macs"));
    CHECK(commas(field_text(f, sshd_fields(), "kex_algorithms")) == at("kexalgorithms"));
    CHECK(commas(field_text(f, sshd_fields(), "host_key_algorithms")) == at("hostkeyalgorithms"));
}

}  // namespace

TEST_CASE("sshd configuration words, times and algorithm lists") {
    CHECK(split_sshd_words("  PermitRootLogin   no  # trailing") == std::vector<std::string>{"PermitRootLogin", "no"});
    CHECK(split_sshd_words("Banner=/etc/issue") == std::vector<std::string>{"Banner", "/etc/issue"});
    CHECK(split_sshd_words("Banner = /etc/issue") == std::vector<std::string>{"Banner", "/etc/issue"});
    CHECK(split_sshd_words("AllowUsers \"a b\" c") == std::vector<std::string>{"AllowUsers", "a b", "c"});
    CHECK(split_sshd_words("# comment").empty());
    CHECK(parse_sshd_time("90") == 90);
    CHECK(parse_sshd_time("2m") == 120);
    CHECK(parse_sshd_time("1h30m") == 5400);
    CHECK_FALSE(parse_sshd_time("1x").has_value());
    CHECK_FALSE(parse_sshd_time("").has_value());
    const std::vector<std::string> d{"a-ctr", "b-gcm", "c-cbc"};
    CHECK(apply_algorithm_list(d, "+d-cbc") == std::vector<std::string>{"a-ctr", "b-gcm", "c-cbc", "d-cbc"});
    CHECK(apply_algorithm_list(d, "-*-cbc") == std::vector<std::string>{"a-ctr", "b-gcm"});
    CHECK(apply_algorithm_list(d, "^c-cbc") == std::vector<std::string>{"c-cbc", "a-ctr", "b-gcm"});
    CHECK(apply_algorithm_list(d, "x,y") == std::vector<std::string>{"x", "y"});
}

TEST_CASE("without sshd_config there is no sshd to judge") {
    TempDir dir;
    triad::test::make_dirs(dir / "etc/ssh");
    FactSet facts = sshd_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
}

TEST_CASE("built-in defaults are what Debian 12's sshd reports for an empty file") {
    TempDir dir;
    write_file(dir / "etc/ssh/sshd_config", "# nothing set\n");
    FactSet facts = sshd_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(field_text(facts[0], sshd_fields(), "permit_root_login") == "prohibit-password");
    CHECK(field_text(facts[0], sshd_fields(), "password_authentication") == "true");
    CHECK(field_text(facts[0], sshd_fields(), "x11_forwarding") == "false");
    CHECK(field_text(facts[0], sshd_fields(), "max_auth_tries") == "6");
    if (!triad::test::have_sshd()) {
        MESSAGE("skipping the comparison with sshd -T: openssh-server or unshare is not installed");
        return;
    }
    auto run = triad::test::run_sshd_check(dir.path(), /*dump=*/true);
    REQUIRE_MESSAGE(run.exit_code == 0, run.out);
    check_against_sshd(facts[0], parse_dump(run.out));
}

TEST_CASE("Include globs, first value wins, Match blocks, as sshd reads them") {
    TempDir dir;
    triad::test::build_access_root(dir.path(), false);
    // A drop-in read first (Include is the first line) overrides the main file's value; a
    // Match block re-enables root login for one user.
    write_file(dir / "etc/ssh/sshd_config.d/00-override.conf", "PasswordAuthentication yes\nmaxauthtries 3\n");
    write_file(dir / "etc/ssh/sshd_config.d/ignored.txt", "PermitRootLogin yes\n");
    std::string main = triad::test::read_file(dir / "etc/ssh/sshd_config");
    write_file(dir / "etc/ssh/sshd_config",
               main + "PasswordAuthentication no\nMatch User bob\n  PermitRootLogin yes\n  X11Forwarding yes\n"
                      "Match Address 10.0.0.0/8\n  Include match.d/*.conf\n");
    write_file(dir / "etc/ssh/match.d/a.conf", "MaxAuthTries 2\n");

    SelectArgs args;
    args.values["key"] = std::string("Subsystem");
    FactSet facts = sshd_of(dir.path(), args);
    REQUIRE(facts.size() == 3);
    const Fact& global = facts[0];
    CHECK(global.object == "sshd");
    CHECK(field_text(global, sshd_fields(), "match") == "(absent)");
    CHECK(field_text(global, sshd_fields(), "password_authentication") == "true");
    CHECK(field_text(global, sshd_fields(), "max_auth_tries") == "3");
    CHECK(field_text(global, sshd_fields(), "log_level") == "VERBOSE");
    CHECK(field_text(global, sshd_fields(), "login_grace_time") == "60");
    CHECK(field_text(global, sshd_fields(), "allow_groups") == "sshusers");
    CHECK(field_text(global, sshd_fields(), "value") == "sftp /usr/lib/openssh/sftp-server");
    CHECK(field_text(global, sshd_fields(), "files").find("00-override.conf") != std::string::npos);
    CHECK(field_text(global, sshd_fields(), "files").find("ignored.txt") == std::string::npos);

    const Fact& bob = facts[1];
    CHECK(field_text(bob, sshd_fields(), "match") == "User bob");
    CHECK(field_text(bob, sshd_fields(), "permit_root_login") == "yes");
    CHECK(field_text(bob, sshd_fields(), "x11_forwarding") == "true");
    CHECK(field_text(bob, sshd_fields(), "max_auth_tries") == "3");  // from the global settings
    const Fact& net = facts[2];
    CHECK(field_text(net, sshd_fields(), "match") == "Address 10.0.0.0/8");
    CHECK(field_text(net, sshd_fields(), "max_auth_tries") == "2");  // the Include inside the Match belongs to it

    if (!triad::test::have_sshd()) {
        MESSAGE("skipping the comparison with sshd -T: openssh-server or unshare is not installed");
        return;
    }
    auto valid = triad::test::run_sshd_check(dir.path(), false);
    CHECK_MESSAGE(valid.exit_code == 0, valid.out);
    auto dump = triad::test::run_sshd_check(dir.path(), true);
    REQUIRE_MESSAGE(dump.exit_code == 0, dump.out);
    check_against_sshd(global, parse_dump(dump.out));
    auto as_bob = triad::test::run_sshd_check(dir.path(), true, "user=bob,host=h,addr=192.0.2.1");
    REQUIRE_MESSAGE(as_bob.exit_code == 0, as_bob.out);
    check_against_sshd(bob, parse_dump(as_bob.out));
    auto from_net = triad::test::run_sshd_check(dir.path(), true, "user=carol,host=h,addr=10.1.2.3");
    REQUIRE_MESSAGE(from_net.exit_code == 0, from_net.out);
    check_against_sshd(net, parse_dump(from_net.out));
}

TEST_CASE("bad values and include loops are errors naming the file") {
    TempDir dir;
    write_file(dir / "etc/ssh/sshd_config", "MaxAuthTries lots\n");
    FactSet facts = sshd_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("/etc/ssh/sshd_config:1") != std::string::npos);

    write_file(dir / "etc/ssh/sshd_config", "Include sshd_config\n");
    facts = sshd_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("nested") != std::string::npos);
}

TEST_CASE("a hostile tree of includes that fan out is cut off, not followed exponentially") {
    TempDir dir;
    write_file(dir / "etc/ssh/sshd_config", "Include d/*\n");
    for (int i = 0; i < 10; ++i) write_file(dir / ("etc/ssh/d/f" + std::to_string(i)), "Include d/*\nMaxSessions 3\n");
    FactSet facts = sshd_of(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("nested") != std::string::npos);

    // Shallow but wide: 300 drop-ins exceed the budget of files read.
    TempDir wide;
    write_file(wide / "etc/ssh/sshd_config", "Include d/*\n");
    for (int i = 0; i < 300; ++i) write_file(wide / ("etc/ssh/d/f" + std::to_string(i)), "MaxSessions 3\n");
    facts = sshd_of(wide.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("the include budget of 256 files") != std::string::npos);
}

TEST_CASE("malformed sshd lines and huge times do not crash the reader") {
    CHECK_FALSE(parse_sshd_time(std::string(200000, '9') + "w").has_value());
    std::string many;
    for (int i = 0; i < 100000; ++i) many += "99999999w";
    CHECK_FALSE(parse_sshd_time(many).has_value());
    CHECK(split_sshd_words("=").empty());
    CHECK(split_sshd_words("\"unterminated").size() == 1);
    TempDir dir;
    write_file(dir / "etc/ssh/sshd_config", "Ciphers\nInclude\n=\nAllowUsers\nMatch\n");
    FactSet facts = sshd_of(dir.path());
    REQUIRE(!facts.empty());
    CHECK(facts[0].status == FactStatus::error);  // Ciphers without a value, as sshd -t would say
}

TEST_CASE("an Include with an empty or no argument is an error naming the line, as sshd refuses it") {
    struct Case {
        std::string config;
        std::string reason;
    } cases[] = {
        {"Include \"\"\n", "/etc/ssh/sshd_config:1: Include with an empty argument"},
        {"PermitRootLogin no\nInclude \"\" sshd_config.d/*.conf\n", "/etc/ssh/sshd_config:2: Include with an empty argument"},
        {"Include\n", "/etc/ssh/sshd_config:1: Include without an argument"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.config);
        TempDir dir;
        write_file(dir / "etc/ssh/sshd_config", c.config);
        write_file(dir / "etc/ssh/sshd_config.d/a.conf", "PermitRootLogin yes\n");
        FactSet facts = sshd_of(dir.path());
        REQUIRE(facts.size() == 1);
        CHECK(facts[0].status == FactStatus::error);
        CHECK_MESSAGE(facts[0].reason.find(c.reason) == 0, facts[0].reason);
        if (!triad::test::have_sshd()) continue;
        auto run = triad::test::run_sshd_check(dir.path(), false);
        CHECK_MESSAGE(run.exit_code != 0, run.out);  // sshd -t: "keyword Include empty argument"
    }
}
