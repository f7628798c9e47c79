// SPDX-License-Identifier: Apache-2.0
// tls_certificates on certificates made here with the openssl tool (RSA-1024 expiring soon,
// P-256, a CA, a chain, garbage), cross-checked with `openssl x509` of the same files.
#include "scanner/collectors/crypto/tls_certificates.h"

#include <doctest/doctest.h>

#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::sh;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

const auto& F = kTlsCertificatesCollector.fields;

// What `openssl x509` says of a file: "NOTAFTER_ISO BITS".
std::string openssl_view(const std::string& file) {
    auto r = sh("end=$(openssl x509 -in '" + file + "' -noout -enddate | cut -d= -f2) && "
                "date -u -d \"$end\" +%Y-%m-%dT%H:%M:%SZ | tr -d '\\n' && printf ' ' && "
                "openssl x509 -in '" + file + "' -noout -text | sed -n 's/.*Public-Key: (\\([0-9]*\\) bit).*/\\1/p'");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out.substr(0, r.out.find('\n'));
}

}  // namespace

TEST_CASE("tls_certificates: expiry, key size and CA flag agree with openssl x509") {
    if (sh("command -v openssl >/dev/null").exit_code != 0) {
        MESSAGE("openssl is not installed: skipped");
        return;
    }
    TempDir dir;
    const std::string certs = dir / "etc/ssl/certs";
    triad::test::make_dirs(certs);
    write_file(dir / "req.cnf", "[req]\ndistinguished_name = dn\n[dn]\n");
    const std::string req = "openssl req -config '" + dir / "req.cnf" + "' -x509 -nodes -keyout /dev/null -sha256 ";
    auto r = sh("cd '" + certs + "' && " + req +
                "-newkey rsa:1024 -subj /CN=weak.example -days 10 -addext basicConstraints=CA:FALSE -out weak.pem 2>/dev/null && " +
                req + "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj /CN=ec.example -days 400 "
                "-addext basicConstraints=CA:FALSE -out ec.pem 2>/dev/null && " +
                req + "-newkey rsa:2048 -subj /CN=Test-CA -days 3650 -addext basicConstraints=critical,CA:TRUE -out ca.pem 2>/dev/null && "
                "cat ec.pem ca.pem > chain.pem && printf 'not a certificate\\n' > junk.pem");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);

    auto root = Sysroot::open(dir.path()).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["paths"] = StringList{"/etc/ssl/certs/*.pem", "/etc/letsencrypt/live/*/cert.pem"};
    const FactSet facts = kTlsCertificatesCollector.collect(CollectContext{root, ids}, args);
    REQUIRE(facts.size() == 6);  // five files and the pattern that matches nothing

    for (const char* name : {"weak.pem", "ec.pem", "ca.pem", "chain.pem"}) {
        const Fact* f = find_object(facts, std::string("/etc/ssl/certs/") + name);
        REQUIRE_MESSAGE(f, name);
        INFO(name << ": " << f->reason);
        REQUIRE(f->status == FactStatus::ok);
        CHECK(field_text(*f, F, "not_after") + " " + field_text(*f, F, "key_bits") == openssl_view(certs + "/" + name));
    }
    const Fact* weak = find_object(facts, "/etc/ssl/certs/weak.pem");
    CHECK(field_text(*weak, F, "key_type") == "rsa");
    CHECK(field_text(*weak, F, "key_bits") == "1024");
    const std::string days = field_text(*weak, F, "days_left");
    CHECK((days == "9" || days == "10"));  // ten days from its creation, seconds ago
    CHECK(field_text(*weak, F, "ca") == "false");
    CHECK(field_text(*weak, F, "self_signed") == "true");
    CHECK(field_text(*weak, F, "subject") == "CN = weak.example");
    const Fact* ec = find_object(facts, "/etc/ssl/certs/ec.pem");
    CHECK(field_text(*ec, F, "key_type") == "ec");
    CHECK(field_text(*ec, F, "key_bits") == "256");
    CHECK(field_text(*find_object(facts, "/etc/ssl/certs/ca.pem"), F, "ca") == "true");
    const Fact* chain = find_object(facts, "/etc/ssl/certs/chain.pem");
    CHECK(field_text(*chain, F, "certificates") == "2");
    CHECK(field_text(*chain, F, "subject") == "CN = ec.example");  // the leaf, first in the file
    const Fact* junk = find_object(facts, "/etc/ssl/certs/junk.pem");
    CHECK(junk->status == FactStatus::error);
    const Fact* none = find_object(facts, "/etc/letsencrypt/live/*/cert.pem");
    REQUIRE(none);
    CHECK(none->status == FactStatus::absent);
}
