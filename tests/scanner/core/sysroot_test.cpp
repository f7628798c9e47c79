// SPDX-License-Identifier: Apache-2.0
// Sysroot must keep every resolution inside the audited root, with openat2 and with the
// O_NOFOLLOW component walk that older kernels get.
#include "scanner/core/sysroot.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/test_support.h"

using triad::ErrorCode;
using triad::scanner::Sysroot;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

// root/ holds etc/ and links that try to leave; outside/ beside it holds a secret.
struct EscapeFixture {
    TempDir dir;
    std::string root = dir / "root";
    EscapeFixture() {
        write_file(dir / "outside/secret", "OUTSIDE-SECRET\n");
        write_file(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
        write_file(root + "/secret", "INSIDE\n");
        REQUIRE(::symlink("../../outside/secret", (root + "/etc/relative-escape").c_str()) == 0);
        REQUIRE(::symlink((dir.path() + "/outside/secret").c_str(), (root + "/etc/absolute-escape").c_str()) == 0);
        REQUIRE(::symlink("/secret", (root + "/etc/absolute-inside").c_str()) == 0);
        REQUIRE(::symlink("loop-b", (root + "/etc/loop-a").c_str()) == 0);
        REQUIRE(::symlink("loop-a", (root + "/etc/loop-b").c_str()) == 0);
        REQUIRE(::symlink(dir.path().c_str(), (root + "/escape-dir").c_str()) == 0);
        REQUIRE(::mkfifo((root + "/etc/fifo").c_str(), 0644) == 0);
    }
};

}  // namespace

TEST_CASE("Sysroot keeps symlinks and '..' inside the root") {
    EscapeFixture fx;
    for (bool component_walk : {false, true}) {
        CAPTURE(component_walk);
        auto root = Sysroot::open(fx.root, Sysroot::Options{component_walk});
        REQUIRE(root.has_value());
        if (component_walk) CHECK_FALSE(root->uses_openat2());

        SUBCASE("a plain file reads") { CHECK(root->read_file("/etc/passwd").value() == "root:x:0:0:root:/root:/bin/bash\n"); }
        SUBCASE("a relative ../ escape resolves against the root, never outside") {
            auto r = root->read_file("/etc/relative-escape");
            // ../.. from /etc stops at the root: root/outside/secret does not exist.
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().code == ErrorCode::not_found);
        }
        SUBCASE("an absolute symlink is taken relative to the root") {
            auto r = root->read_file("/etc/absolute-escape");
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().code == ErrorCode::not_found);
            CHECK(root->read_file("/etc/absolute-inside").value() == "INSIDE\n");
        }
        SUBCASE("a directory symlink out of the root lands inside it") {
            CHECK_FALSE(root->read_file("/escape-dir/outside/secret").has_value());
            CHECK_FALSE(root->read_file("/../outside/secret").has_value());
            CHECK_FALSE(root->read_file("../../outside/secret").has_value());
        }
        SUBCASE("lstat does not follow the final link") {
            auto st = root->lstat("/etc/absolute-escape");
            REQUIRE(st.has_value());
            CHECK(S_ISLNK(st->stx_mode));
            CHECK(root->read_link("/etc/absolute-escape").value() == fx.dir.path() + "/outside/secret");
        }
        SUBCASE("a symlink loop is an error, not a hang") {
            auto r = root->read_file("/etc/loop-a");
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().code == ErrorCode::invalid_input);
        }
        SUBCASE("a FIFO is refused without blocking") {
            auto r = root->read_file("/etc/fifo");
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().message.find("not a regular file") != std::string::npos);
            CHECK(r.error().where == fx.root + "/etc/fifo");
        }
        SUBCASE("a file over the size limit is refused") {
            auto r = root->read_file("/etc/passwd", 8);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error().message.find("larger than 8 bytes") != std::string::npos);
        }
        SUBCASE("a directory is not read as a file") { CHECK_FALSE(root->read_file("/etc").has_value()); }
    }
}

TEST_CASE("Sysroot knows whether it audits the running system") {
    CHECK(Sysroot::open("/").value().is_host());
    TempDir dir;
    CHECK_FALSE(Sysroot::open(dir.path()).value().is_host());
    CHECK_FALSE(Sysroot::open(dir / "missing").has_value());
}
