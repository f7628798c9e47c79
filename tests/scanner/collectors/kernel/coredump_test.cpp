// SPDX-License-Identifier: Apache-2.0
// The `coredump` collector: limits.conf and limits.d in pam_limits' order, systemd-coredump's
// defaults and drop-ins, and an unreadable file.
#include "scanner/collectors/kernel/coredump.h"

#include <doctest/doctest.h>

#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

Fact collect(const std::string& root_dir) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    FactSet f = kCoredumpCollector.collect(CollectContext{root, ids}, SelectArgs{});
    REQUIRE(f.size() == 1);
    return f[0];
}

std::string field(const Fact& f, const char* name) { return field_text(f, kCoredumpCollector.fields, name); }

}  // namespace

TEST_CASE("limits syntax: the last * hard core line") {
    CHECK(wildcard_hard_core("*   hard   core   0\n")->value == "0");
    CHECK(wildcard_hard_core("* - core unlimited\n*\thard\tcore\t0 # cis\n")->value == "0");
    CHECK_FALSE(wildcard_hard_core("* soft core 0\n@staff hard core 0\n#* hard core 0\n").has_value());
}

TEST_CASE("coredump: limits.d after limits.conf; systemd-coredump defaults and drop-ins") {
    TempDir root;
    write_file(root / "etc/security/limits.conf", "#<domain> <type> <item> <value>\n* hard core 0\n");
    write_file(root / "etc/security/limits.d/90-dev.conf", "* hard core unlimited\n");
    write_file(root / "usr/lib/systemd/systemd-coredump", "", 0755);
    write_file(root / "etc/systemd/coredump.conf", "[Coredump]\n#Storage=external\nProcessSizeMax=0\n");
    Fact f = collect(root.path());
    CHECK(field(f, "limit_set") == "true");
    CHECK(field(f, "hard_core_limit") == "unlimited");
    CHECK(field(f, "limit_file") == "/etc/security/limits.d/90-dev.conf");
    CHECK(field(f, "systemd_coredump") == "true");
    CHECK(field(f, "storage") == "external");  // the default
    CHECK(field(f, "storage_file") == "(absent)");
    CHECK(field(f, "process_size_max") == "0");

    write_file(root / "etc/systemd/coredump.conf.d/50-cis.conf", "[Coredump]\nStorage=none\n");
    write_file(root / "usr/lib/systemd/coredump.conf.d/10-vendor.conf", "[Coredump]\nStorage=journal\nProcessSizeMax=2G\n");
    f = collect(root.path());
    CHECK(field(f, "storage") == "none");  // 50-cis.conf comes after 10-vendor.conf
    CHECK(field(f, "storage_file") == "/etc/systemd/coredump.conf.d/50-cis.conf");
    CHECK(field(f, "process_size_max") == "2G");
    CHECK(field(f, "process_size_max_file") == "/usr/lib/systemd/coredump.conf.d/10-vendor.conf");
}

TEST_CASE("coredump: nothing configured; an unreadable limits file") {
    TempDir bare;
    Fact f = collect(bare.path());
    CHECK(f.status == FactStatus::ok);
    CHECK(field(f, "limit_set") == "false");
    CHECK(field(f, "systemd_coredump") == "false");

    TempDir odd;
    triad::test::make_dirs(odd / "etc/security/limits.d/broken.conf");
    f = collect(odd.path());
    CHECK(f.status == FactStatus::error);
    CHECK(f.reason.find("broken.conf") != std::string::npos);
}
