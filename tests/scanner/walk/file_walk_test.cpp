// SPDX-License-Identifier: Apache-2.0
// The shared walk: sees what find sees, never follows symlinks, never blocks on a FIFO,
// stays on one file system, and gives the same answer on one thread or many.
#include "scanner/walk/file_walk.h"

#include "base/executor.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::TempDir;
using triad::test::sh;
using triad::test::write_file;

namespace {

struct Tree {
    TempDir dir;
    Tree() {
        write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        write_file(dir / "etc/group", "root:x:0:\n");
        for (int d = 0; d < 20; ++d)
            for (int f = 0; f < 15; ++f)
                write_file(dir / ("data/d" + std::to_string(d) + "/sub/f" + std::to_string(f)), "x", 0644);
        REQUIRE(::mkfifo((dir / "data/fifo").c_str(), 0600) == 0);
        REQUIRE(::symlink("/", (dir / "data/to-root").c_str()) == 0);
        REQUIRE(::symlink("../../..", (dir / "data/d0/up").c_str()) == 0);
    }
};

std::set<std::string> walk_paths(const Sysroot& root, const WalkOptions& options, std::uint64_t* errors = nullptr,
                                 int jobs = 2) {
    auto ids = IdentityTable::load(root);
    std::mutex m;
    std::set<std::string> seen;
    std::atomic<std::uint64_t> errs{0};
    triad::Executor executor(jobs);
    walk_files(
        root, ids, options,
        [&](const FileEntry& e) {
            std::lock_guard l(m);
            CHECK(seen.insert(e.path()).second);  // every object exactly once
        },
        [&](const WalkError&) { ++errs; }, executor);
    if (errors) *errors = errs;
    return seen;
}

}  // namespace

TEST_CASE("the walk sees exactly what find -xdev sees, on one thread or several") {
    Tree t;
    auto find = sh("cd '" + t.dir.path() + "' && find . -xdev | sed 's|^\\.||; s|^$|/|'");
    REQUIRE(find.exit_code == 0);
    std::set<std::string> expected;
    std::istringstream lines(find.out);
    for (std::string line; std::getline(lines, line);) expected.insert(line);

    auto root = Sysroot::open(t.dir.path()).value();
    for (int jobs : {1, 2, 8}) {
        CAPTURE(jobs);
        CHECK(walk_paths(root, WalkOptions{}, nullptr, jobs) == expected);
    }
}

TEST_CASE("the walk reports symlinks and FIFOs without following or opening them") {
    Tree t;
    auto root = Sysroot::open(t.dir.path()).value();
    auto ids = IdentityTable::load(root);
    std::mutex m;
    std::map<std::string, std::string> types;
    walk_files(root, ids, WalkOptions{}, [&](const FileEntry& e) {
        std::lock_guard l(m);
        types[e.path()] = e.field(kFileType)->to_string();
    }, [](const WalkError&) {}, triad::Executor::serial());
    CHECK(types["/data/fifo"] == "fifo");
    CHECK(types["/data/to-root"] == "symlink");
    CHECK(types["/data/d0/up"] == "symlink");
    CHECK(types.count("/data/to-root/etc/passwd") == 0);
}

TEST_CASE("max_depth, several start directories and pruned subtrees") {
    Tree t;
    auto root = Sysroot::open(t.dir.path()).value();
    WalkOptions options;
    options.roots = {"/data/d1", "/data/d2"};
    options.max_depth = 1;
    auto seen = walk_paths(root, options);
    CHECK(seen == std::set<std::string>{"/data/d1", "/data/d1/sub", "/data/d2", "/data/d2/sub"});

    WalkOptions pruned;
    pruned.prune = {"/data"};
    seen = walk_paths(root, pruned);
    CHECK(seen.count("/data") == 1);        // the directory itself is still seen
    CHECK(seen.count("/data/d1") == 0);     // but nothing below it is read
    CHECK(seen.count("/etc/passwd") == 1);

    WalkOptions missing;
    missing.roots = {"/no/such/dir"};
    std::uint64_t errors = 0;
    CHECK(walk_paths(root, missing, &errors).empty());
    CHECK(errors == 0);  // a start directory that does not exist is simply empty
}

