// SPDX-License-Identifier: Apache-2.0
// The `sysctl` and `cpu` collectors: sysctl.d syntax and systemd-sysctl's precedence (the
// file order cross-checked with `systemd-analyze --root cat-config sysctl.d`), live values
// from a fixture proc tree, Yama's absence, and /proc/cpuinfo's NX flag.
#include "scanner/collectors/kernel/sysctl.h"

#include <doctest/doctest.h>
#include <unistd.h>
#include <algorithm>
#include <map>

#include "scanner/collectors/kernel/cpu.h"
#include "scanner/identity/identity.h"
#include "scanner/collectors/kernel/sysctl_internal.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::find_object;
using namespace triad::scanner::sysctl_internal;
using triad::test::ProcFixture;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

SelectArgs sysctl_args(const std::string& key, const std::string& source, const char* default_value = nullptr) {
    SelectArgs a;
    a.values.emplace("key", key);
    a.values.emplace("source", source);
    if (default_value) a.values.emplace("default", std::string(default_value));
    return a;
}

// Roots with the same configuration, in the shapes systemd-sysctl meets on Debian.
struct ConfigRoot {
    TempDir dir;
    ConfigRoot() {
        write_file(dir / "usr/lib/sysctl.d/50-default.conf", "kernel.kptr_restrict = 1\nfs.suid_dumpable=0\n");
        // Same name in /etc hides the /usr/lib file entirely.
        write_file(dir / "etc/sysctl.d/50-default.conf", "# local override\nkernel.kptr_restrict = 2\n");
        write_file(dir / "usr/lib/sysctl.d/10-low.conf", "vm.mmap_min_addr = 4096\nkernel.dmesg_restrict=0\n");
        write_file(dir / "run/sysctl.d/60-runtime.conf", "vm.mmap_min_addr = 65536\n");
        // Masked: a symlink to /dev/null hides the same name below it.
        write_file(dir / "usr/lib/sysctl.d/70-masked.conf", "kernel.randomize_va_space = 0\n");
        REQUIRE(::symlink("/dev/null", (dir / "etc/sysctl.d/70-masked.conf").c_str()) == 0);
        write_file(dir / "usr/lib/sysctl.d/80-glob.conf", "-kernel.yama.* = 1\n; a comment\nnot an assignment\n");
        write_file(dir / "etc/sysctl.d/README", "ignored: not a .conf file\nkernel.dmesg_restrict = 5\n");
    }
};

}  // namespace

TEST_CASE("sysctl.d syntax") {
    CHECK(key_to_path("kernel.yama.ptrace_scope") == "kernel/yama/ptrace_scope");
    CHECK(key_to_path("kernel/yama/ptrace_scope") == "kernel/yama/ptrace_scope");
    // First separator '.': dots and slashes swap, so an interface name keeps its dot.
    CHECK(key_to_path("net.ipv4.conf.eth0/1.rp_filter") == "net/ipv4/conf/eth0.1/rp_filter");
    CHECK(key_to_path("net/ipv4/conf/eth0.1/rp_filter") == "net/ipv4/conf/eth0.1/rp_filter");

    auto a = parse_sysctl_conf("# c\n; c\n\n  kernel.a = 1 2\t\n-kernel.b=x\nnoequals\n = novalue\n");
    REQUIRE(a.size() == 2);
    CHECK(a[0].key == "kernel.a");
    CHECK(a[0].value == "1 2");
    CHECK(a[0].line == 4);
    CHECK(a[1].key == "kernel.b");
    CHECK(a[1].value == "x");

    CHECK(assignment_sets("kernel.yama.*", "kernel.yama.ptrace_scope"));
    CHECK(assignment_sets("kernel/yama/ptrace_scope", "kernel.yama.ptrace_scope"));
    CHECK_FALSE(assignment_sets("kernel.*", "kernel.yama.ptrace_scope"));  // '*' stays within a level
    CHECK_FALSE(assignment_sets("kernel.yama", "kernel.yama.ptrace_scope"));

    auto order = config_order({{"/etc/sysctl.d", {"50-a.conf", "99-z.conf"}},
                               {"/run/sysctl.d", {"10-r.conf"}},
                               {"/usr/lib/sysctl.d", {"50-a.conf", "20-u.conf"}}});
    CHECK(order == std::vector<std::string>{"/run/sysctl.d/10-r.conf", "/usr/lib/sysctl.d/20-u.conf",
                                            "/etc/sysctl.d/50-a.conf", "/etc/sysctl.d/99-z.conf"});
}

