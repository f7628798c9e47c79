// SPDX-License-Identifier: Apache-2.0
// ACLs and file capabilities as the walk reads them from real files: values longer than a
// first guess at their size, getxattrat refused by a seccomp filter, and reads the kernel
// refuses outright, which must say "unreadable", never "none".
#include "scanner/walk/file_entry.h"

#include <doctest/doctest.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <mutex>

#include "scanner/walk/file_walk.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/syscall_refusal.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::in_child_refusing;
using triad::test::kSysGetxattrat;
using triad::test::sh;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// Named-user entries enough to take the ACL xattr well past 256 bytes (8 bytes an entry).
std::string many_users(const char* prefix) {
    std::string spec;
    for (int uid = 2000; uid < 2060; ++uid) spec += (spec.empty() ? "" : ",") + std::string(prefix) + std::to_string(uid) + ":r";
    return spec;
}

// /srv/long-acl: a long access ACL; /srv/long-default: a directory with only a long default
// ACL; /srv/cap: a file capability; /srv/plain: none of them; /srv/link: a symlink.
struct XattrTree {
    TempDir dir;
    std::string getcap_text;
    XattrTree() {
        write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        write_file(dir / "etc/group", "root:x:0:\n");
        write_file(dir / "srv/long-acl", "x", 0640);
        triad::test::make_dirs(dir / "srv/long-default");
        write_file(dir / "srv/cap", "x", 0755);
        write_file(dir / "srv/plain", "x", 0644);
        REQUIRE(::symlink("plain", (dir / "srv/link").c_str()) == 0);
        auto set = sh("setfacl -m '" + many_users("u:") + "' '" + (dir / "srv/long-acl") + "' && setfacl -m '" +
                      many_users("d:u:") + "' '" + (dir / "srv/long-default") + "' && setcap cap_net_raw=ep '" +
                      (dir / "srv/cap") + "'");
        REQUIRE_MESSAGE(set.exit_code == 0, set.err);
        // The point of the fixture: both ACLs are longer than the old fixed buffer.
        REQUIRE(::lgetxattr((dir / "srv/long-acl").c_str(), "system.posix_acl_access", nullptr, 0) > 256);
        REQUIRE(::lgetxattr((dir / "srv/long-default").c_str(), "system.posix_acl_default", nullptr, 0) > 256);
        auto getcap = sh("getcap '" + (dir / "srv/cap") + "'");  // prints "PATH CAPS"
        REQUIRE(getcap.exit_code == 0);
        getcap_text = getcap.out.substr(getcap.out.find(' ') + 1);
        getcap_text.erase(getcap_text.find_last_not_of(" \n") + 1);
    }
};

struct Seen {
    std::string acl, capabilities;
    std::string acl_error, capabilities_error;  // empty: readable
};

// What the walk (entries named by their directory's descriptor, as getxattrat takes them)
// reads of /srv's entries. Usable in a child: no doctest assertion.
std::map<std::string, Seen> walk_srv(const std::string& dir) {
    auto root = Sysroot::open(dir);
    if (!root) return {};
    auto ids = IdentityTable::load(*root);
    WalkOptions options;
    options.roots = {"/srv"};
    std::map<std::string, Seen> out;
    std::mutex m;
    walk_files(
        *root, ids, options,
        [&](const FileEntry& e) {
            Seen s{field_text(e, kFileAcl), field_text(e, kFileCapabilities), "", ""};
            if (const std::string* why = e.field_error(kFileAcl)) s.acl_error = *why;
            if (const std::string* why = e.field_error(kFileCapabilities)) s.capabilities_error = *why;
            std::lock_guard l(m);
            out[e.path()] = s;
        },
        [](const WalkError&) {}, triad::Executor::serial());  // one thread: usable in a forked child
    return out;
}

// Differences from what an intact read gives, one per line; empty when there are none.
std::string compare_with_intact(std::map<std::string, Seen> seen, const std::string& caps) {
    std::string problems;
    auto expect = [&](const std::string& path, const std::string& what, const std::string& got, const std::string& want) {
        if (got != want) problems += path + " " + what + ": got '" + got + "', want '" + want + "'\n";
    };
    expect("/srv/long-acl", "acl", seen["/srv/long-acl"].acl, "true");
    expect("/srv/long-default", "acl", seen["/srv/long-default"].acl, "true");
    expect("/srv/plain", "acl", seen["/srv/plain"].acl, "false");
    expect("/srv/cap", "capabilities", seen["/srv/cap"].capabilities, caps);
    expect("/srv/plain", "capabilities", seen["/srv/plain"].capabilities, "(absent)");
    for (const auto& [path, s] : seen) {
        expect(path, "acl error", s.acl_error, "");
        expect(path, "capabilities error", s.capabilities_error, "");
    }
    return problems;
}

}  // namespace

TEST_CASE("an ACL longer than a first guess at its size is still an ACL") {
    XattrTree tree;
    CHECK(compare_with_intact(walk_srv(tree.dir.path()), tree.getcap_text) == "");
}

TEST_CASE("getxattrat refused by a seccomp filter (EPERM): ACLs and capabilities are read another way") {
    XattrTree tree;
    if (::syscall(kSysGetxattrat, -1, "", 0, "", nullptr, 0) < 0 && errno == ENOSYS)
        MESSAGE("this kernel has no getxattrat: the fallback is always taken, so this proves less");
    // Container runtimes and systemd's SystemCallFilter= answer syscalls they do not know
    // with EPERM rather than ENOSYS.
    std::string problems = in_child_refusing({kSysGetxattrat}, EPERM, [&] {
        return compare_with_intact(walk_srv(tree.dir.path()), tree.getcap_text);
    });
    CHECK(problems == "");
}

TEST_CASE("an ACL or capability the kernel refuses to read is unreadable, not absent") {
    XattrTree tree;
    // Every way to read an xattr fails, as an LSM denial or an I/O error would make it.
    std::string problems = in_child_refusing(
        {kSysGetxattrat, SYS_getxattr, SYS_lgetxattr, SYS_fgetxattr}, EACCES, [&] {
            auto seen = walk_srv(tree.dir.path());
            std::string out;
            for (const char* path : {"/srv/long-acl", "/srv/long-default", "/srv/plain", "/srv/cap"}) {
                const Seen& s = seen[path];
                if (s.acl != "(absent)" || s.acl_error.find("cannot read system.posix_acl_access: permission denied") != 0)
                    out += std::string(path) + ": acl '" + s.acl + "', error '" + s.acl_error + "'\n";
            }
            const Seen& cap = seen["/srv/cap"];
            if (cap.capabilities != "(absent)" || cap.capabilities_error.find("security.capability") == std::string::npos)
                out += "/srv/cap: capabilities '" + cap.capabilities + "', error '" + cap.capabilities_error + "'\n";
            // Symlinks carry neither, so nothing is read and nothing can fail.
            const Seen& link = seen["/srv/link"];
            if (link.acl != "false" || !link.acl_error.empty() || !link.capabilities_error.empty())
                out += "/srv/link: acl '" + link.acl + "', error '" + link.acl_error + "'\n";
            return out;
        });
    CHECK(problems == "");
}
