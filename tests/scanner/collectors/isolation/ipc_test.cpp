// SPDX-License-Identifier: Apache-2.0
// The `ipc` collector: real SysV shared memory, message queues and semaphores, a POSIX
// shared-memory object, a world-writable path socket and an abstract socket, all made by
// the test and removed afterwards, read back from the live /proc and cross-checked with
// ipcs(1); the /proc/sysvipc format (signed keys) from fixture text.
#include "scanner/collectors/isolation/ipc.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <algorithm>
#include <set>
#include <sstream>

#include "tests/scanner/fact_text.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::find_object;
using triad::test::TempDir;

namespace {

std::string field(const Fact& f, const char* name) { return triad::test::field_text(f, kIpcCollector.fields, name); }

FactSet live() {
    auto root = Sysroot::open("/").value();
    auto proc = Sysroot::open("/proc").value();
    const IdentityTable ids = IdentityTable::load(root);
    CollectContext ctx{root, ids, &proc, nullptr};
    return kIpcCollector.collect(ctx, SelectArgs{});
}

const Fact* by_kind_id(const FactSet& facts, const std::string& kind, int id) {
    for (const Fact& f : facts)
        if (f.status == FactStatus::ok && field(f, "kind") == kind && field(f, "id") == std::to_string(id)) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("sysvipc tables: signed decimal keys, octal perms, malformed rows left out") {
    const std::string shm =
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
        "-221198104          3   666                  4096  1234     0      0     0     0     0     0          0          0 1700000000                     0                     0\n"
        "         0          4  1600                 65536  1235  1236      2  1000  1000  1000  1000          0          0 1700000000                     0                     0\n"
        "not a row\n";
    auto objs = parse_sysvipc(shm, "shm");
    REQUIRE(objs.size() == 2);
    CHECK(objs[0].key == -221198104);
    CHECK(sysv_key_text(objs[0].key) == "0xf2d0c8e8");
    CHECK(objs[0].mode == 0666);
    CHECK(objs[1].mode == 01600);
    CHECK(objs[1].attached == 2);
    CHECK(sysv_key_text(0) == "0x00000000");
    auto sem = parse_sysvipc("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"
                             "     12345          7   600          2     0     0     0     0          0 1700000000\n", "sem");
    REQUIRE(sem.size() == 1);
    CHECK(sem[0].size == 2);
}

TEST_CASE("/proc/net/unix: listening flag, abstract names, paths with spaces") {
    auto socks = parse_proc_net_unix(
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 20001 /run/app.sock\n"
        "0000000000000000: 00000002 00000000 00000000 0002 01 20002 @abstract/name\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 20003\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 20004 /tmp/with space.sock\n");
    REQUIRE(socks.size() == 3);  // the unbound one has no path
    CHECK(socks[0].listening);
    CHECK(socks[0].type == "stream");
    CHECK(socks[1].path == "@abstract/name");
    CHECK_FALSE(socks[1].listening);
    CHECK(socks[2].path == "/tmp/with space.sock");
}

// Removes what the test made even when an assertion stops it early.
struct IpcCleanup {
    int shm = -1, msg = -1, sem = -1;
    std::string posix;
    ~IpcCleanup() {
        if (shm >= 0) ::shmctl(shm, IPC_RMID, nullptr);
        if (msg >= 0) ::msgctl(msg, IPC_RMID, nullptr);
        if (sem >= 0) ::semctl(sem, 0, IPC_RMID);
        if (!posix.empty()) ::shm_unlink(posix.c_str());
    }
};

TEST_CASE("ipc: real SysV, POSIX and Unix-socket objects, cross-checked with ipcs") {
    // World-writable objects of every SysV kind, and a private one.
    IpcCleanup cleanup;
    const int shm = cleanup.shm = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
    const int msg = cleanup.msg = ::msgget(IPC_PRIVATE, IPC_CREAT | 0622);
    const int sem = cleanup.sem = ::semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    REQUIRE(shm >= 0);
    REQUIRE(msg >= 0);
    REQUIRE(sem >= 0);
    void* at = ::shmat(shm, nullptr, SHM_RDONLY);
    const std::string shm_name = cleanup.posix = "/triad-test-" + std::to_string(::getpid());
    const int posix = ::shm_open(shm_name.c_str(), O_CREAT | O_RDWR, 0600);
    ::fchmod(posix, 0666);  // the umask would have cut it

    TempDir dir;
    const std::string path = dir / "ww.sock";
    const int path_sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    REQUIRE(::bind(path_sock, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(path_sock, 1) == 0);
    ::chmod(path.c_str(), 0777);
    const std::string abstract = "triad-test-abstract-" + std::to_string(::getpid());
    const int abs_sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un aa{};
    aa.sun_family = AF_UNIX;
    std::memcpy(aa.sun_path + 1, abstract.data(), abstract.size());
    REQUIRE(::bind(abs_sock, reinterpret_cast<sockaddr*>(&aa), static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract.size())) == 0);
    REQUIRE(::listen(abs_sock, 1) == 0);

    const FactSet facts = live();
    const Fact* s = by_kind_id(facts, "sysv-shm", shm);
    REQUIRE(s);
    CHECK(field(*s, "mode") == "0666");
    CHECK(field(*s, "world_writable") == "true");
    CHECK(field(*s, "attached") == "1");
    CHECK(field(*s, "creator_pid") == std::to_string(::getpid()));
    CHECK(field(*s, "key") == "0x00000000");
    const Fact* q = by_kind_id(facts, "sysv-msg", msg);
    REQUIRE(q);
    CHECK(field(*q, "world_writable") == "true");
    CHECK(field(*q, "world_readable") == "false");
    const Fact* m = by_kind_id(facts, "sysv-sem", sem);
    REQUIRE(m);
    CHECK(field(*m, "world_writable") == "false");
    CHECK(field(*m, "size") == "2");

    const Fact* p = find_object(facts, "/dev/shm" + shm_name);
    REQUIRE(p);
    CHECK(field(*p, "kind") == "posix-shm");
    CHECK(field(*p, "mode") == "0666");
    const Fact* mnt = find_object(facts, "mount /dev/shm");
    REQUIRE(mnt);
    CHECK(field(*mnt, "nodev") == (triad::test::sh("findmnt -n -o OPTIONS /dev/shm | tail -1 | grep -qw nodev").exit_code == 0 ? "true" : "false"));

    const std::string me = std::to_string(::getpid());
    const Fact* ps = find_object(facts, "unix-socket " + path);
    REQUIRE(ps);
    CHECK(field(*ps, "mode") == "0777");
    CHECK(field(*ps, "world_writable") == "true");
    CHECK(field(*ps, "listening") == "true");
    CHECK(field(*ps, "processes").find(me + " ") != std::string::npos);
    const Fact* as = find_object(facts, "abstract-socket @" + abstract);
    REQUIRE(as);
    CHECK(field(*as, "world_writable") == "true");
    CHECK(field(*as, "processes").find(me + " ") != std::string::npos);

    // ipcs lists the same SysV identifiers as the collector (this IPC namespace). Other tests
    // and programs (a PostgreSQL server starting) may make or remove objects meanwhile: every
    // id ipcs shows both before and after the collection must be ours, and every id of ours
    // must be in one of the two listings. An object made after the first listing and removed
    // before the second is in neither, so a round that saw one is taken again (up to five
    // times); an id the collector made up would be in no round.
    if (triad::test::sh("command -v ipcs >/dev/null").exit_code == 0) {
        auto ids_of = [](const char* opt) {
            std::set<long> ids;
            std::istringstream in(triad::test::sh(std::string("ipcs ") + opt + " | awk '$2 ~ /^[0-9]+$/ {print $2}'").out);
            for (long id; in >> id;) ids.insert(id);
            return ids;
        };
        for (auto [opt, kind] : {std::pair{"-m", "sysv-shm"}, std::pair{"-q", "sysv-msg"}, std::pair{"-s", "sysv-sem"}}) {
            CAPTURE(kind);
            std::set<long> before, ours, after;
            for (int round = 0; round < 5; ++round) {
                before = ids_of(opt);
                ours.clear();
                for (const Fact& f : live())
                    if (f.status == FactStatus::ok && field(f, "kind") == kind) ours.insert(std::stol(field(f, "id")));
                after = ids_of(opt);
                const bool transient = std::any_of(ours.begin(), ours.end(), [&](long id) { return !before.count(id) && !after.count(id); });
                if (!transient && before == after) break;
            }
            for (long id : before)
                if (after.count(id)) CHECK(ours.count(id) == 1);
            for (long id : ours) CHECK((before.count(id) + after.count(id)) > 0);
            CHECK(ours.count(kind == std::string("sysv-shm") ? shm : kind == std::string("sysv-msg") ? msg : sem) == 1);
        }
    }

    ::shmdt(at);
    ::shmctl(shm, IPC_RMID, nullptr);
    ::msgctl(msg, IPC_RMID, nullptr);
    ::semctl(sem, 0, IPC_RMID);
    ::close(posix);
    ::shm_unlink(shm_name.c_str());
    ::close(path_sock);
    ::close(abs_sock);
    const FactSet after = live();
    CHECK_FALSE(by_kind_id(after, "sysv-shm", shm));
    CHECK_FALSE(find_object(after, "/dev/shm" + shm_name));
}

TEST_CASE("ipc: a private IPC namespace (unshare -i) sees none of the host's SysV objects") {
    if (::geteuid() != 0 || triad::test::sh("command -v unshare >/dev/null").exit_code != 0) {
        MESSAGE("needs root and unshare");
        return;
    }
    IpcCleanup cleanup;
    const int shm = cleanup.shm = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
    REQUIRE(shm >= 0);
    // The collector reads /proc/sysvipc of the reader's IPC namespace: inside unshare -i it is empty.
    auto r = triad::test::sh("unshare -i cat /proc/sysvipc/shm | wc -l");
    CHECK(r.out == "1\n");  // the header alone
    ::shmctl(shm, IPC_RMID, nullptr);
}