TEST_CASE("configured values follow systemd-sysctl's precedence") {
    ConfigRoot r;
    auto root = Sysroot::open(r.dir.path()).value();
    auto ids = IdentityTable::load(root);
    const CollectContext ctx{root, ids, nullptr, nullptr};
    auto one = [&](const std::string& key, const char* def = nullptr) {
        FactSet f = collect_sysctl(ctx, sysctl_args(key, "configured", def));
        REQUIRE(f.size() == 1);
        return f[0];
    };
    Fact kptr = one("kernel.kptr_restrict");
    CHECK(field_text(kptr, kSysctlValue) == "2");
    CHECK(field_text(kptr, kSysctlFile) == "/etc/sysctl.d/50-default.conf");
    CHECK(field_text(kptr, kSysctlLine) == "2");
    CHECK(field_text(kptr, kSysctlSource) == "configured");
    // The hidden /usr/lib file's fs.suid_dumpable never applies.
    CHECK(one("fs.suid_dumpable").status == FactStatus::not_applicable);
    CHECK(field_text(one("fs.suid_dumpable", "0"), kSysctlDefaulted) == "true");
    // A later file name overrides an earlier one, whatever its directory.
    CHECK(field_text(one("vm.mmap_min_addr"), kSysctlValue) == "65536");
    CHECK(field_text(one("vm.mmap_min_addr"), kSysctlFile) == "/run/sysctl.d/60-runtime.conf");
    // The masked file's 0 is not applied: the default stands.
    CHECK(field_text(one("kernel.randomize_va_space", "2"), kSysctlValue) == "2");
    CHECK(field_text(one("kernel.randomize_va_space", "2"), kSysctlSet) == "false");
    CHECK(field_text(one("kernel.yama.ptrace_scope"), kSysctlValue) == "1");  // from the glob
    CHECK(field_text(one("kernel.dmesg_restrict"), kSysctlValue) == "0");      // README is not read
    Fact unset = one("kernel.unset");
    CHECK(unset.status == FactStatus::not_applicable);
    CHECK(unset.reason.find("not set in any sysctl configuration file") != std::string::npos);

    SUBCASE("/etc/sysctl.conf comes last, unless sysctl.d already links to it") {
        write_file(r.dir / "etc/sysctl.conf", "kernel.kptr_restrict = 0\n");
        CHECK(field_text(one("kernel.kptr_restrict"), kSysctlFile) == "/etc/sysctl.conf");
        write_file(r.dir / "etc/sysctl.d/99-zz.conf", "kernel.kptr_restrict = 1\n");
        CHECK(field_text(one("kernel.kptr_restrict"), kSysctlValue) == "0");  // still last
        REQUIRE(::symlink("../sysctl.conf", (r.dir / "etc/sysctl.d/30-sysctl.conf").c_str()) == 0);
        CHECK(field_text(one("kernel.kptr_restrict"), kSysctlValue) == "1");  // now applied at its name
    }
    SUBCASE("a configuration file that cannot be read is an error, not a default") {
        REQUIRE(::mkfifo((r.dir / "etc/sysctl.d/90-fifo.conf").c_str(), 0644) == 0);
        Fact f = one("kernel.kptr_restrict");
        CHECK(f.status == FactStatus::error);
        CHECK(f.reason.find("90-fifo.conf") != std::string::npos);
    }
}

