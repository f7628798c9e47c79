// SPDX-License-Identifier: Apache-2.0
// The `kernel_modules` collector: modprobe.d as kmod reads it (directory priority, masking,
// name order, the first install line winning, '-' and '_' alike, continued lines, globs),
// what counts as disabled, and /proc/modules — including a kernel without module support.
#include "scanner/collectors/kernel/kernel_modules.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "scanner/collectors/kernel/kernel_modules_internal.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using namespace triad::scanner::modules_internal;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& root_dir, const std::vector<std::string>& modules, const std::string& source,
                const Sysroot* proc = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values.emplace("module", StringList(modules));
    args.values.emplace("source", source);
    return kKernelModulesCollector.collect(CollectContext{root, ids, proc, nullptr}, args);
}

std::string field(const FactSet& f, const std::string& object, const char* name) {
    const Fact* fact = find_object(f, object);
    REQUIRE_MESSAGE(fact, object);
    return field_text(*fact, kKernelModulesCollector.fields, name);
}

}  // namespace

TEST_CASE("what keeps a module from loading") {
    CHECK(install_disables("/bin/false"));
    CHECK(install_disables("/bin/true"));
    CHECK(install_disables("/usr/bin/false  "));
    CHECK_FALSE(install_disables("/sbin/modprobe --ignore-install usb-storage && /bin/true"));
    CHECK_FALSE(install_disables("/bin/sh -c 'echo no'"));
    CHECK_FALSE(install_disables(""));
    CHECK(normalize_module("usb-storage") == "usb_storage");
    auto rules = parse_modprobe_conf("# comment\ninstall cramfs /bin/false # why\nblacklist  hfs\\\n\noptions x y=1\nalias net-pf-132 sctp\n");
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].rest == "/bin/false");
    CHECK(rules[1].module == "hfs");
}

TEST_CASE("kernel_modules configured: kmod's order and the first install line") {
    TempDir root;
    write_file(root / "lib/modprobe.d/50-vendor.conf", "install udf /sbin/modprobe --ignore-install udf\nblacklist freevxfs\n");
    // Same name in /etc hides the vendor file: udf's vendor install line no longer applies.
    write_file(root / "etc/modprobe.d/50-vendor.conf", "install udf /bin/false\n");
    write_file(root / "etc/modprobe.d/cis.conf",
               "install cramfs /bin/false\nblacklist cramfs\ninstall usb_storage /bin/true\nblacklist usb-storage\n"
               "install freevxfs /bin/false\n");
    write_file(root / "etc/modprobe.d/zz-late.conf", "install cramfs /sbin/modprobe --ignore-install cramfs\n");  // kmod keeps the first
    write_file(root / "usr/lib/modprobe.d/70-masked.conf", "install sctp /bin/false\nblacklist sctp\n");
    REQUIRE(::symlink("/dev/null", (root / "etc/modprobe.d/70-masked.conf").c_str()) == 0);
    write_file(root / "etc/modprobe.d/notes.txt", "install dccp /bin/false\n");  // not *.conf
    write_file(root / "etc/modprobe.d/glob.conf", "install hfs* /bin/false\n");

    FactSet f = collect(root.path(), {"cramfs", "usb-storage", "udf", "freevxfs", "sctp", "dccp", "hfsplus"}, "configured");
    REQUIRE(f.size() == 7);
    CHECK(field(f, "cramfs", "disabled") == "true");
    CHECK(field(f, "cramfs", "blacklisted") == "true");
    CHECK(field(f, "cramfs", "file") == "/etc/modprobe.d/cis.conf");
    CHECK(field(f, "cramfs", "line") == "1");
    CHECK(field(f, "usb_storage", "disabled") == "true");
    CHECK(field(f, "usb_storage", "blacklisted") == "true");
    CHECK(field(f, "udf", "disabled") == "true");
    CHECK(field(f, "udf", "file") == "/etc/modprobe.d/50-vendor.conf");
    CHECK(field(f, "freevxfs", "disabled") == "true");
    CHECK(field(f, "freevxfs", "blacklisted") == "false");  // the vendor file's blacklist is hidden too
    CHECK(field(f, "sctp", "disabled") == "false");           // masked
    CHECK(field(f, "sctp", "blacklisted") == "false");
    CHECK(field(f, "sctp", "file") == "(absent)");
    CHECK(field(f, "dccp", "disabled") == "false");
    CHECK(field(f, "hfsplus", "disabled") == "true");         // install hfs*
    CHECK(field(f, "hfsplus", "install") == "/bin/false");
}

TEST_CASE("kernel_modules configured: an unreadable modprobe.d file is an error naming it") {
    TempDir root;
    triad::test::make_dirs(root / "etc/modprobe.d/broken.conf");  // a directory where a file should be
    FactSet f = collect(root.path(), {"cramfs"}, "configured");
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::error);
    CHECK(f[0].reason.find("broken.conf") != std::string::npos);
}

TEST_CASE("kernel_modules live: /proc/modules, a kernel without modules, an offline root") {
    TempDir root, proc;
    write_file(proc / "modules", "usb_storage 81920 1 uas, Live 0x0000000000000000\nsctp 434176 2 - Live 0x0\n");
    auto proc_root = Sysroot::open(proc.path()).value();
    FactSet f = collect(root.path(), {"usb-storage", "sctp", "cramfs"}, "live", &proc_root);
    CHECK(field(f, "usb_storage", "loaded") == "true");
    CHECK(field(f, "sctp", "loaded") == "true");
    CHECK(field(f, "cramfs", "loaded") == "false");

    TempDir no_modules;  // CONFIG_MODULES unset: no /proc/modules, nothing can be loaded
    auto bare = Sysroot::open(no_modules.path()).value();
    f = collect(root.path(), {"sctp"}, "live", &bare);
    CHECK(field(f, "sctp", "loaded") == "false");

    f = collect(root.path(), {"sctp"}, "live");
    CHECK(f[0].status == FactStatus::not_applicable);
}

TEST_CASE("kernel_modules live on this machine agrees with /proc/modules read by the shell") {
    auto host_proc = Sysroot::open("/proc").value();
    auto r = triad::test::sh("test -r /proc/modules && cut -d' ' -f1 /proc/modules");
    std::vector<std::string> names{"cramfs", "usb_storage", "sctp"};
    std::vector<std::string> loaded;
    for (std::size_t pos = 0; pos < r.out.size();) {
        const std::size_t end = r.out.find('\n', pos);
        loaded.push_back(r.out.substr(pos, end - pos));
        names.push_back(loaded.back());
        pos = end + 1;
    }
    FactSet f = collect("/", names, "live", &host_proc);
    for (const Fact& fact : f) {
        CAPTURE(fact.object);
        const bool in_shell = std::find(loaded.begin(), loaded.end(), fact.object) != loaded.end();
        CHECK(field_text(fact, kKernelModulesCollector.fields, "loaded") == (in_shell ? "true" : "false"));
    }
}
