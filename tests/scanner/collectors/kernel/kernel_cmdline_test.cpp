// SPDX-License-Identifier: Apache-2.0
// The `kernel_cmdline` collector: the kernel's splitting rules, GRUB defaults as update-grub
// combines them (grub.d snippets appending with $GRUB_CMDLINE_LINUX), /etc/kernel/cmdline,
// grub.cfg's first linux line, and /proc/cmdline of this machine against a shell split.
#include "scanner/collectors/kernel/kernel_cmdline.h"

#include <doctest/doctest.h>

#include <map>

#include "scanner/collectors/kernel/kernel_cmdline_internal.h"
#include "scanner/identity/identity.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using namespace triad::scanner::cmdline_internal;
using triad::test::field_text;
using triad::test::find_object;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& root_dir, const std::vector<std::string>& params, const std::string& source,
                const Sysroot* proc = nullptr) {
    auto root = Sysroot::open(root_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values.emplace("param", StringList(params));
    args.values.emplace("source", source);
    return kKernelCmdlineCollector.collect(CollectContext{root, ids, proc, nullptr}, args);
}

std::string field(const FactSet& f, const std::string& object, const char* name) {
    const Fact* fact = find_object(f, object);
    REQUIRE_MESSAGE(fact, object);
    return field_text(*fact, kKernelCmdlineCollector.fields, name);
}

}  // namespace

TEST_CASE("kernel command line splitting") {
    auto p = split_cmdline("BOOT_IMAGE=/vmlinuz ro quiet dyndbg=\"file x.c +p\" slab-nomerge init_on_alloc=0 init_on_alloc=1 -- single init=/x\n");
    REQUIRE(p.size() == 7);
    CHECK(p[3].name == "dyndbg");
    CHECK(p[3].value == "file x.c +p");
    CHECK(find_param(p, "slab_nomerge").has_value());          // '-' and '_' alike
    CHECK(find_param(p, "slab_nomerge")->has_value == false);
    CHECK(find_param(p, "init_on_alloc")->value == "1");        // the last one wins
    CHECK_FALSE(find_param(p, "single").has_value());          // after "--": for init
    CHECK_FALSE(find_param(p, "init").has_value());
}

TEST_CASE("kernel_cmdline configured: /etc/default/grub, then grub.d snippets in name order") {
    TempDir root;
    write_file(root / "etc/default/grub",
               "# If you change this file, run 'update-grub'\nGRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"
               "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"init_on_alloc=1 mitigations=off\"\n");
    write_file(root / "etc/default/grub.d/50-harden.cfg", "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX slab_nomerge mitigations=auto\"\n");
    write_file(root / "etc/default/grub.d/60-lockdown.cfg",
               "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} lockdown=integrity\"  # set by admin\n");
    write_file(root / "etc/default/grub.d/README", "GRUB_CMDLINE_LINUX=\"nokaslr\"\n");  // not *.cfg: never sourced
    FactSet f = collect(root.path(), {"init_on_alloc", "slab_nomerge", "mitigations", "lockdown", "nokaslr", "quiet"}, "configured");
    REQUIRE(f.size() == 6);
    CHECK(field(f, "init_on_alloc", "value") == "1");
    CHECK(field(f, "init_on_alloc", "file") == "/etc/default/grub.d/50-harden.cfg");  // the variable's last assignment
    CHECK(field(f, "slab_nomerge", "present") == "true");
    CHECK(field(f, "slab_nomerge", "value") == "");
    CHECK(field(f, "mitigations", "value") == "auto");
    CHECK(field(f, "lockdown", "value") == "integrity");
    CHECK(field(f, "lockdown", "file") == "/etc/default/grub.d/60-lockdown.cfg");
    CHECK(field(f, "lockdown", "line") == "1");
    CHECK(field(f, "nokaslr", "present") == "false");
    CHECK(field(f, "quiet", "present") == "true");
}

TEST_CASE("kernel_cmdline configured: /etc/kernel/cmdline without GRUB; nothing configured is not_applicable") {
    TempDir root;
    write_file(root / "etc/kernel/cmdline", "root=UUID=1234 rw module.sig_enforce=1\n");
    FactSet f = collect(root.path(), {"module.sig_enforce"}, "configured");
    CHECK(field(f, "module.sig_enforce", "value") == "1");
    CHECK(field(f, "module.sig_enforce", "file") == "/etc/kernel/cmdline");

    TempDir bare;
    f = collect(bare.path(), {"audit"}, "configured");
    REQUIRE(f.size() == 1);
    CHECK(f[0].status == FactStatus::not_applicable);
    f = collect(bare.path(), {"audit"}, "grub_cfg");
    CHECK(f[0].status == FactStatus::not_applicable);
    f = collect(bare.path(), {"audit"}, "live");
    CHECK(f[0].status == FactStatus::not_applicable);
}

TEST_CASE("kernel_cmdline grub_cfg: the first linux line") {
    TempDir root;
    write_file(root / "boot/grub/grub.cfg",
               "set default=\"0\"\nmenuentry 'Debian GNU/Linux' --class debian {\n"
               "\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=abc ro audit=1 quiet\n\tinitrd\t/boot/initrd.img\n}\n"
               "menuentry 'Debian (recovery)' {\n\tlinux /boot/vmlinuz-6.1.0-18-amd64 root=UUID=abc ro single\n}\n");
    FactSet f = collect(root.path(), {"audit", "single"}, "grub_cfg");
    CHECK(field(f, "audit", "value") == "1");
    CHECK(field(f, "audit", "line") == "3");
    CHECK(field(f, "single", "present") == "false");

    TempDir broken;
    write_file(broken / "boot/grub/grub.cfg", "set timeout=5\n");
    f = collect(broken.path(), {"audit"}, "grub_cfg");
    CHECK(f[0].status == FactStatus::error);
    CHECK(f[0].reason.find("grub.cfg") != std::string::npos);
}

TEST_CASE("kernel_cmdline live on this machine agrees with /proc/cmdline split by the shell") {
    auto host_proc = Sysroot::open("/proc").value();
    // The shell's word splitting up to "--", each word cut at its first '='.
    auto r = triad::test::sh("for w in $(cat /proc/cmdline); do [ \"$w\" = -- ] && break; echo \"$w\"; done");
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> names;
    std::map<std::string, std::string> last;
    std::size_t pos = 0;
    while (pos < r.out.size()) {
        std::size_t end = r.out.find('\n', pos);
        const std::string w = r.out.substr(pos, end - pos);
        pos = end + 1;
        const std::size_t eq = w.find('=');
        const std::string name = w.substr(0, eq);
        if (w.find('"') != std::string::npos) continue;  // quoted values: the shell splits them differently
        names.push_back(name);
        last[name] = eq == std::string::npos ? "" : w.substr(eq + 1);
    }
    REQUIRE_FALSE(names.empty());
    names.push_back("surely_not_a_kernel_parameter");
    FactSet f = collect("/", names, "live", &host_proc);
    for (const auto& [name, value] : last) {
        CAPTURE(name);
        CHECK(field(f, name, "present") == "true");
        CHECK(field(f, name, "value") == value);
        CHECK(field(f, name, "file") == "/proc/cmdline");
    }
    CHECK(field(f, "surely_not_a_kernel_parameter", "present") == "false");
}
