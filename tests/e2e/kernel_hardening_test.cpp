// SPDX-License-Identifier: Apache-2.0
// rules/policies/kernel-hardening.yml end to end: `triad scan --only 'KRN-*' --format json`
// over two fixture roots built here — one configured as the policy asks (sysctl.d, GRUB
// defaults, a KSPP-style kernel config, modprobe.d, fstab, limits, coredump.conf, login.defs)
// and one shaped like a default Debian 12 install — with fixture proc and sys trees for the
// live checks; then on this machine, where verdicts are compared with sysctl(8), findmnt and
// /proc/cmdline read by the shell.
#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "rules/load/policy_loader.h"
#include "scanner/core/registry.h"
#include "tests/e2e/policy_checks.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/test_support.h"

using triad::test::ProcFixture;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;
using fixture::Scan;
using fixture::evidence_objects;
using fixture::verdict;

std::string policy_path() { return triad::test::source_dir() + "/rules/policies/kernel-hardening.yml"; }

std::vector<std::string> policy_ids() { return fixture::policy_check_ids({policy_path()}); }

// The verdict a check should get: `verdict`, or error when its collector is not built.
std::string expected(const std::string& id, const std::string& verdict) {
    static const fixture::ExpectedVerdicts expected_verdicts({policy_path()});
    return expected_verdicts.of(id, verdict);
}

// Each hardening parameter and the value the policy asks for.
const std::map<std::string, std::string> kHardenedSysctl = {
    {"net.ipv4.ip_forward", "0"}, {"net.ipv6.conf.all.forwarding", "0"},
    {"net.ipv4.conf.all.send_redirects", "0"}, {"net.ipv4.conf.default.send_redirects", "0"},
    {"net.ipv4.icmp_ignore_bogus_error_responses", "1"}, {"net.ipv4.icmp_echo_ignore_broadcasts", "1"},
    {"net.ipv4.conf.all.accept_redirects", "0"}, {"net.ipv4.conf.default.accept_redirects", "0"},
    {"net.ipv6.conf.all.accept_redirects", "0"}, {"net.ipv6.conf.default.accept_redirects", "0"},
    {"net.ipv4.conf.all.secure_redirects", "0"}, {"net.ipv4.conf.default.secure_redirects", "0"},
    {"net.ipv4.conf.all.rp_filter", "1"}, {"net.ipv4.conf.default.rp_filter", "1"},
    {"net.ipv4.conf.all.accept_source_route", "0"}, {"net.ipv4.conf.default.accept_source_route", "0"},
    {"net.ipv6.conf.all.accept_source_route", "0"}, {"net.ipv6.conf.default.accept_source_route", "0"},
    {"net.ipv4.conf.all.log_martians", "1"}, {"net.ipv4.conf.default.log_martians", "1"},
    {"net.ipv4.tcp_syncookies", "1"}, {"net.ipv6.conf.all.accept_ra", "0"}, {"net.ipv6.conf.default.accept_ra", "0"},
    {"net.core.bpf_jit_harden", "2"}, {"kernel.unprivileged_bpf_disabled", "1"}, {"dev.tty.ldisc_autoload", "0"},
    {"dev.tty.legacy_tiocsti", "0"}, {"kernel.kexec_load_disabled", "1"}, {"kernel.perf_event_paranoid", "3"},
    {"kernel.sysrq", "0"}, {"fs.protected_symlinks", "1"}, {"fs.protected_hardlinks", "1"}, {"fs.protected_fifos", "2"},
    {"fs.protected_regular", "2"}, {"vm.unprivileged_userfaultfd", "0"}, {"kernel.io_uring_disabled", "2"},
    {"kernel.oops_limit", "100"}, {"kernel.warn_limit", "100"}, {"user.max_user_namespaces", "0"},
    {"kernel.modules_disabled", "1"}, {"kernel.randomize_va_space", "2"}, {"vm.mmap_min_addr", "65536"},
    {"kernel.kptr_restrict", "2"}, {"fs.suid_dumpable", "0"}, {"kernel.dmesg_restrict", "1"}, {"kernel.yama.ptrace_scope", "2"},
};

