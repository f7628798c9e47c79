// SPDX-License-Identifier: Apache-2.0
// The `kconfig` collector: .config syntax, gzip through zlib (a stream compressed by gzip(1)
// at test time, a corrupt one, a decompression bomb), the choice of configuration (the
// running kernel's /proc/config.gz, else /boot/config-RELEASE; offline the newest
// /boot/config-*), and on this machine every option agrees with `zcat /proc/config.gz`.
#include "scanner/collectors/kernel/kconfig.h"

#include <doctest/doctest.h>

#include <map>

#include "scanner/collectors/kernel/kconfig_internal.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using namespace triad::scanner::kconfig_internal;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// The shape of Debian 12's config-6.1.0-*-amd64 for the options the policy judges: hardening
// that Debian enables, and what it leaves out (no forced lockdown or module signature
// enforcement, KEXEC and DEVMEM present, slab merging on).
std::string debian_like_config() {
    return "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.0 Kernel Configuration\n#\n"
           "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n"
           "CONFIG_STACKPROTECTOR=y\nCONFIG_STACKPROTECTOR_STRONG=y\nCONFIG_STRICT_KERNEL_RWX=y\n"
           "CONFIG_RANDOMIZE_BASE=y\nCONFIG_VMAP_STACK=y\nCONFIG_HARDENED_USERCOPY=y\n"
           "# CONFIG_HARDENED_USERCOPY_FALLBACK is not set\nCONFIG_FORTIFY_SOURCE=y\n"
           "CONFIG_SLAB_FREELIST_RANDOM=y\nCONFIG_SLAB_FREELIST_HARDENED=y\nCONFIG_SLAB_MERGE_DEFAULT=y\n"
           "CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_ALL=y\n# CONFIG_MODULE_SIG_FORCE is not set\n"
           "CONFIG_SECURITY_YAMA=y\nCONFIG_SECURITY_LOCKDOWN_LSM=y\nCONFIG_LOCK_DOWN_KERNEL_FORCE_NONE=y\n"
           "CONFIG_LSM=\"landlock,lockdown,yama,loadpin,safesetid,integrity,apparmor,selinux,smack,tomoyo,bpf\"\n"
           "CONFIG_KEXEC=y\nCONFIG_DEVMEM=y\nCONFIG_DEFAULT_MMAP_MIN_ADDR=65536\nCONFIG_MODULES=y\n";
}

// What KSPP asks for where Debian differs.
std::string hardened_config() {
    return "CONFIG_STACKPROTECTOR_STRONG=y\n# CONFIG_SLAB_MERGE_DEFAULT is not set\nCONFIG_MODULE_SIG_FORCE=y\n"
           "CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY=y\n# CONFIG_KEXEC is not set\n# CONFIG_DEVMEM is not set\n"
           "CONFIG_LSM=\"lockdown,yama,landlock\"\n";
}

FactSet collect(const std::string& root_dir, const std::vector<std::string>& options, const Sysroot* proc = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values.emplace("option", StringList(options));
    return kKconfigCollector.collect(CollectContext{root, ids, proc, nullptr}, args);
}

std::string gzip(const std::string& dir, const std::string& text) {
    write_file(dir + "/plain", text);
    auto r = triad::test::sh("gzip -9 -n -c " + dir + "/plain > " + dir + "/plain.gz");
    REQUIRE(r.exit_code == 0);
    return triad::test::read_file(dir + "/plain.gz");
}

}  // namespace

TEST_CASE("kconfig: .config syntax") {
    auto m = parse_kconfig(debian_like_config());
    CHECK(m.at("CONFIG_STACKPROTECTOR_STRONG") == "y");
    CHECK(m.at("CONFIG_HARDENED_USERCOPY_FALLBACK") == "n");
    CHECK(m.at("CONFIG_DEFAULT_MMAP_MIN_ADDR") == "65536");
    CHECK(m.at("CONFIG_LSM").starts_with("landlock,lockdown"));  // unquoted
    CHECK(m.count("CONFIG_CC_VERSION_TEXT") == 1);
    CHECK(m.count("CONFIG_INIT_ON_ALLOC_DEFAULT_ON") == 0);
}

