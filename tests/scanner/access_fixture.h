// SPDX-License-Identifier: Apache-2.0
// Fixture roots for the access-control collectors and policy: a hardened Debian-like tree
// in which every check of rules/policies/access-control.yml passes, built with the real
// tools (mkpasswd hashes, setfattr labels), and proc/sys trees shaped like the kernel's.
#pragma once

#include <string>

namespace triad::test {

// A crypt(5) hash made by mkpasswd (package whois): method as mkpasswd names it
// (yescrypt, sha512crypt, md5crypt, descrypt, bcrypt), rounds 0 for the default.
std::string make_hash(const std::string& method, const std::string& password, int rounds = 0);

// The password every fixture hash is made from; tests grep reports for it and its hashes.
inline constexpr const char* kFixturePassword = "correct horse battery staple";

// Writes the hardened tree under `root`. With `selinux_labels`, security.selinux xattrs
// matching the tree's file_contexts are set on the authentication files.
void build_access_root(const std::string& root, bool selinux_labels = true);

// proc and sys trees of a running system with one sshd (pid 100) listening on 0.0.0.0:22,
// confined by SELinux (sshd_t) and AppArmor (enforce), and a loopback-only helper (pid 200);
// the kernel's LSM list (sys/kernel/security/lsm) names both.
void build_live_trees(const std::string& proc, const std::string& sys);

// Runs `sshd -t` (with `-T` when dump is true) on root/etc/ssh/sshd_config the way sshd reads
// it on the audited system: in a private mount namespace where root/etc/ssh is bind-mounted
// on /etc/ssh, so Include globs resolve inside the fixture. Returns exit code and output.
struct SshdRun {
    int exit_code = -1;
    std::string out;
};
SshdRun run_sshd_check(const std::string& root, bool dump, const std::string& match_spec = "");

// sshd -t needs these (and root, for the mount namespace); tests that use them skip with a
// message when they are missing.
bool have_sshd();
bool have_tool(const std::string& name);

}  // namespace triad::test
