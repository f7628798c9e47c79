// SPDX-License-Identifier: Apache-2.0
// openssl_policy on fixture roots: the system_default section reached from openssl_conf,
// settings split over .include files and directories, and includes that must not be
// followed (outside the root, relative without includedir, nesting without end).
#include "scanner/collectors/crypto/openssl_policy.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "tests/scanner/collect_root.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

const auto& F = kOpensslPolicyCollector.fields;

FactSet collect(const std::string& dir) { return triad::test::collect_root(kOpensslPolicyCollector, dir); }

const char* kHead =
    "HOME = .\n"
    "openssl_conf = openssl_init\n"
    "[openssl_init]\n"
    "providers = provider_sect\n"
    "ssl_conf = ssl_sect\n"
    "[provider_sect]\n"
    "default = default_sect\n"
    "[default_sect]\n"
    "activate = 1\n"
    "[ssl_sect]\n"
    "system_default = system_default_sect\n";

}  // namespace

TEST_CASE("openssl_policy: MinProtocol and CipherString of system_default, through includes") {
    TempDir dir;
    write_file(dir / "etc/ssl/openssl.cnf", std::string(kHead) + ".include /etc/ssl/openssl.cnf.d\n");
    write_file(dir / "etc/ssl/openssl.cnf.d/10-tls.cnf",
               "[system_default_sect]\nMinProtocol = TLSv1.2\nCipherString = DEFAULT:@SECLEVEL=2\n");
    write_file(dir / "etc/ssl/openssl.cnf.d/README", "not a .cnf file: left out\n[system_default_sect]\nMinProtocol = SSLv3\n");
    triad::test::make_dirs(dir / "usr/lib/ssl");
    REQUIRE(::symlink("/etc/ssl/openssl.cnf", (dir / "usr/lib/ssl/openssl.cnf").c_str()) == 0);
    const FactSet facts = collect(dir.path());
    REQUIRE(facts.size() == 1);
    INFO(facts[0].reason);
    REQUIRE(facts[0].status == FactStatus::ok);
    CHECK(field_text(facts[0], F, "config_file") == "/usr/lib/ssl/openssl.cnf");
    CHECK(field_text(facts[0], F, "files") == "/usr/lib/ssl/openssl.cnf, /etc/ssl/openssl.cnf.d/10-tls.cnf");
    CHECK(field_text(facts[0], F, "system_default") == "true");
    CHECK(field_text(facts[0], F, "min_protocol") == "TLSv1.2");
    CHECK(field_text(facts[0], F, "min_protocol_version") == "12");
    CHECK(field_text(facts[0], F, "cipher_string") == "DEFAULT:@SECLEVEL=2");
    CHECK(field_text(facts[0], F, "security_level") == "2");
    CHECK(field_text(facts[0], F, "ciphersuites") == "(absent)");
}

TEST_CASE("openssl_policy: no system_default section leaves the settings absent") {
    TempDir dir;
    write_file(dir / "etc/ssl/openssl.cnf", "openssl_conf = openssl_init\n[openssl_init]\n");
    const FactSet facts = collect(dir.path());
    REQUIRE(facts.size() == 1);
    REQUIRE(facts[0].status == FactStatus::ok);
    CHECK(field_text(facts[0], F, "system_default") == "false");
    CHECK(field_text(facts[0], F, "min_protocol") == "(absent)");
}

TEST_CASE("openssl_policy: includes that cannot be followed are errors naming the file") {
    TempDir outside;
    write_file(outside / "evil.cnf", "[system_default_sect]\nMinProtocol = TLSv1.3\n");
    struct Case {
        const char* include;
        const char* why;
    };
    for (const Case& c : {Case{".include /etc/ssl/missing.cnf\n", "missing"},
                          Case{".include relative.cnf\n", "relative"},
                          Case{".include = /etc/ssl/openssl.cnf\n", "itself"}}) {
        TempDir dir;
        write_file(dir / "etc/ssl/openssl.cnf", std::string(kHead) + c.include);
        REQUIRE(::symlink((outside.path() + "/evil.cnf").c_str(), (dir / "etc/ssl/link.cnf").c_str()) == 0);
        const FactSet facts = collect(dir.path());
        REQUIRE(facts.size() == 1);
        INFO(std::string(c.why) << ": " << facts[0].reason);
        CHECK(facts[0].status == FactStatus::error);
        CHECK(facts[0].reason.find("openssl.cnf") != std::string::npos);
    }
    // A link out of the audited root is read inside it (absolute links resolve in the root),
    // where the target does not exist: an error, never the scanning host's file.
    TempDir dir;
    write_file(dir / "etc/ssl/openssl.cnf", std::string(kHead) + ".include /etc/ssl/link.cnf\n");
    REQUIRE(::symlink((outside.path() + "/evil.cnf").c_str(), (dir / "etc/ssl/link.cnf").c_str()) == 0);
    const FactSet facts = collect(dir.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
}

TEST_CASE("openssl_policy: this machine's openssl.cnf parses, and no openssl.cnf is not_applicable") {
    const FactSet host = collect("/");
    REQUIRE(host.size() == 1);
    INFO(host[0].reason);
    CHECK(host[0].status != FactStatus::error);
    TempDir bare;
    const FactSet facts = collect(bare.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);
}