TEST_CASE("the walk stays on one file system unless told otherwise") {
    Tree t;
    // A private mount namespace: the tmpfs exists only for this command and goes with it.
    std::string policy = t.dir / "walk.yml";
    write_file(policy, R"(policy: { id: walk, title: walk, version: "1" }
checks:
  - id: WALK-ALL
    title: every regular file
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, where: { type: file, name: inner } }
    expect: none
  - id: WALK-MNT
    title: every regular file under /mnt, a separate file system
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, paths: [/mnt], where: { type: file, name: inner } }
    expect: none
  - id: WALK-CROSS
    title: every regular file, across mounts
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: files, one_filesystem: false, where: { any: [ { field: name, eq: inner }, { field: name, eq: status } ] } }
    expect: none
)");
    std::string root = t.dir / "root";
    triad::test::make_dirs(root + "/mnt");
    auto one = sh("unshare -m bash -c \"mount -t tmpfs none '" + root + "/mnt' && touch '" + root +
                  "/mnt/inner' && '" + triad::test::triad_binary() + "' scan --root '" + root + "' --policy '" +
                  policy + "' --only WALK-ALL --only WALK-MNT --format json\"");
    if (one.err.find("Operation not permitted") != std::string::npos) {
        MESSAGE("skipped: this machine does not allow mount namespaces (" << one.err << ")");
        return;
    }
    REQUIRE_MESSAGE(one.exit_code == 1, one.err);
    // In one shared walk: the check on / stays off the tmpfs (like find -xdev), while the
    // check that starts at /mnt, a separate file system, still sees inside it.
    auto doc = Poco::JSON::Parser().parse(one.out).extract<Poco::JSON::Object::Ptr>();
    auto results = doc->getArray("results");
    REQUIRE(results->size() == 2);
    CHECK(results->getObject(0)->getValue<std::string>("verdict") == "pass");
    CHECK(results->getObject(1)->getValue<std::string>("verdict") == "fail");
    CHECK(results->getObject(1)->getArray("evidence")->getObject(0)->getValue<std::string>("object") == "/mnt/inner");

    // Crossing mounts still never enters a kernel interface such as a proc mounted inside.
    triad::test::make_dirs(root + "/proc");
    auto cross = sh("unshare -m bash -c \"mount -t tmpfs none '" + root + "/mnt' && touch '" + root +
                    "/mnt/inner' && mount -t proc proc '" + root + "/proc' && '" + triad::test::triad_binary() +
                    "' scan --root '" + root + "' --policy '" + policy + "' --only WALK-CROSS --format events\"");
    CHECK(cross.exit_code == 1);
    CHECK(cross.out.find("\"object\":\"/mnt/inner\"") != std::string::npos);
    CHECK(cross.out.find("/proc/") == std::string::npos);
}

TEST_CASE("a walk asked to start inside /proc or /sys refuses, and says so") {
    auto host = Sysroot::open("/").value();
    auto ids = IdentityTable::load(host);
    for (std::string start : {"/proc/sys", "/sys/kernel"}) {
        CAPTURE(start);
        WalkOptions options;
        options.roots = {start};
        std::vector<WalkError> errors;
        std::atomic<int> entries{0};
        std::mutex m;
        walk_files(host, ids, options, [&](const FileEntry&) { ++entries; },
                   [&](const WalkError& e) {
                       std::lock_guard l(m);
                       errors.push_back(e);
                   },
                   triad::Executor::serial());
        CHECK(entries == 1);  // the start directory itself, nothing below it
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].path == start);
        CHECK(errors[0].listing);
        CHECK(errors[0].reason.find("file system; not walked") != std::string::npos);
    }
}

TEST_CASE("a visitor that throws stops the walk on every thread and the exception reaches the caller") {
    Tree t;
    auto root = Sysroot::open(t.dir.path()).value();
    auto ids = IdentityTable::load(root);
    for (int jobs : {1, 2, 4}) {
        CAPTURE(jobs);
        triad::Executor executor(jobs);
        std::atomic<int> seen{0};
        bool caught = false;
        try {
            walk_files(root, ids, WalkOptions{}, [&](const FileEntry& e) {
                ++seen;
                if (e.path().starts_with("/data/d3/")) throw std::runtime_error("visitor failed");
            }, [](const WalkError&) {}, executor);
        } catch (const std::runtime_error& e) {
            caught = std::string(e.what()) == "visitor failed";
        }
        CHECK(caught);
        // The executor is still usable afterwards: its threads were not left stuck.
        std::atomic<int> after{0};
        executor.parallel_for(100, nullptr, [&](std::size_t) { ++after; });
        CHECK(after == 100);
    }
}