TEST_CASE("kconfig: gzip through zlib, with corrupt and oversized streams refused") {
    TempDir dir;
    const std::string gz = gzip(dir.path(), debian_like_config());
    auto text = gunzip(gz, 1 << 20);
    REQUIRE(text.has_value());
    CHECK(*text == debian_like_config());
    // Truncated, or not gzip at all.
    CHECK_FALSE(gunzip(gz.substr(0, gz.size() / 2), 1 << 20).has_value());
    CHECK_FALSE(gunzip("CONFIG_X=y\n", 1 << 20).has_value());
    // A bomb: 8 MiB of zeros compress to a few KiB; the bound stops it.
    const std::string big = gzip(dir.path(), std::string(8 * 1024 * 1024, '\0'));
    CHECK(big.size() < 64 * 1024);
    auto bomb = gunzip(big, 1 << 20);
    REQUIRE_FALSE(bomb.has_value());
    CHECK(bomb.error().message.find("more than") != std::string::npos);
}

TEST_CASE("kconfig: an offline root is judged by its newest /boot/config-*") {
    TempDir root;
    write_file(root / "boot/config-6.1.0-9-amd64", hardened_config());          // older
    write_file(root / "boot/config-6.1.0-18-amd64", debian_like_config());      // newest: 18 > 9 as dpkg orders
    write_file(root / "boot/vmlinuz-6.1.0-18-amd64", "");
    FactSet f = collect(root.path(), {"MODULE_SIG_FORCE", "CONFIG_STACKPROTECTOR_STRONG", "INIT_ON_ALLOC_DEFAULT_ON", "LSM"});
    REQUIRE(f.size() == 4);
    CHECK(f[0].object == "CONFIG_MODULE_SIG_FORCE");
    CHECK(field_text(f[0], kKconfigCollector.fields, "value") == "n");
    CHECK(field_text(f[0], kKconfigCollector.fields, "listed") == "true");
    CHECK(field_text(f[0], kKconfigCollector.fields, "file") == "/boot/config-6.1.0-18-amd64");
    CHECK(field_text(f[0], kKconfigCollector.fields, "release") == "6.1.0-18-amd64");
    CHECK(field_text(f[1], kKconfigCollector.fields, "enabled") == "true");
    // Not in the file at all: n, as the build treats it, and not listed.
    CHECK(field_text(f[2], kKconfigCollector.fields, "value") == "n");
    CHECK(field_text(f[2], kKconfigCollector.fields, "listed") == "false");
    CHECK(field_text(f[3], kKconfigCollector.fields, "value").find("lockdown,yama") != std::string::npos);
}

TEST_CASE("kconfig: no kernel configuration; an unreadable one") {
    TempDir bare;
    FactSet f = collect(bare.path(), {"MODULES"});
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::not_applicable);

    TempDir odd;
    triad::test::make_dirs(odd / "boot/config-6.1.0-1-amd64");  // a directory where the file should be
    f = collect(odd.path(), {"MODULES"});
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::error);
    CHECK(f[0].reason.find("/boot/config-6.1.0-1-amd64") != std::string::npos);
}

