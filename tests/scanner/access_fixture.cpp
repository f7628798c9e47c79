// SPDX-License-Identifier: Apache-2.0
#include "tests/scanner/access_fixture.h"

#include <stdexcept>

#include "tests/test_support.h"

namespace triad::test {
namespace {

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void label(const std::string& root, const std::string& path, const std::string& context) {
    RunResult r = run({"setfattr", "-h", "-n", "security.selinux", "-v", context, root + path});
    if (r.exit_code != 0) throw std::runtime_error("setfattr " + path + ": " + r.err);
}

}  // namespace

bool have_tool(const std::string& name) { return sh("command -v " + quote(name) + " >/dev/null").exit_code == 0; }

// sshd is run in a private mount namespace, which needs root (CAP_SYS_ADMIN): without it the
// comparisons with sshd are skipped, not failed.
bool have_sshd() { return sh("test -x /usr/sbin/sshd && unshare -m true 2>/dev/null").exit_code == 0; }

std::string make_hash(const std::string& method, const std::string& password, int rounds) {
    std::vector<std::string> argv{"mkpasswd", "-m", method};
    if (rounds > 0) {
        argv.push_back("-R");
        argv.push_back(std::to_string(rounds));
    }
    argv.push_back(password);
    RunResult r = run(argv);
    if (r.exit_code != 0 || r.out.empty()) throw std::runtime_error("mkpasswd -m " + method + " failed: " + r.err);
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
}

void build_access_root(const std::string& root, bool selinux_labels) {
    const std::string root_hash = make_hash("yescrypt", kFixturePassword);
    const std::string alice_hash = make_hash("sha512crypt", kFixturePassword, 10000);
    write_file(root + "/etc/passwd",
               "root:x:0:0:root:/root:/bin/bash\n"
               "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
               "sync:x:4:65534:sync:/bin:/bin/sync\n"
               "sshd:x:104:65534::/run/sshd:/usr/sbin/nologin\n"
               "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    write_file(root + "/etc/shadow",
               "root:" + root_hash + ":19700:1:365:7:45::\n"
               "daemon:*:19700:0:99999:7:::\n"
               "sync:*:19700:0:99999:7:::\n"
               "sshd:!:19700::::::\n"
               "alice:" + alice_hash + ":19700:1:365:7:30::\n"
               "nobody:*:19700:0:99999:7:::\n",
               0640);
    write_file(root + "/etc/group",
               "root:x:0:\ndaemon:x:1:\nadm:x:4:\nshadow:x:42:\nsudo:x:27:\nsshusers:x:900:alice\n"
               "sugroup:x:901:\nalice:x:1000:\nnogroup:x:65534:\n");
    write_file(root + "/etc/gshadow",
               "root:*::\ndaemon:*::\nadm:*::\nshadow:*::\nsudo:*::\nsshusers:!::alice\nsugroup:!::\nalice:!::\nnogroup:*::\n",
               0640);
    write_file(root + "/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n");
    write_file(root + "/etc/login.defs",
               "MAIL_DIR /var/mail\nPASS_MAX_DAYS 365\nPASS_MIN_DAYS 1\nPASS_WARN_AGE 7\nUID_MIN 1000\n"
               "ENCRYPT_METHOD YESCRYPT\n");
    write_file(root + "/etc/default/useradd", "SHELL=/bin/sh\nINACTIVE=30\n");
    write_file(root + "/etc/security/pwquality.conf",
               "# hardened\nminlen = 14\ndifok = 2\nmaxrepeat = 3\ndictcheck = 1\nenforcing = 1\nenforce_for_root\n");
    make_dirs(root + "/etc/security/pwquality.conf.d");
    write_file(root + "/etc/security/faillock.conf", "deny = 5\nunlock_time = 900\n");

    // The modules the stacks name are installed (their presence is what the PAM collectors
    // check, not their code), in Debian's multiarch module directory.
    for (const char* module : {"pam_unix.so", "pam_deny.so", "pam_permit.so", "pam_faillock.so", "pam_pwquality.so",
                               "pam_pwhistory.so", "pam_rootok.so", "pam_wheel.so", "pam_google_authenticator.so"})
        write_file(root + "/usr/lib/x86_64-linux-gnu/security/" + module, "", 0644);
    write_file(root + "/etc/pam.d/common-auth",
               "auth\trequired\t\t\tpam_faillock.so preauth\n"
               "auth\t[success=1 default=ignore]\tpam_unix.so\n"
               "auth\t[default=die]\t\tpam_faillock.so authfail\n"
               "auth\trequisite\t\t\tpam_deny.so\n"
               "auth\trequired\t\t\tpam_permit.so\n"
               "auth\tsufficient\t\tpam_faillock.so authsucc\n");
    write_file(root + "/etc/pam.d/common-password",
               "password\trequisite\t\t\tpam_pwquality.so retry=3\n"
               "password\trequisite\t\t\tpam_pwhistory.so remember=24 enforce_for_root use_authtok\n"
               "password\t[success=1 default=ignore]\tpam_unix.so obscure use_authtok try_first_pass yescrypt\n"
               "password\trequisite\t\t\tpam_deny.so\n"
               "password\trequired\t\t\tpam_permit.so\n");
    write_file(root + "/etc/pam.d/common-account", "account\trequired\tpam_unix.so\n");
    // The services that change passwords and take logins, as Debian writes them.
    write_file(root + "/etc/pam.d/passwd", "@include common-password\n");
    write_file(root + "/etc/pam.d/login", "@include common-auth\n@include common-account\n@include common-password\n");
    write_file(root + "/etc/pam.d/su",
               "auth       sufficient pam_rootok.so\n"
               "auth       required   pam_wheel.so use_uid group=sugroup\n"
               "@include common-auth\n@include common-account\n");
    write_file(root + "/etc/pam.d/sshd",
               "@include common-auth\nauth required pam_google_authenticator.so\n"
               "@include common-account\n@include common-password\n");

    write_file(root + "/etc/sudoers",
               "Defaults\tenv_reset\n"
               "Defaults\tuse_pty\n"
               "Defaults\tlogfile=\"/var/log/sudo.log\"\n"
               "Defaults\ttimestamp_timeout=15\n"
               "root\tALL=(ALL:ALL) ALL\n"
               "%sudo\tALL=(ALL:ALL) ALL\n"
               "@includedir /etc/sudoers.d\n",
               0440);
    write_file(root + "/etc/sudoers.d/admins", "alice ALL=(root) /usr/bin/systemctl restart nginx\n", 0440);
    write_file(root + "/etc/sudoers.d/README", "# files here are read by sudo\n", 0440);

    write_file(root + "/etc/ssh/sshd_config",
               "Include /etc/ssh/sshd_config.d/*.conf\n"
               "PermitRootLogin no\n"
               "PasswordAuthentication no\n"
               "PermitEmptyPasswords no\n"
               "X11Forwarding no\n"
               "MaxAuthTries 4\n"
               "LoginGraceTime 1m\n"
               "IgnoreRhosts yes\n"
               "HostbasedAuthentication no\n"
               "PermitUserEnvironment no\n"
               "UsePAM yes\n"
               "ClientAliveInterval 15\n"
               "ClientAliveCountMax 3\n"
               "MaxSessions 10\n"
               "AllowGroups sshusers\n"
               "Banner /etc/issue.net\n"
               "GSSAPIAuthentication no\n"
               "DisableForwarding yes\n"
               "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr\n"
               "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256\n"
               "KexAlgorithms -diffie-hellman-group14-sha256,ecdh-sha2-*\n"
               "Subsystem sftp /usr/lib/openssh/sftp-server\n");
    write_file(root + "/etc/ssh/sshd_config.d/10-logging.conf", "LogLevel VERBOSE\n");
    write_file(root + "/etc/issue.net", "Authorized use only.\n");

    // SELinux: Debian's policy type is "default"; the file_contexts lines are written the way
    // refpolicy writes them (regex, optional file type, context).
    write_file(root + "/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=default\n");
    write_file(root + "/etc/selinux/default/policy/policy.33", "not a real policy: only its presence is checked\n");
    write_file(root + "/etc/selinux/default/contexts/files/file_contexts",
               "/.*\t\t\tsystem_u:object_r:default_t:s0\n"
               "/etc(/.*)?\t\tsystem_u:object_r:etc_t:s0\n"
               "/etc/passwd[-+]?\t--\tsystem_u:object_r:passwd_file_t:s0\n"
               "/etc/group[-+]?\t--\tsystem_u:object_r:passwd_file_t:s0\n"
               "/etc/shadow.*\t\t--\tsystem_u:object_r:shadow_t:s0\n"
               "/etc/gshadow.*\t--\tsystem_u:object_r:shadow_t:s0\n"
               "/etc/sudoers\t\t--\tsystem_u:object_r:etc_t:s0\n"
               "/etc/ssh(/.*)?\t\tsystem_u:object_r:etc_t:s0\n"
               "/usr(/.*)?\t\tsystem_u:object_r:usr_t:s0\n"
               "/usr/sbin/sshd\t--\tsystem_u:object_r:sshd_exec_t:s0\n"
               "/usr/bin/sudo\t\t--\tsystem_u:object_r:sudo_exec_t:s0\n"
               "/usr/bin/passwd\t--\tsystem_u:object_r:passwd_exec_t:s0\n"
               "/usr/bin/su\t\t--\tsystem_u:object_r:su_exec_t:s0\n"
               "/tmp(/.*)?\t\t<<none>>\n");
    write_file(root + "/etc/selinux/default/contexts/customizable_types", "httpd_user_content_t\n");
    for (const char* bin : {"/usr/sbin/sshd", "/usr/bin/sudo", "/usr/bin/passwd", "/usr/bin/su"})
        write_file(root + bin, "#!/bin/sh\n", 0755);

    write_file(root + "/usr/sbin/apparmor_parser", "#!/bin/sh\n", 0755);
    make_dirs(root + "/etc/apparmor.d/disable");
    make_dirs(root + "/etc/apparmor.d/tunables");
    write_file(root + "/etc/apparmor.d/tunables/global", "@{HOME}=/home/*/ /root/\n");
    write_file(root + "/etc/apparmor.d/usr.sbin.sshd",
               "# sshd\nabi <abi/3.0>,\n#include <tunables/global>\n\n"
               "/usr/sbin/sshd flags=(attach_disconnected) {\n"
               "  #include <abstractions/base>\n"
               "  @{PROC}/@{pid}/fd/ r,\n"
               "  /usr/{bin,sbin}/* mr,\n"
               "  ^privsep {\n    /var/run/sshd r,\n  }\n"
               "}\n");
    write_file(root + "/boot/grub/grub.cfg",
               "menuentry 'Debian GNU/Linux' {\n"
               "\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro quiet apparmor=1 security=apparmor\n"
               "}\n");

    if (selinux_labels) {
        label(root, "/etc/passwd", "system_u:object_r:passwd_file_t:s0");
        label(root, "/etc/group", "system_u:object_r:passwd_file_t:s0");
        label(root, "/etc/shadow", "system_u:object_r:shadow_t:s0");
        label(root, "/etc/gshadow", "system_u:object_r:shadow_t:s0");
        label(root, "/etc/sudoers", "system_u:object_r:etc_t:s0");
        label(root, "/etc/ssh/sshd_config", "system_u:object_r:etc_t:s0");
        label(root, "/usr/sbin/sshd", "system_u:object_r:sshd_exec_t:s0");
        label(root, "/usr/bin/sudo", "system_u:object_r:sudo_exec_t:s0");
        label(root, "/usr/bin/passwd", "system_u:object_r:passwd_exec_t:s0");
        label(root, "/usr/bin/su", "system_u:object_r:su_exec_t:s0");
    }
}

void build_live_trees(const std::string& proc, const std::string& sys) {
    const std::string header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    write_file(proc + "/net/tcp",
               header +
                   "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0 100 0 0 10 0\n"
                   "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5678 1 0 100 0 0 10 0\n");
    write_file(proc + "/net/tcp6", header);
    write_file(proc + "/net/udp", header);
    write_file(proc + "/net/udp6", header);
    struct Proc {
        int pid;
        const char* name;
        const char* exe;
        const char* selinux;
        const char* apparmor;
        const char* socket;
    };
    for (const Proc& p : {Proc{100, "sshd", "/usr/sbin/sshd", "system_u:system_r:sshd_t:s0-s0:c0.c1023",
                               "/usr/sbin/sshd (enforce)", "socket:[1234]"},
                          Proc{200, "helper", "/usr/local/bin/helper", "system_u:system_r:unconfined_service_t:s0",
                               "unconfined", "socket:[5678]"}}) {
        const std::string dir = proc + "/" + std::to_string(p.pid);
        write_file(dir + "/status", std::string("Name:\t") + p.name + "\nUid:\t0\t0\t0\t0\nNoNewPrivs:\t0\nSeccomp:\t0\n");
        write_file(dir + "/comm", std::string(p.name) + "\n");
        write_file(dir + "/cmdline", std::string(p.exe) + '\0');
        write_file(dir + "/attr/current", std::string(p.selinux) + '\0');
        write_file(dir + "/attr/apparmor/current", std::string(p.apparmor) + "\n");
        make_dirs(dir + "/fd");
        sh("ln -s " + quote(p.exe) + " " + quote(dir + "/exe") + " && ln -s " + quote(p.socket) + " " + quote(dir + "/fd/3"));
    }
    write_file(sys + "/fs/selinux/enforce", "1");
    write_file(sys + "/module/apparmor/parameters/enabled", "Y\n");
    write_file(sys + "/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor,selinux");
    write_file(sys + "/kernel/security/apparmor/profiles", "/usr/sbin/sshd (enforce)\n");
}

SshdRun run_sshd_check(const std::string& root, bool dump, const std::string& match_spec) {
    // sshd -t insists on its privilege-separation directory and reads /etc/ssh; both are
    // given to it in a throw-away mount namespace so the machine's own files are never touched.
    std::string cmd = "unshare -m sh -c " +
                      quote("mount -t tmpfs tmpfs /run && mkdir /run/sshd && mount --bind " + quote(root + "/etc/ssh") +
                            " /etc/ssh && exec /usr/sbin/sshd " + (dump ? "-T" : "-t") +
                            " -f /etc/ssh/sshd_config -h " + quote(root + "/hostkey/ssh_host_ed25519_key") +
                            (match_spec.empty() ? "" : " -C " + quote(match_spec)) + " 2>&1");
    if (sh("test -f " + quote(root + "/hostkey/ssh_host_ed25519_key") + " || (mkdir -p " + quote(root + "/hostkey") +
           " && ssh-keygen -q -t ed25519 -N '' -f " + quote(root + "/hostkey/ssh_host_ed25519_key") + ")")
            .exit_code != 0)
        return {};
    RunResult r = sh(cmd);
    return {r.exit_code, r.out + r.err};
}

}  // namespace triad::test
