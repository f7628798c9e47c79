// SPDX-License-Identifier: Apache-2.0
// stale_code: a real process that maps a deleted library and a library replaced under it
// (made by the test with python3's ctypes), and fixture proc trees for the package lookup
// through dpkg's md5sums and for a mapping whose path now names another inode.
#include "scanner/collectors/packages/stale_code.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "scanner/packages/dpkg_md5sums.h"
#include "tests/scanner/fact_text.h"
#include "tests/scanner/proc_fixture.h"
#include "tests/test_support.h"

extern char** environ;

using namespace triad::scanner;
using triad::test::field_text;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet collect(const std::string& root_dir, const std::string& proc_dir) {
    auto root = Sysroot::open(root_dir).value();
    auto proc = Sysroot::open(proc_dir).value();
    const IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids};
    ctx.proc = &proc;
    return kStaleCodeCollector.collect(ctx, SelectArgs{});
}

// A child that runs `script` and is killed when the test ends; started() returns once it
// printed its first line.
class Child {
public:
    explicit Child(const std::string& script) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        const char* argv[] = {"python3", "-c", script.c_str(), nullptr};
        const int rc = ::posix_spawnp(&pid_, "python3", &actions, nullptr, const_cast<char**>(argv), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        REQUIRE(rc == 0);
        char c = 0;
        while (::read(fds[0], &c, 1) == 1 && c != '\n') line_ += c;
        ::close(fds[0]);
    }
    ~Child() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    pid_t pid() const { return pid_; }
    const std::string& line() const { return line_; }

private:
    pid_t pid_ = -1;
    std::string line_;
};

std::string a_shared_library() {
    for (const char* p : {"/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1",
                          "/usr/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libbz2.so.1.0"})
        if (::access(p, R_OK) == 0) return p;
    return {};
}

