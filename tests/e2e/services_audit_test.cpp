// SPDX-License-Identifier: Apache-2.0
// rules/policies/services.yml and audit.yml end to end: `triad scan --root FIXTURE` over a
// hardened fixture root (every root-scope check passes) and a weak one (every root-scope
// check fails); the live checks are not_applicable for an offline root, and checks whose
// collector this build left out (TRIAD_WITH_AUDIT=OFF) are errors.
#include <doctest/doctest.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <map>
#include <set>

#include "rules/load/policy_loader.h"
#include "scanner/core/registry.h"
#include "tests/e2e/policy_checks.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;

namespace {

namespace fixture = triad::test::fixture;

const std::vector<std::string> kPolicies{"services.yml", "audit.yml"};

std::string policy_path(const std::string& name) { return triad::test::source_dir() + "/rules/policies/" + name; }

std::vector<std::string> policy_files() {
    std::vector<std::string> files;
    for (const std::string& p : kPolicies) files.push_back(policy_path(p));
    return files;
}

std::vector<std::string> policy_ids() { return fixture::policy_check_ids(policy_files()); }

// Checks that need the running system: not_applicable under --root.
const std::set<std::string> kLive{"AUD-KERNEL-ENABLED", "AUD-AUDITD-RUNNING", "AUD-BOOT-PARAM", "AUD-BACKLOG-LIMIT",
                                  "AUD-LOADED-RULES-CONFIGURED", "AUD-CONFIGURED-RULES-LOADED"};

std::map<std::string, std::string> scan(const std::string& root) {
    std::vector<std::string> args{"scan", "--root", root, "--format", "json"};
    for (const std::string& p : kPolicies) args.insert(args.end(), {"--policy", policy_path(p)});
    auto r = triad::test::run_triad(args);
    REQUIRE_MESSAGE((r.exit_code == 0 || r.exit_code == 1), r.err);
    Poco::JSON::Parser parser;
    auto json = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto results = json->getArray("results");
    std::map<std::string, std::string> verdicts;
    for (std::size_t i = 0; i < results->size(); ++i) {
        auto o = results->getObject(static_cast<unsigned>(i));
        verdicts[o->getValue<std::string>("id")] = o->getValue<std::string>("verdict");
    }
    return verdicts;
}

void link(const std::string& target, const std::string& path) {
    triad::test::make_dirs(path.substr(0, path.rfind('/')));
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
}

void service(const TempDir& root, const std::string& name, const std::string& body, bool enabled) {
    write_file(root / "usr/lib/systemd/system/" + name, body);
    if (enabled)
        link("/usr/lib/systemd/system/" + name,
             root / "etc/systemd/system/" + (name.ends_with(".socket") ? "sockets" : "multi-user") + ".target.wants/" + name);
}

// Every rule the CIS rule checks of audit.yml look for.
std::string cis_rules() {
    std::string rules;
    for (const char* p : {"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/security/opasswd",
                          "/etc/sudoers", "/etc/sudoers.d", "/var/log/lastlog", "/var/run/faillock", "/var/run/utmp",
                          "/var/log/wtmp", "/var/log/btmp", "/etc/localtime", "/etc/hosts", "/etc/issue",
                          "/etc/apparmor.d"})
        rules += std::string("-w ") + p + " -p wa -k cis\n";
    rules += "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change\n";
    rules += "-a always,exit -F arch=b64 -S sethostname,setdomainname -k system-locale\n";
    rules += "-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -F auid>=1000 -F auid!=unset -k modules\n";
    rules += "-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=unset -k mounts\n";
    rules += "-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown -F auid>=1000 -F auid!=unset -k perm_mod\n";
    rules += "-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr -F auid>=1000 -F auid!=unset -k perm_mod\n";
    rules += "-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F auid>=1000 -F auid!=unset -k delete\n";
    return rules;
}

void hardened_root(const TempDir& root) {
    service(root, "web.service",
            "[Service]\nExecStart=/usr/bin/web\nDynamicUser=yes\nPrivateDevices=yes\nPrivateUsers=yes\n"
            "ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\nProtectControlGroups=yes\n"
            "ProtectClock=yes\nProtectHostname=yes\nCapabilityBoundingSet=\nSystemCallFilter=@system-service\n"
            "SystemCallArchitectures=native\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nRestrictNamespaces=yes\n"
            "LockPersonality=yes\nMemoryDenyWriteExecute=yes\nRestrictRealtime=yes\nUMask=0077\n",
            true);
    service(root, "telnet.socket", "[Socket]\nListenStream=23\nAccept=yes\n", false);
    link("/dev/null", root / "etc/systemd/system/telnet.socket");
    write_file(root / "usr/bin/crontab", "", 02755);
    write_file(root / "usr/bin/at", "", 06755);
    write_file(root / "etc/cron.allow", "root\n", 0640);
    write_file(root / "etc/at.allow", "root\n", 0640);
    write_file(root / "usr/sbin/auditd", "", 0755);
    // Debian's auditd.service runs as root; a sandboxed one keeps the services checks passing.
    service(root, "auditd.service",
            "[Service]\nType=forking\nExecStart=/usr/sbin/auditd\nNoNewPrivileges=yes\nProtectSystem=full\n"
            "ProtectHome=yes\nPrivateTmp=yes\nPrivateNetwork=yes\nProtectKernelTunables=yes\nProtectKernelModules=yes\n"
            "ProtectControlGroups=yes\nRestrictNamespaces=yes\nSystemCallArchitectures=native\nMemoryDenyWriteExecute=yes\n"
            "LockPersonality=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\nPrivateDevices=yes\n",
            true);
    write_file(root / "etc/audit/auditd.conf",
               "log_file = /var/log/audit/audit.log\nmax_log_file_action = keep_logs\nspace_left_action = email\n"
               "admin_space_left_action = single\ndisk_full_action = halt\ndisk_error_action = syslog\n", 0640);
    write_file(root / "etc/audit/rules.d/10-base.rules", "-D\n-b 8192\n-f 1\n", 0640);
    write_file(root / "etc/audit/rules.d/50-cis.rules", cis_rules(), 0640);
    write_file(root / "etc/audit/rules.d/99-finalize.rules", "-e 2\n", 0640);
    triad::test::make_dirs(root / "etc/sudoers.d");
    triad::test::make_dirs(root / "etc/apparmor.d");
    write_file(root / "etc/systemd/journald.conf", "[Journal]\nStorage=persistent\n");
    write_file(root / "etc/inetd.conf", "#<off># telnet stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd\n");
}

void weak_root(const TempDir& root) {
    service(root, "plain.service", "[Service]\nExecStart=/usr/bin/plain\n", true);
    service(root, "broken.service", "[Unit]\nDescription=nothing to run\n", true);
    service(root, "telnet.socket", "[Socket]\nListenStream=23\nAccept=yes\n", true);
    service(root, "tftpd-hpa.service", "[Service]\nExecStart=/usr/sbin/in.tftpd\n", true);
    service(root, "xinetd.service", "[Service]\nExecStart=/usr/sbin/xinetd\n", true);
    service(root, "ypserv.service", "[Service]\nExecStart=/usr/sbin/ypserv\n", true);
    service(root, "debug-shell.service", "[Service]\nExecStart=/bin/sh\n", true);
    service(root, "avahi-daemon.service", "[Service]\nExecStart=/usr/sbin/avahi-daemon\nUser=avahi\n", true);
    write_file(root / "usr/bin/crontab", "", 02755);
    write_file(root / "usr/bin/at", "", 06755);
    write_file(root / "etc/at.deny", "daemon\n", 0640);
    write_file(root / "usr/sbin/auditd", "", 0755);
    service(root, "auditd.service", "[Service]\nType=forking\nExecStart=/usr/sbin/auditd\n", false);
    write_file(root / "etc/audit/auditd.conf", "max_log_file_action = ROTATE\nspace_left_action = SYSLOG\n", 0640);
    write_file(root / "etc/audit/rules.d/audit.rules", "-D\n-b 8192\n-f 1\n--backlog_wait_time 60000\n", 0640);
    write_file(root / "etc/systemd/journald.conf", "[Journal]\nStorage=volatile\n");
    write_file(root / "etc/inetd.conf", "telnet stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd\n");
}

std::string expected(const std::string& id, const std::string& verdict) {
    static const fixture::ExpectedVerdicts expected_verdicts(policy_files());
    return expected_verdicts.of(id, kLive.count(id) ? "not_applicable" : verdict);
}

}  // namespace

TEST_CASE("services and audit policies: every root check passes on a hardened root and fails on a weak one") {
    const std::vector<std::string> ids = policy_ids();
    REQUIRE(ids.size() >= 50);

    TempDir good;
    hardened_root(good);
    auto verdicts = scan(good.path());
    for (const std::string& id : ids) {
        INFO(id);
        CHECK(verdicts[id] == expected(id, "pass"));
    }

    TempDir weak;
    weak_root(weak);
    verdicts = scan(weak.path());
    for (const std::string& id : ids) {
        INFO(id);
        CHECK(verdicts[id] == expected(id, "fail"));
    }
}

TEST_CASE("services and audit policies: shipped policies load") {
    for (const std::string& p : kPolicies) {
        auto r = triad::test::run_triad({"policy", "check", policy_path(p)});
        CHECK_MESSAGE(r.exit_code == 0, p << ": " << r.out << r.err);
    }
}