// A kernel configured as KSPP recommends for x86_64, in .config syntax.
const char* kHardenedKconfig =
    "CONFIG_MODULES=y\nCONFIG_STACKPROTECTOR_STRONG=y\nCONFIG_STRICT_KERNEL_RWX=y\nCONFIG_STRICT_MODULE_RWX=y\nCONFIG_RANDOMIZE_BASE=y\n"
    "CONFIG_RANDOMIZE_MEMORY=y\nCONFIG_VMAP_STACK=y\nCONFIG_THREAD_INFO_IN_TASK=y\nCONFIG_HARDENED_USERCOPY=y\n"
    "# CONFIG_HARDENED_USERCOPY_FALLBACK is not set\nCONFIG_FORTIFY_SOURCE=y\nCONFIG_SLAB_FREELIST_HARDENED=y\n"
    "CONFIG_SLAB_FREELIST_RANDOM=y\n# CONFIG_SLAB_MERGE_DEFAULT is not set\nCONFIG_SHUFFLE_PAGE_ALLOCATOR=y\n"
    "CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y\nCONFIG_INIT_ON_FREE_DEFAULT_ON=y\nCONFIG_INIT_STACK_ALL_ZERO=y\n"
    "CONFIG_BUG_ON_DATA_CORRUPTION=y\nCONFIG_LIST_HARDENED=y\nCONFIG_SCHED_STACK_END_CHECK=y\nCONFIG_DEBUG_WX=y\n"
    "CONFIG_RANDOMIZE_KSTACK_OFFSET_DEFAULT=y\nCONFIG_STATIC_USERMODEHELPER=y\nCONFIG_SECURITY=y\nCONFIG_SECURITY_YAMA=y\n"
    "CONFIG_SECURITY_LANDLOCK=y\nCONFIG_SECURITY_LOCKDOWN_LSM=y\nCONFIG_SECURITY_LOCKDOWN_LSM_EARLY=y\n"
    "CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY=y\n# CONFIG_SECURITY_WRITABLE_HOOKS is not set\n"
    "# CONFIG_SECURITY_SELINUX_DEVELOP is not set\nCONFIG_SECURITY_DMESG_RESTRICT=y\nCONFIG_MODULE_SIG=y\n"
    "CONFIG_MODULE_SIG_ALL=y\nCONFIG_MODULE_SIG_SHA512=y\nCONFIG_MODULE_SIG_FORCE=y\nCONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\n"
    "CONFIG_BPF_UNPRIV_DEFAULT_OFF=y\nCONFIG_BPF_JIT_ALWAYS_ON=y\nCONFIG_STRICT_DEVMEM=y\nCONFIG_IO_STRICT_DEVMEM=y\n"
    "# CONFIG_DEVMEM is not set\n# CONFIG_DEVPORT is not set\n# CONFIG_PROC_KCORE is not set\n# CONFIG_LEGACY_PTYS is not set\n"
    "# CONFIG_LDISC_AUTOLOAD is not set\n# CONFIG_LEGACY_TIOCSTI is not set\n# CONFIG_X86_VSYSCALL_EMULATION is not set\n"
    "# CONFIG_MODIFY_LDT_SYSCALL is not set\n# CONFIG_X86_X32_ABI is not set\n# CONFIG_KEXEC is not set\n"
    "# CONFIG_HIBERNATION is not set\n# CONFIG_BINFMT_MISC is not set\n# CONFIG_USERFAULTFD is not set\n"
    "# CONFIG_KPROBES is not set\n# CONFIG_DEBUG_FS is not set\n# CONFIG_ACPI_CUSTOM_METHOD is not set\n"
    "# CONFIG_COMPAT_BRK is not set\n# CONFIG_COMPAT_VDSO is not set\n# CONFIG_INET_DIAG is not set\nCONFIG_SYN_COOKIES=y\n"
    "CONFIG_X86_UMIP=y\nCONFIG_X86_SMAP=y\nCONFIG_X86_KERNEL_IBT=y\nCONFIG_MITIGATION_PAGE_TABLE_ISOLATION=y\n"
    "CONFIG_MITIGATION_RETPOLINE=y\nCONFIG_CPU_MITIGATIONS=y\nCONFIG_DEFAULT_MMAP_MIN_ADDR=65536\n"
    "CONFIG_LSM=\"landlock,lockdown,yama,apparmor,bpf\"\n";

const char* kHardenedCmdline =
    "init_on_alloc=1 slab_nomerge pti=on mitigations=auto,nosmt lockdown=confidentiality module.sig_enforce=1 audit=1 "
    "randomize_kstack_offset=1 page_alloc.shuffle=1 iommu.strict=1 vsyscall=none debugfs=off";