const Fact* fact_of(const FactSet& facts, pid_t pid) {
    for (const Fact& f : facts)
        if (f.object.starts_with(std::to_string(pid) + " ")) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("stale_code: a process that maps a deleted library, and a library replaced under it") {
    const std::string lib = a_shared_library();
    if (lib.empty() || triad::test::run({"python3", "-c", "import ctypes"}).exit_code != 0) {
        MESSAGE("skipped: needs python3 with ctypes and libz or libbz2 to load");
        return;
    }
    TempDir dir;
    const std::string deleted = dir / "libdeleted.so";
    const std::string replaced = dir / "libreplaced.so";
    std::filesystem::copy_file(lib, deleted);
    std::filesystem::copy_file(lib, replaced);
    // Deleted: loaded, then unlinked. Replaced: loaded, a new file renamed over its path as
    // dpkg installs it, while a second name keeps the old inode alive: the kernel still marks
    // the mapping deleted, because the name it was opened by is gone.
    Child child("import ctypes, os, shutil, time\n"
                "ctypes.CDLL('" + deleted + "'); os.unlink('" + deleted + "')\n"
                "ctypes.CDLL('" + replaced + "'); os.link('" + replaced + "', '" + replaced + ".keep')\n"
                "shutil.copy('" + lib + "', '" + replaced + ".new'); os.rename('" + replaced + ".new', '" + replaced + "')\n"
                "print('ready', flush=True)\ntime.sleep(60)\n");
    REQUIRE(child.line() == "ready");

    const FactSet facts = collect("/", "/proc");
    const Fact* f = fact_of(facts, child.pid());
    REQUIRE_MESSAGE(f, "no stale_code object for the child");
    const std::string files = field_text(*f, kStaleCodeCollector.fields, "files");
    CHECK(files.find(deleted + " (deleted)") != std::string::npos);
    CHECK(files.find(replaced + " (deleted)") != std::string::npos);
    CHECK(field_text(*f, kStaleCodeCollector.fields, "name").starts_with("python3"));
    // The libraries belong to no package: no guessed owner.
    CHECK(field_text(*f, kStaleCodeCollector.fields, "packages") == "(absent)");
    // This test process maps nothing deleted.
    CHECK(fact_of(facts, ::getpid()) == nullptr);
}

TEST_CASE("stale_code: the owning package from dpkg's md5sums, across the merged-/usr spelling") {
    triad::test::ProcFixture proc;
    proc.add({.pid = 10, .name = "sshd", .exe = "/usr/sbin/sshd"});
    proc.add({.pid = 20, .name = "cron", .exe = "/usr/sbin/cron"});
    proc.add({.pid = 30, .name = "app", .exe = "/opt/app/bin/app"});
    write_file(proc.path() + "/10/maps",
               "55d0c0000000-55d0c0010000 r--p 00000000 fd:01 1001 /usr/sbin/sshd\n"
               "7f0000000000-7f0000100000 r-xp 00010000 fd:01 2002 /lib/x86_64-linux-gnu/libssl.so.3 (deleted)\n"
               "7f0000100000-7f0000200000 r--p 00000000 fd:01 2003 /usr/lib/x86_64-linux-gnu/libdata.so (deleted)\n"
               "7f0000200000-7f0000300000 r-xp 00000000 00:01 2004 /memfd:jit (deleted)\n"
               "7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0 [vdso]\n");
    write_file(proc.path() + "/20/maps", "55d0c0000000-55d0c0010000 r-xp 00000000 fd:01 1003 /usr/sbin/cron\n");
    write_file(proc.path() + "/30/maps", "55d0c0000000-55d0c0010000 r-xp 00000000 fd:01 1004 /opt/app/lib/my lib.so (deleted)\n");
    TempDir root;
    write_file(root / "var/lib/dpkg/info/libssl3:amd64.md5sums",
               "0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libssl.so.3\n");
    write_file(root / "var/lib/dpkg/info/openssh-server.md5sums", "0123456789abcdef0123456789abcdef  usr/sbin/sshd\n");

    const FactSet facts = collect(root.path(), proc.path());
    REQUIRE(facts.size() == 2);
    CHECK(facts[0].object == "10 sshd");
    CHECK(field_text(facts[0], kStaleCodeCollector.fields, "files") == "/lib/x86_64-linux-gnu/libssl.so.3 (deleted)");
    CHECK(field_text(facts[0], kStaleCodeCollector.fields, "packages") == "libssl3:amd64");
    CHECK(facts[1].object == "30 app");
    CHECK(field_text(facts[1], kStaleCodeCollector.fields, "files") == "/opt/app/lib/my lib.so (deleted)");
    CHECK(field_text(facts[1], kStaleCodeCollector.fields, "packages") == "(absent)");
}

TEST_CASE("stale_code: a mapped path that now names another inode on the same device is replaced") {
    TempDir root;
    write_file(root / "usr/sbin/daemon", "new build\n", 0755);
    struct stat st {};
    REQUIRE(::stat((root / "usr/sbin/daemon").c_str(), &st) == 0);
    char dev[32];
    std::snprintf(dev, sizeof dev, "%02x:%02x", major(st.st_dev), minor(st.st_dev));
    triad::test::ProcFixture proc;
    proc.add({.pid = 40, .name = "daemon", .exe = "/usr/sbin/daemon"});
    proc.add({.pid = 41, .name = "current", .exe = "/usr/sbin/daemon"});
    write_file(proc.path() + "/40/maps", "55d0c0000000-55d0c0010000 r-xp 00000000 " + std::string(dev) + " " +
                                             std::to_string(st.st_ino + 1) + " /usr/sbin/daemon\n");
    write_file(proc.path() + "/41/maps", "55d0c0000000-55d0c0010000 r-xp 00000000 " + std::string(dev) + " " +
                                             std::to_string(st.st_ino) + " /usr/sbin/daemon\n");
    const FactSet facts = collect(root.path(), proc.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].object == "40 daemon");
    CHECK(field_text(facts[0], kStaleCodeCollector.fields, "files") == "/usr/sbin/daemon (replaced)");
}

TEST_CASE("stale_code: without a proc tree it is not_applicable; an unreadable maps is an error") {
    TempDir root;
    auto r = Sysroot::open(root.path()).value();
    const IdentityTable ids = IdentityTable::load(r);
    FactSet facts = kStaleCodeCollector.collect(CollectContext{r, ids}, SelectArgs{});
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::not_applicable);

    triad::test::ProcFixture proc;
    proc.add({.pid = 10, .name = "sshd", .exe = "/usr/sbin/sshd"});
    triad::test::make_dirs(proc.path() + "/10/maps");  // a directory where the file should be
    facts = collect(root.path(), proc.path());
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("maps") != std::string::npos);
}

TEST_CASE("md5sums: lines parse, and a malformed one is an error naming the file and line") {
    auto ok = parse_md5sums("0123456789abcdef0123456789ABCDEF  usr/bin/x\n\n0123456789abcdef0123456789abcdef *etc/y z\n", "f");
    REQUIRE(ok.has_value());
    REQUIRE(ok->size() == 2);
    CHECK((*ok)[0].path == "/usr/bin/x");
    CHECK((*ok)[0].md5 == "0123456789abcdef0123456789abcdef");
    CHECK((*ok)[1].path == "/etc/y z");
    auto bad = parse_md5sums("0123456789abcdef0123456789abcdef  usr/bin/x\nnot a line\n", "pkg.md5sums");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().describe().find("pkg.md5sums") != std::string::npos);
    CHECK(bad.error().describe().find("line 2") != std::string::npos);
}