TEST_CASE("the configuration order agrees with systemd-analyze cat-config") {
    ConfigRoot r;
    ::unlink((r.dir / "etc/sysctl.d/70-masked.conf").c_str());  // cat-config shows masks differently
    auto out = triad::test::sh("systemd-analyze --root='" + r.dir.path() + "' cat-config sysctl.d 2>/dev/null");
    if (out.exit_code != 0 || out.out.empty()) {
        MESSAGE("systemd-analyze cannot read a --root here; order checked against the rules only");
        return;
    }
    std::vector<std::string> theirs;
    for (std::size_t at = 0; (at = out.out.find("# " + r.dir.path(), at)) != std::string::npos;) {
        const std::size_t start = at + 2 + r.dir.path().size();
        theirs.push_back(out.out.substr(start, out.out.find('\n', start) - start));
        at = start;
    }
    std::vector<std::pair<std::string, std::vector<std::string>>> listings;
    for (const char* d : {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d"}) {
        std::vector<std::string> names;
        auto ls = triad::test::sh("ls '" + r.dir.path() + d + "' 2>/dev/null | grep '\\.conf$'");
        for (std::size_t p = 0, e; (e = ls.out.find('\n', p)) != std::string::npos; p = e + 1) names.push_back(ls.out.substr(p, e - p));
        listings.emplace_back(d, names);
    }
    CHECK(config_order(listings) == theirs);
}

TEST_CASE("live values come from the proc tree; a missing parameter is absent with the reason") {
    TempDir rootdir;
    ProcFixture proc;
    proc.sysctl("kernel/randomize_va_space", "2");
    proc.sysctl("kernel/printk", "4\t4\t1\t7");
    auto root = Sysroot::open(rootdir.path()).value();
    auto proc_root = Sysroot::open(proc.path()).value();
    auto ids = IdentityTable::load(root);
    const CollectContext live{root, ids, &proc_root, nullptr};

    FactSet aslr = collect_sysctl(live, sysctl_args("kernel.randomize_va_space", "live"));
    REQUIRE(aslr.size() == 1);
    CHECK(field_text(aslr[0], kSysctlValue) == "2");
    CHECK(field_text(aslr[0], kSysctlSource) == "live");
    CHECK(field_text(collect_sysctl(live, sysctl_args("kernel.printk", "live"))[0], kSysctlValue) == "4 4 1 7");

    FactSet yama = collect_sysctl(live, sysctl_args("kernel.yama.ptrace_scope", "live"));
    REQUIRE(yama.size() == 1);
    // Absent with the reason; the check's if_missing decides between not_applicable and a
    // failure (a kernel without Yama has no ptrace restriction: issue 9, class 3).
    CHECK(yama[0].status == FactStatus::absent);
    CHECK(yama[0].reason.find("Yama LSM is not active") != std::string::npos);
    FactSet other = collect_sysctl(live, sysctl_args("kernel.nonexistent", "live"));
    CHECK(other[0].reason.find("/proc/sys/kernel/nonexistent does not exist") != std::string::npos);

    const CollectContext offline{root, ids, nullptr, nullptr};
    FactSet none = collect_sysctl(offline, sysctl_args("kernel.randomize_va_space", "live"));
    CHECK(none[0].status == FactStatus::not_applicable);

    SUBCASE("the host's own value agrees with /proc/sys") {
        auto host_proc = Sysroot::open("/proc");
        if (!host_proc) return;
        const CollectContext host{root, ids, &*host_proc, nullptr};
        FactSet v = collect_sysctl(host, sysctl_args("kernel.randomize_va_space", "live"));
        auto expected = triad::test::sh("cat /proc/sys/kernel/randomize_va_space").out;
        CHECK(field_text(v[0], kSysctlValue) + "\n" == expected);
    }
}

TEST_CASE("cpu: NX from /proc/cpuinfo") {
    SUBCASE("x86: every processor must have the flag") {
        CpuInfo both = parse_cpuinfo("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: X\nflags\t\t: fpu nx lm\n"
                                     "bugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu lm nx\nbugs\t\t: mds\n");
        CHECK(both.processors == 2);
        CHECK(both.flags == std::vector<std::string>{"fpu", "lm", "nx"});
        CHECK(both.bugs == std::vector<std::string>{"mds", "spectre_v1"});
        CpuInfo one = parse_cpuinfo("processor\t: 0\nflags\t: fpu nx\n\nprocessor\t: 1\nflags\t: fpu\n");
        CHECK(one.flags == std::vector<std::string>{"fpu"});
    }
    TempDir rootdir;
    auto root = Sysroot::open(rootdir.path()).value();
    auto ids = IdentityTable::load(root);
    auto run = [&](const std::string& cpuinfo) {
        ProcFixture proc;
        proc.cpuinfo(cpuinfo);
        auto proc_root = Sysroot::open(proc.path()).value();
        FactSet f = collect_cpu(CollectContext{root, ids, &proc_root, nullptr}, SelectArgs{});
        REQUIRE(f.size() == 1);
        return f[0];
    };
    CHECK(run("processor\t: 0\nflags\t: fpu nx lm\n").field(kCpuNx)->to_string() == "true");
    CHECK(run("processor\t: 0\nflags\t: fpu lm\n").field(kCpuNx)->to_string() == "false");  // XD disabled in firmware
    CHECK(run("processor\t: 0\nFeatures\t: fp asimd\nCPU architecture: 8\n").field(kCpuNx)->to_string() == "true");
    CHECK(run("processor\t: 0\ncpu\t: POWER9\n").status == FactStatus::not_applicable);
    if (auto host = Sysroot::open("/proc"); host && ::access("/proc/cpuinfo", R_OK) == 0) {
        FactSet f = collect_cpu(CollectContext{root, ids, &*host, nullptr}, SelectArgs{});
        const bool flag = triad::test::sh("grep -qw nx /proc/cpuinfo").exit_code == 0;
        if (f[0].status == FactStatus::ok) CHECK(f[0].field(kCpuNx)->to_string() == (flag ? "true" : "false"));
    }
}

TEST_CASE("sysctl drift: the live value against the configuration, naming the file") {
    ConfigRoot r;
    ProcFixture proc;
    proc.sysctl("kernel/kptr_restrict", "1");                // configured 2 in /etc/sysctl.d/50-default.conf
    proc.sysctl("vm/mmap_min_addr", "65536");                // as configured
    proc.sysctl("kernel/randomize_va_space", "2");           // no file sets it (the masked one does not count)
    proc.sysctl("net/ipv4/ip_local_port_range", "32768\t60999");
    write_file(r.dir / "etc/sysctl.d/40-ports.conf", "net.ipv4.ip_local_port_range = 32768   60999\n");
    auto root = Sysroot::open(r.dir.path()).value();
    auto proc_root = Sysroot::open(proc.path()).value();
    const IdentityTable ids = IdentityTable::load(root);
    const CollectContext live{root, ids, &proc_root, nullptr};
    SelectArgs a;
    a.values.emplace("key", StringList{"kernel.kptr_restrict", "vm.mmap_min_addr", "kernel.randomize_va_space",
                                       "net.ipv4.ip_local_port_range", "kernel.absent"});
    a.values.emplace("source", std::string("drift"));
    FactSet f = collect_sysctl(live, a);
    REQUIRE(f.size() == 5);
    CHECK(field_text(f[0], kSysctlDrift) == "true");
    CHECK(field_text(f[0], kSysctlValue) == "1");
    CHECK(field_text(f[0], kSysctlConfigured) == "2");
    CHECK(field_text(f[0], kSysctlFile) == "/etc/sysctl.d/50-default.conf");
    CHECK(field_text(f[1], kSysctlDrift) == "false");
    CHECK(field_text(f[2], kSysctlDrift) == "false");  // nothing to drift from
    CHECK(field_text(f[2], kSysctlConfigured) == "(absent)");
    CHECK(field_text(f[3], kSysctlDrift) == "false");  // blanks compare alike
    // A parameter the kernel lacks is absent with the reason, as for `source: live`: the
    // check's if_missing decides what that means.
    CHECK(f[4].status == FactStatus::absent);
    CHECK(f[4].reason.find("kernel.absent") != std::string::npos);

    const CollectContext offline{root, ids, nullptr, nullptr};
    CHECK(collect_sysctl(offline, a)[0].status == FactStatus::not_applicable);
}

TEST_CASE("sysctl live on this machine agrees with sysctl -a") {
    auto r = triad::test::sh("sysctl -a 2>/dev/null");
    if (r.exit_code != 0 && r.out.empty()) {
        MESSAGE("skipped: sysctl(8) is not installed");
        return;
    }
    std::map<std::string, std::string> theirs;
    for (std::size_t pos = 0; pos < r.out.size();) {
        const std::size_t end = r.out.find('\n', pos);
        const std::string line = r.out.substr(pos, end - pos);
        pos = end + 1;
        const std::size_t sep = line.find(" = ");
        if (sep == std::string::npos) continue;
        // A value of several lines (kernel.core_modes) comes as one "key = line" per line.
        auto [it, fresh] = theirs.emplace(line.substr(0, sep), line.substr(sep + 3));
        if (!fresh) it->second += "\n" + line.substr(sep + 3);
    }
    REQUIRE(theirs.size() > 100);
    auto root = Sysroot::open("/").value();
    auto host_proc = Sysroot::open("/proc").value();
    const IdentityTable ids = IdentityTable::load(root);
    SelectArgs a;
    StringList keys;
    for (const auto& [k, v] : theirs)
        if (!k.starts_with("fs.binfmt_misc") && !k.starts_with("kernel.random.uuid") && !k.starts_with("kernel.ns_last_pid") &&
            !k.starts_with("fs.dentry-state") && !k.starts_with("fs.inode") && !k.starts_with("fs.file-nr") &&
            !k.starts_with("kernel.random.entropy_avail") && !k.starts_with("net.netfilter.nf_conntrack_count") &&
            !k.starts_with("kernel.pty.nr"))  // counters that change between two reads
            keys.push_back(k);
    a.values.emplace("key", keys);
    a.values.emplace("source", std::string("live"));
    FactSet f = collect_sysctl(CollectContext{root, ids, &host_proc, nullptr}, a);
    REQUIRE(f.size() == keys.size());
    std::size_t same = 0;
    for (const Fact& fact : f) {
        CAPTURE(fact.object);
        REQUIRE(fact.status == FactStatus::ok);
        // sysctl(8) prints a vector's tabs as tabs; the collector as blanks.
        std::string want = theirs.at(fact.object);
        std::replace(want.begin(), want.end(), '\t', ' ');
        CHECK(field_text(fact, kSysctlValue) == want);
        ++same;
    }
    CHECK(same == keys.size());
}