void build_hardened(const std::string& root) {
    std::string conf;
    for (const auto& [k, v] : kHardenedSysctl) conf += k + " = " + v + "\n";
    write_file(root + "/etc/sysctl.d/90-hardening.conf", conf);
    write_file(root + "/etc/default/grub", std::string("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"") +
                                               kHardenedCmdline + "\"\n");
    write_file(root + "/boot/config-6.12.0-hardened", kHardenedKconfig);
    std::string modprobe;
    for (const char* m : {"cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "squashfs", "udf", "usb-storage", "dccp", "tipc", "rds", "sctp"})
        modprobe += std::string("install ") + m + " /bin/false\nblacklist " + m + "\n";
    write_file(root + "/etc/modprobe.d/cis.conf", modprobe);
    write_file(root + "/etc/fstab",
               "UUID=1 / ext4 errors=remount-ro 0 1\n"
               "UUID=2 /home ext4 nodev,nosuid 0 2\nUUID=3 /var ext4 nodev,nosuid 0 2\n"
               "UUID=4 /var/tmp ext4 nodev,nosuid,noexec 0 2\nUUID=5 /var/log ext4 nodev,nosuid,noexec 0 2\n"
               "UUID=6 /var/log/audit ext4 nodev,nosuid,noexec 0 2\ntmpfs /dev/shm tmpfs nodev,nosuid,noexec 0 0\n");
    write_file(root + "/etc/systemd/system/tmp.mount", "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\nOptions=mode=1777,nodev,nosuid,noexec\n");
    write_file(root + "/etc/security/limits.conf", "* hard core 0\n");
    write_file(root + "/usr/lib/systemd/systemd-coredump", "", 0755);
    write_file(root + "/etc/systemd/coredump.conf", "[Coredump]\nStorage=none\nProcessSizeMax=0\n");
    write_file(root + "/etc/login.defs", "UMASK 027\n");
    write_file(root + "/etc/profile", "umask 027\n");
}

// Debian 12 as installed: sysctl defaults but for systemd's protected links, the GRUB
// defaults, Debian's kernel configuration choices, no modprobe.d hardening, one partition.
void build_debian_default(const std::string& root) {
    write_file(root + "/usr/lib/sysctl.d/99-protect-links.conf", "fs.protected_fifos = 1\nfs.protected_hardlinks = 1\n"
                                                                 "fs.protected_regular = 2\nfs.protected_symlinks = 1\n");
    write_file(root + "/etc/sysctl.d/99-local.conf", "kernel.kptr_restrict = 1\n");
    write_file(root + "/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n");
    write_file(root + "/boot/config-6.1.0-18-amd64",
               "CONFIG_MODULES=y\nCONFIG_STACKPROTECTOR_STRONG=y\nCONFIG_STRICT_KERNEL_RWX=y\nCONFIG_RANDOMIZE_BASE=y\n"
               "CONFIG_VMAP_STACK=y\n"
               "CONFIG_HARDENED_USERCOPY=y\nCONFIG_FORTIFY_SOURCE=y\nCONFIG_SLAB_MERGE_DEFAULT=y\nCONFIG_MODULE_SIG=y\n"
               "# CONFIG_MODULE_SIG_FORCE is not set\nCONFIG_KEXEC=y\nCONFIG_DEVMEM=y\nCONFIG_PAGE_TABLE_ISOLATION=y\n"
               "CONFIG_RETPOLINE=y\nCONFIG_DEFAULT_MMAP_MIN_ADDR=65536\nCONFIG_LSM=\"landlock,lockdown,yama,apparmor\"\n");
    write_file(root + "/etc/modprobe.d/blacklist-local.conf", "blacklist udf\n");
    write_file(root + "/etc/fstab", "# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=1 / ext4 errors=remount-ro 0 1\n");
    write_file(root + "/etc/security/limits.conf", "#*               soft    core            0\n");
    write_file(root + "/etc/login.defs", "UMASK\t\t022\n");
    write_file(root + "/etc/profile", "if [ \"$(id -u)\" -eq 0 ]; then PS1='# '; fi\n");
    write_file(root + "/etc/bash.bashrc", "umask 022\n");
}

// A running kernel as the hardened root configures it.
void build_live(ProcFixture& proc, const std::string& sys, bool hardened) {
    proc.sysctl("kernel/osrelease", hardened ? "6.12.0-hardened" : "6.1.0-18-amd64");
    for (const auto& [k, v] : kHardenedSysctl) {
        std::string path = k;
        std::replace(path.begin(), path.end(), '.', '/');
        proc.sysctl(path, hardened ? v : (k == "net.ipv4.conf.all.accept_redirects" ? "1" : v));
    }
    write_file(proc.path() + "/cmdline", std::string("BOOT_IMAGE=/boot/vmlinuz ro ") + (hardened ? kHardenedCmdline : "quiet mitigations=off nopti") + "\n");
    write_file(proc.path() + "/self/mountinfo",
               hardened ? "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                          "22 21 0:1 / /tmp rw,nosuid,nodev,noexec - tmpfs tmpfs rw\n"
                          "23 21 0:2 / /dev/shm rw,nosuid,nodev,noexec - tmpfs tmpfs rw\n"
                          "24 21 8:2 / /home rw,nosuid,nodev - ext4 /dev/sda2 rw\n"
                          "25 21 8:3 / /var rw,nosuid,nodev - ext4 /dev/sda3 rw\n"
                          "26 25 8:4 / /var/tmp rw,nosuid,nodev,noexec - ext4 /dev/sda4 rw\n"
                          "27 25 8:5 / /var/log rw,nosuid,nodev,noexec - ext4 /dev/sda5 rw\n"
                          "28 27 8:6 / /var/log/audit rw,nosuid,nodev,noexec - ext4 /dev/sda6 rw\n"
                          "29 21 8:16 / /media/usb rw,nosuid,nodev,noexec - vfat /dev/sdb1 rw\n"
                        : "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n23 21 0:2 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw\n"
                          "29 21 8:16 / /media/usb rw,relatime - vfat /dev/sdb1 rw\n");
    write_file(proc.path() + "/modules", hardened ? "" : "usb_storage 81920 0 - Live 0x0\n");
    write_file(sys + "/kernel/security/lsm", "lockdown,capability,yama");
    if (hardened) write_file(sys + "/kernel/security/lockdown", "none integrity [confidentiality]\n");
    write_file(sys + "/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0c6bd5c6d8c",
               std::string("\x06\x00\x00\x00", 4) + (hardened ? '\x01' : '\x00'));
    write_file(sys + "/module/module/parameters/sig_enforce", hardened ? "Y\n" : "N\n");
    write_file(sys + "/devices/system/cpu/vulnerabilities/meltdown", "Mitigation: PTI\n");
    write_file(sys + "/devices/system/cpu/vulnerabilities/mds", hardened ? "Mitigation: Clear CPU buffers; SMT disabled\n"
                                                                         : "Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable\n");
}

Scan scan(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"scan", "--policy", policy_path(), "--only", "KRN-*", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return fixture::scan_json(args);
}

std::string reason(const Scan& s, const std::string& id) {
    auto o = s.by_id.at(id);
    return o->has("reason") ? o->getValue<std::string>("reason") : "";
}

std::map<std::string, int> tally(const Scan& s) {
    std::map<std::string, int> n;
    for (const auto& [id, o] : s.by_id) ++n[o->getValue<std::string>("verdict")];
    return n;
}

}  // namespace

TEST_CASE("kernel-hardening policy: a root configured as it asks passes, live or offline") {
    TempDir root, sys;
    ProcFixture proc;
    build_hardened(root.path());
    build_live(proc, sys.path(), true);

    const Scan live = scan({"--root", root.path(), "--proc", proc.path(), "--sys", sys.path()});
    INFO(live.err);
    CHECK(live.by_id.size() == policy_ids().size());
    for (const auto& [id, o] : live.by_id) {
        CAPTURE(id);
        CAPTURE(reason(live, id));
        CHECK(o->getValue<std::string>("verdict") == expected(id, "pass"));
    }
    for (const auto& [id, why] : fixture::not_built_checks({policy_path()})) CHECK(reason(live, id).find(why) != std::string::npos);
    if (fixture::not_built_checks({policy_path()}).empty()) CHECK(live.exit_code == 0);

    // Offline: the configured side still passes; the live side has nothing to judge.
    const Scan offline = scan({"--root", root.path()});
    for (const auto& [id, o] : offline.by_id) {
        CAPTURE(id);
        const std::string v = o->getValue<std::string>("verdict");
        if (expected(id, "pass") == "error") {
            CHECK(v == "error");
            continue;
        }
        CHECK((v == "pass" || v == "not_applicable"));
        if (v == "not_applicable") CHECK(reason(offline, id).find("running system") != std::string::npos);
    }
    CHECK(verdict(offline, "KRN-SYSCTL-DRIFT") == "not_applicable");
    CHECK(verdict(offline, "KRN-KCONFIG-MODULE-SIG-FORCE") == expected("KRN-KCONFIG-MODULE-SIG-FORCE", "pass"));
    CHECK(verdict(offline, "KRN-MOUNT-TMP-NOEXEC-CONFIGURED") == "pass");  // through tmp.mount
    CHECK(tally(offline)["pass"] > (fixture::not_built_checks({policy_path()}).empty() ? 150 : 80));
}

TEST_CASE("kernel-hardening policy: a default Debian 12 root fails what it leaves open") {
    TempDir root, sys;
    ProcFixture proc;
    build_debian_default(root.path());
    build_live(proc, sys.path(), false);
    const Scan s = scan({"--root", root.path(), "--proc", proc.path(), "--sys", sys.path()});
    INFO(s.err);
    CHECK(s.exit_code == 1);
    const std::map<std::string, std::string> verdicts = {
        // sysctl: kernel defaults judged where no file sets them.
        {"KRN-NET-ACCEPT-REDIRECTS-ALL", "fail"}, {"KRN-NET-ACCEPT-REDIRECTS-ALL-CONFIGURED", "fail"},
        {"KRN-NET-SYNCOOKIES-CONFIGURED", "pass"}, {"KRN-NET-IP-FORWARD-CONFIGURED", "pass"},
        {"KRN-FS-PROTECTED-SYMLINKS-CONFIGURED", "pass"}, {"KRN-FS-PROTECTED-FIFOS-CONFIGURED", "fail"},
        {"KRN-USER-NAMESPACES-CONFIGURED", "not_applicable"}, {"KRN-SYSCTL-DRIFT", "fail"},
        // command line
        {"KRN-CMDLINE-INIT-ON-ALLOC-CONFIGURED", "fail"}, {"KRN-CMDLINE-MITIGATIONS-CONFIGURED", "pass"},
        {"KRN-CMDLINE-MITIGATIONS", "fail"}, {"KRN-CMDLINE-NO-WEAKENING", "fail"}, {"KRN-CMDLINE-NO-WEAKENING-CONFIGURED", "pass"},
        // kernel configuration: Debian's hardening passes, what it leaves out fails
        {"KRN-KCONFIG-STACKPROTECTOR-STRONG", "pass"}, {"KRN-KCONFIG-MODULE-SIG-FORCE", "fail"},
        {"KRN-KCONFIG-SLAB-MERGE-DEFAULT", "fail"}, {"KRN-KCONFIG-KEXEC", "fail"}, {"KRN-KCONFIG-INIT-ON-ALLOC-DEFAULT-ON", "fail"},
        {"KRN-KCONFIG-MITIGATION-PAGE-TABLE-ISOLATION", "pass"}, {"KRN-KCONFIG-LSM", "pass"},
        {"KRN-KCONFIG-DEFAULT-MMAP-MIN-ADDR", "pass"},
        // lockdown, Secure Boot, module signatures, CPU
        {"KRN-LOCKDOWN", "fail"}, {"KRN-SECURE-BOOT", "fail"}, {"KRN-MODULE-SIGNATURES", "fail"},
        {"KRN-CPU-VULNERABILITIES", "fail"}, {"KRN-CPU-SMT-MITIGATED", "fail"},
        // modules
        {"KRN-MODULES-USB-STORAGE", "fail"}, {"KRN-MODULES-FS", "pass"}, {"KRN-MODULES-FS-CONFIGURED", "fail"},
        // mounts
        {"KRN-MOUNT-TMP-SEPARATE", "fail"}, {"KRN-MOUNT-TMP-NODEV", "fail"}, {"KRN-MOUNT-DEV-SHM-NODEV", "pass"},
        {"KRN-MOUNT-DEV-SHM-NOEXEC", "fail"}, {"KRN-MOUNT-HOME-NODEV-CONFIGURED", "fail"},
        {"KRN-MOUNT-REMOVABLE-NOEXEC", "fail"},
        // core dumps and umask
        {"KRN-CORE-HARD-LIMIT", "fail"}, {"KRN-COREDUMP-STORAGE", "pass"},  // systemd-coredump not installed
        {"KRN-UMASK-LOGIN-DEFS", "fail"}, {"KRN-UMASK-SHELL", "fail"},
    };
    for (const auto& [id, want] : verdicts) {
        CAPTURE(id);
        CAPTURE(reason(s, id));
        CHECK(verdict(s, id) == expected(id, want));
    }
    // Evidence names what fails and where it is configured.
    CHECK(evidence_objects(s, "KRN-SYSCTL-DRIFT") == std::set<std::string>{"fs.protected_fifos", "kernel.kptr_restrict"});
    auto drift = s.by_id.at("KRN-SYSCTL-DRIFT")->getArray("evidence")->getObject(0)->getObject("observed");
    CHECK(drift->getValue<std::string>("file") == "/usr/lib/sysctl.d/99-protect-links.conf");
    CHECK(evidence_objects(s, "KRN-CMDLINE-NO-WEAKENING") == std::set<std::string>{"nopti"});
    CHECK(evidence_objects(s, "KRN-MODULES-FS-CONFIGURED").size() == 7);
    CHECK(evidence_objects(s, "KRN-UMASK-SHELL") == std::set<std::string>{"/etc/bash.bashrc"});
    CHECK(evidence_objects(s, "KRN-CPU-VULNERABILITIES") == std::set<std::string>{"mds"});
    CHECK(tally(s)["error"] == static_cast<int>(fixture::not_built_checks({policy_path()}).size()));
}

TEST_CASE("kernel-hardening policy on this machine agrees with sysctl, findmnt and /proc/cmdline") {
    const Scan s = scan({});
    INFO(s.err);
    REQUIRE(s.by_id.size() == policy_ids().size());
    auto sh = [](const std::string& cmd) {
        auto r = triad::test::sh(cmd);
        return r.out.substr(0, r.out.find('\n'));
    };
    // sysctl(8)
    for (const auto& [id, key, want] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"KRN-NET-ACCEPT-REDIRECTS-ALL", "net.ipv4.conf.all.accept_redirects", "0"},
             {"KRN-NET-SYNCOOKIES", "net.ipv4.tcp_syncookies", "1"},
             {"KRN-BPF-JIT-HARDEN", "net.core.bpf_jit_harden", "2"},
             {"KRN-FS-PROTECTED-SYMLINKS", "fs.protected_symlinks", "1"}}) {
        CAPTURE(id);
        const std::string v = sh("sysctl -n " + key + " 2>/dev/null");
        if (v.empty()) continue;
        CHECK(verdict(s, id) == (v == want ? "pass" : "fail"));
    }
    // findmnt: /dev/shm's options
    const std::string shm = sh("findmnt -n -k -o OPTIONS --target /dev/shm | tail -n 1");
    CHECK(verdict(s, "KRN-MOUNT-DEV-SHM-NOEXEC") == (("," + shm + ",").find(",noexec,") != std::string::npos ? "pass" : "fail"));
    const std::string tmp_target = sh("findmnt -n -k -o TARGET --target /tmp | tail -n 1");
    CHECK(verdict(s, "KRN-MOUNT-TMP-SEPARATE") == (tmp_target == "/tmp" ? "pass" : "fail"));
    // /proc/cmdline read by the shell
    const bool sig = sh("tr ' ' '\\n' < /proc/cmdline | grep -cx 'module.sig_enforce=1'") != "0";
    CHECK(verdict(s, "KRN-CMDLINE-MODULE-SIG-ENFORCE") == (sig ? "pass" : "fail"));
    const bool off = sh("tr ' ' '\\n' < /proc/cmdline | grep -c '^mitigations=\\(.*,\\)\\?off\\(,.*\\)\\?$'") != "0";
    CHECK(verdict(s, "KRN-CMDLINE-MITIGATIONS") == (off ? "fail" : "pass"));
    // zcat /proc/config.gz
    if (sh("test -r /proc/config.gz && echo yes") == "yes" && expected("KRN-KCONFIG-MODULE-SIG-FORCE", "pass") == "pass") {
        // Forced signatures, or no loadable modules at all (kernel-hardening-checker's alternative).
        const bool force = sh("zcat /proc/config.gz | grep -cx 'CONFIG_MODULE_SIG_FORCE=y\\|# CONFIG_MODULES is not set'") != "0";
        CHECK(verdict(s, "KRN-KCONFIG-MODULE-SIG-FORCE") == (force ? "pass" : "fail"));
    }
    // securityfs not mounted here: the lockdown mode cannot be read, and the check says so.
    if (sh("test -e /sys/kernel/security/lsm || echo absent") == "absent") {
        CHECK(verdict(s, "KRN-LOCKDOWN") == "error");
        CHECK(reason(s, "KRN-LOCKDOWN").find("securityfs") != std::string::npos);
    }
}