TEST_CASE("a cancelled walk reads no further directory") {
    Tree t;
    auto root = Sysroot::open(t.dir.path()).value();
    auto ids = IdentityTable::load(root);
    triad::CancelToken cancel;
    cancel.cancel();
    std::atomic<int> seen{0};
    walk_files(root, ids, WalkOptions{}, [&](const FileEntry&) { ++seen; }, [](const WalkError&) {},
               triad::Executor::serial(), &cancel);
    CHECK(seen == 0);
}

namespace {

struct statx statx_of(const std::string& path) {
    struct statx st {};
    REQUIRE(::statx(AT_FDCWD, path.c_str(), 0, STATX_INO, &st) == 0);
    return st;
}

// The names WalkedDirectories holds for the directory at `path` (followed), sorted; "-" when
// it holds none for it.
std::string recorded(const WalkedDirectories& walked, const std::string& path) {
    const std::vector<std::string>* names = walked.privileged_in(statx_of(path));
    if (!names) return "-";
    std::vector<std::string> sorted = *names;
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (const std::string& n : sorted) out += n + " ";
    return out;
}

}  // namespace

TEST_CASE("a recording walk keeps the set-id files of each directory it listed in full, and no other directory") {
    TempDir dir;
    write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write_file(dir / "a/plain", "x", 0755);
    for (const auto& [name, mode] : {std::pair{"a/suid", 04755}, std::pair{"a/sgid", 02711},
                                     std::pair{"a/deep/in", 04700}, std::pair{"a/deep/further/below", 04755},
                                     std::pair{"a/pruned/hidden", 04755}, std::pair{"outside/suid", 04755}}) {
        write_file(dir / name, "x");
        REQUIRE(::chmod((dir / name).c_str(), static_cast<mode_t>(mode)) == 0);
    }
    triad::test::make_dirs(dir / "a/setgid-dir");
    REQUIRE(::chmod((dir / "a/setgid-dir").c_str(), 02775) == 0);  // set-id, but not a regular file
    REQUIRE(::symlink("suid", (dir / "a/link").c_str()) == 0);
    REQUIRE(::symlink("a", (dir / "spelled").c_str()) == 0);

    auto root = Sysroot::open(dir.path()).value();
    auto ids = IdentityTable::load(root);
    for (int jobs : {1, 2}) {
        CAPTURE(jobs);
        WalkedDirectories walked;
        triad::Executor executor(jobs);
        CHECK_FALSE(walked.wait(executor, nullptr));  // no walk has started: nothing to wait for
        WalkOptions options;
        options.roots = {"/a"};
        options.max_depth = 2;  // the entries of /a/deep, not those of /a/deep/further
        options.prune = {"/a/pruned"};
        options.record = &walked;
        walked.started();
        walk_files(root, ids, options, [](const FileEntry&) {}, [](const WalkError&) {}, executor);
        REQUIRE(walked.wait(executor, nullptr));
        CHECK(recorded(walked, dir / "a") == "sgid suid ");
        CHECK(recorded(walked, dir / "spelled") == "sgid suid ");  // the same directory, by its inode
        CHECK(recorded(walked, dir / "a/deep") == "in ");
        CHECK(recorded(walked, dir / "a/setgid-dir") == "");
        CHECK(recorded(walked, dir / "a/deep/further") == "-");  // below the depth limit
        CHECK(recorded(walked, dir / "a/pruned") == "-");
        CHECK(recorded(walked, dir / "outside") == "-");
        CHECK(recorded(walked, dir.path()) == "-");  // the start's parent, not listed
    }
}

TEST_CASE("waiting for a walk that is cancelled before it ends returns, and says nothing is known") {
    WalkedDirectories walked;
    walked.started();  // a walk task taken, then cancelled before it ran: it never finishes
    triad::CancelToken cancel;
    triad::Executor executor(2);
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        cancel.cancel();
    });
    CHECK_FALSE(walked.wait(executor, &cancel));
    canceller.join();
    struct statx st {};
    CHECK(walked.privileged_in(st) == nullptr);
}