TEST_CASE("kconfig: the running kernel's /proc/config.gz wins over /boot; without it /boot/config-RELEASE") {
    TempDir root, proc;
    write_file(root / "boot/config-6.1.0-18-amd64", debian_like_config());
    write_file(proc / "sys/kernel/osrelease", "6.1.0-18-amd64\n");
    auto proc_root = Sysroot::open(proc.path()).value();
    FactSet f = collect(root.path(), {"DEVMEM"}, &proc_root);
    REQUIRE(f.size() == 1);
    CHECK(field_text(f[0], kKconfigCollector.fields, "value") == "y");
    CHECK(field_text(f[0], kKconfigCollector.fields, "file") == "/boot/config-6.1.0-18-amd64");

    write_file(proc / "config.gz", gzip(proc.path(), hardened_config()));
    f = collect(root.path(), {"DEVMEM"}, &proc_root);
    CHECK(field_text(f[0], kKconfigCollector.fields, "value") == "n");
    CHECK(field_text(f[0], kKconfigCollector.fields, "file") == "/proc/config.gz");

    // A running kernel whose configuration is nowhere: an error, not a silent pass.
    TempDir proc2;
    write_file(proc2 / "sys/kernel/osrelease", "6.9.9-test\n");
    auto proc2_root = Sysroot::open(proc2.path()).value();
    f = collect(root.path(), {"DEVMEM"}, &proc2_root);
    CHECK(f[0].status == FactStatus::error);
    CHECK(f[0].reason.find("6.9.9-test") != std::string::npos);
}

TEST_CASE("kconfig on this machine agrees with zcat /proc/config.gz") {
    auto host_proc = Sysroot::open("/proc");
    REQUIRE(host_proc.has_value());
    auto z = triad::test::sh("zcat /proc/config.gz");
    if (z.exit_code != 0) {
        MESSAGE("skipped: this kernel has no /proc/config.gz to compare with (" << z.err << ")");
        return;
    }
    const auto expected = parse_kconfig(z.out);  // zcat's text, split by the same syntax rules
    std::vector<std::string> names;
    for (const auto& [name, value] : expected) names.push_back(name);
    REQUIRE(names.size() > 500);
    FactSet f = collect("/", names, &*host_proc);
    REQUIRE(f.size() == names.size());
    std::size_t compared = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        CAPTURE(names[i]);
        REQUIRE(f[i].status == FactStatus::ok);
        CHECK(field_text(f[i], kKconfigCollector.fields, "value") == expected.at(names[i]));
        CHECK(field_text(f[i], kKconfigCollector.fields, "file") == "/proc/config.gz");
        ++compared;
    }
    // And grep's count of "=y" lines matches the collector's count of y values.
    auto y = triad::test::sh("zcat /proc/config.gz | grep -c '^CONFIG_[A-Za-z0-9_]*=y$'");
    std::size_t ys = 0;
    for (const Fact& fact : f) ys += field_text(fact, kKconfigCollector.fields, "value") == "y";
    CHECK(std::to_string(ys) + "\n" == y.out);
    auto unset = triad::test::sh("zcat /proc/config.gz | grep -c '^# CONFIG_[A-Za-z0-9_]* is not set$'");
    std::size_t ns = 0;
    for (const Fact& fact : f) ns += field_text(fact, kKconfigCollector.fields, "value") == "n";
    CHECK(std::to_string(ns) + "\n" == unset.out);
    CHECK(compared == names.size());
}

TEST_CASE("kconfig: a scan's memo reads the file once, and a rewritten file again") {
    TempDir root;
    write_file(root / "boot/config-6.1.0-18-amd64", debian_like_config());
    auto r = Sysroot::open(root.path()).value();
    const IdentityTable ids = IdentityTable::load(r);
    ScanMemo memo;
    const CollectContext ctx{r, ids, nullptr, nullptr, nullptr, nullptr, &memo};
    SelectArgs args;
    args.values.emplace("option", StringList{"KEXEC"});
    CHECK(field_text(kKconfigCollector.collect(ctx, args)[0], kKconfigCollector.fields, "value") == "y");
    // A daemon keeps the memo across scans: the rewritten file (a kernel update) is read anew.
    write_file(root / "boot/config-6.1.0-18-amd64", hardened_config());
    CHECK(field_text(kKconfigCollector.collect(ctx, args)[0], kKconfigCollector.fields, "value") == "n");
}
