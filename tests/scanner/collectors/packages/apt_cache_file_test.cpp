// SPDX-License-Identifier: Apache-2.0
// apt's binary cache (pkgcache.bin) on the running system: used only when apt would use it
// and stricter checks pass, never written, the same answers as the in-memory build; never
// opened for an offline root. And the APT_CONFIG file of triad's environment: read for the
// running system, never for an offline root.
//
// This machine's apt writes no cache (its configuration sets Dir::Cache::pkgcache empty), so
// the tests make "the running system" in a private mount namespace: a fixture's /etc/apt,
// /var/lib/apt, /var/lib/dpkg and /var/cache/apt are bind-mounted over the real ones, the
// real `apt-cache gencaches` writes the cache there, and triad reads the root "/".
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "scanner/packages/apt_inventory.h"
#include "tests/e2e/fixture_root.h"
#include "tests/e2e/policy_checks.h"
#include "tests/scanner/collectors/packages/apt_fixture.h"
#include "tests/scanner/hostile_fixture.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::FixturePackage;
using triad::test::FixtureRepo;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

void write_fixture(const std::string& root) {
    const std::time_t now = std::time(nullptr);
    std::vector<FixturePackage> installed = {
        {"alpha", "1.0-1"}, {"beta", "2.0-1"}, {"gamma", "3.0-1", "amd64", "hold ok installed"},
        {"delta", "4.0-1"}, {"zeta", "1.5-1+b1", "amd64", "install ok installed", "zsrc (1.5-1)"},
        {"dpkg", "1.21.22"},
    };
    FixtureRepo main{"example.org/debian", "bookworm", "Debian", "Debian", "oldstable", "bookworm", now - 90 * 86400,
                     {{"alpha", "1.0-1"}, {"beta", "2.0-1"}, {"gamma", "3.0-1"}, {"zeta", "1.5-1+b1", "amd64", "", "zsrc (1.5-1)"},
                      {"dpkg", "1.21.22"}}};
    FixtureRepo updates{"example.org/debian", "bookworm-updates", "Debian", "Debian", "oldstable-updates",
                        "bookworm-updates", now - 2 * 86400, {{"beta", "2.1-1"}}};
    FixtureRepo security{"example.org/debian-security", "bookworm-security", "Debian", "Debian-Security",
                         "oldstable-security", "bookworm-security", now - 3 * 86400,
                         {{"alpha", "1.0-1+deb12u1"}, {"gamma", "3.0-1+deb12u1"}}};
    FixtureRepo never{"example.org/never", "stable", "Example", "Example", "stable", "stable", 0, {}, false};
    triad::test::write_apt_root(root, installed, {main, updates, security, never});
    write_file(root + "/var/lib/apt/extended_states", "Package: zeta\nArchitecture: amd64\nAuto-Installed: 1\n\n");
    triad::test::make_dirs(root + "/var/cache/apt");
}

// Every field of the inventory but how it was read, one line each, to compare two readings.
std::string describe(const AptInventory& inv) {
    std::ostringstream s;
    s << "arch " << inv.native_architecture << "\n";
    for (const AptPackage& p : inv.packages) {
        s << p.name << " " << p.architecture << " " << p.version << " " << p.source << " " << p.source_version << " "
          << p.state << " held=" << p.held << " auto=" << p.auto_installed << " upgradable=" << p.upgradable
          << " candidate=" << p.candidate << " " << p.candidate_source_version << " security=" << p.security_update
          << " provided=" << p.provided << " archives=";
        for (const std::string& a : p.candidate_archives) s << a << ",";
        s << "\n";
    }
    for (const AptRelease& r : inv.releases)
        s << r.uri << " " << r.dist << " " << r.downloaded << " " << r.release_file << " " << r.origin << " " << r.label
          << " " << r.suite << " " << r.codename << " " << r.version << " " << r.security << " " << r.date << " "
          << r.valid_until << "\n";
    for (const auto& [k, v] : inv.periodic) s << k << "=" << v << "\n";
    return s.str();
}

// Runs `body` in a child whose /etc/apt, /var/lib/apt, /var/lib/dpkg and /var/cache/apt are
// the fixture's; returns what it returned, or nullopt when this machine cannot make the
// namespace or the mounts (the test is then skipped with that reason).
std::optional<std::string> as_running_system(const std::string& fixture, const std::function<std::string()>& body) {
    TempDir out;
    const std::string report = out / "report";
    const int status = triad::test::in_private_mount_namespace([&] {
        for (const char* dir : {"/etc/apt", "/var/lib/apt", "/var/lib/dpkg", "/var/cache/apt"})
            if (::mount((fixture + dir).c_str(), dir, nullptr, MS_BIND, nullptr) != 0) return 77;
        const std::string text = body();
        FILE* fp = ::fopen(report.c_str(), "w");
        if (!fp) return 1;
        ::fputs(text.c_str(), fp);
        ::fclose(fp);
        return 0;
    });
    if (status == 77) return std::nullopt;
    REQUIRE(status == 0);
    return triad::test::read_file(report);
}

// The real apt writes its cache for the fixture, as `apt update` would have.
bool generate_cache(const std::string& fixture) {
    auto r = as_running_system(fixture, [] {
        auto gen = triad::test::sh("apt-cache gencaches 2>&1");
        return std::to_string(gen.exit_code) + "\n" + gen.out;
    });
    if (!r) return false;
    REQUIRE_MESSAGE(r->starts_with("0\n"), *r);
    return true;
}

// How triad read the running system: "used" or why not, then the inventory, then the
// in-memory build's inventory for comparison.
struct Reading {
    std::string how, cached, in_memory;
};

Reading read_running_system(const std::string& fixture) {
    auto r = as_running_system(fixture, [] {
        auto root = Sysroot::open("/").value();
        auto inv = read_apt_inventory(root, nullptr);
        auto mem = read_apt_inventory(root, nullptr, /*use_cache_file=*/false);
        if (!inv || !mem) return std::string("error: ") + (!inv ? inv.error().describe() : mem.error().describe());
        const std::string how = inv->cache_used ? "used " + inv->cache_file : "unused " + inv->cache_file + ": " + inv->cache_unused;
        return how + "\n\f" + describe(*inv) + "\f" + describe(*mem);
    });
    REQUIRE(r);
    CAPTURE(*r);
    const std::size_t a = r->find("\n\f"), b = r->find('\f', a + 2);
    REQUIRE(b != std::string::npos);
    return {r->substr(0, a), r->substr(a + 2, b - a - 2), r->substr(b + 1)};
}

// What shows a write of the cache file: its bytes, mtime and inode.
std::string cache_state(const std::string& fixture) {
    const std::string path = fixture + "/var/cache/apt/pkgcache.bin";
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return triad::test::read_file(path) + "\n" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
}

constexpr const char* kSkip = "skipped: cannot bind-mount a fixture over /etc/apt and /var/lib in a private mount namespace here";
const std::string kCache = "/var/cache/apt/pkgcache.bin";

// The fixture with the cache real apt writes for it; false (the skip said) where the fixture
// cannot be put in place of the running system's apt state.
bool fixture_with_cache(const std::string& fixture) {
    write_fixture(fixture);
    if (generate_cache(fixture)) return true;
    MESSAGE(kSkip);
    return false;
}

}  // namespace

TEST_CASE("apt cache file: a valid pkgcache.bin of the running system is read, not written, and gives the in-memory answers") {
    TempDir t;
    const std::string fixture = t / "root";
    if (!fixture_with_cache(fixture)) return;
    const std::string before = cache_state(fixture);
    const Reading r = read_running_system(fixture);
    CHECK(r.how == "used " + kCache);
    CHECK(r.cached == r.in_memory);
    // The offline reading of the same files (always built in memory) agrees too.
    auto offline = read_apt_inventory(Sysroot::open(fixture).value(), nullptr);
    REQUIRE(offline);
    CHECK(offline->cache_file.empty());
    CHECK(describe(*offline) == r.cached);
    CHECK(r.cached.find("alpha amd64 1.0-1 alpha 1.0-1 installed held=0 auto=0 upgradable=1 candidate=1.0-1+deb12u1 "
                        "1.0-1+deb12u1 security=1 provided=1 archives=Debian/bookworm-security,") != std::string::npos);
    CHECK(r.cached.find("zeta amd64 1.5-1+b1 zsrc 1.5-1 installed held=0 auto=1") != std::string::npos);
    CHECK(cache_state(fixture) == before);
}

TEST_CASE("apt cache file: a cache older than the dpkg status is stale and not used, also when the mtime was restored") {
    TempDir t;
    const std::string fixture = t / "root";
    if (!fixture_with_cache(fixture)) return;
    const std::string status = fixture + "/var/lib/dpkg/status";
    const std::string text = triad::test::read_file(status);

    SUBCASE("a package installed since (the status file's size and mtime change): apt's own test") {
        write_file(status, text + triad::test::status_stanza({"eta", "1.0-1"}));
        const std::string before = cache_state(fixture);
        const Reading r = read_running_system(fixture);
        CHECK(r.how == "unused " + kCache + ": stale: /var/lib/dpkg/status changed after the cache or is not in it");
        CHECK(r.cached == r.in_memory);
        CHECK(r.cached.find("eta amd64 1.0-1") != std::string::npos);
        CHECK(cache_state(fixture) == before);  // not rebuilt either
    }
    SUBCASE("a version changed with the size kept and the mtime set back (touch -r): only triad's ctime test") {
        const std::size_t at = text.find("Version: 4.0-1");
        REQUIRE(at != std::string::npos);
        REQUIRE(triad::test::sh("cp -p '" + status + "' '" + t.path() + "/status.orig'").exit_code == 0);
        write_file(status, text.substr(0, at) + "Version: 4.0-2" + text.substr(at + 14));
        REQUIRE(triad::test::sh("touch -r '" + t.path() + "/status.orig' '" + status + "'").exit_code == 0);
        // apt itself is fooled: it takes the cache as valid and reports the old version.
        auto apt = as_running_system(fixture, [] {
            auto r = triad::test::sh("apt-cache -o Debug::pkgCacheGen=true policy delta 2>&1");
            return r.out;
        });
        REQUIRE(apt);
        CHECK(apt->find("pkgcache.bin is valid") != std::string::npos);
        CHECK(apt->find("Installed: 4.0-1") != std::string::npos);
        const std::string before = cache_state(fixture);
        const Reading r = read_running_system(fixture);
        CHECK(r.how == "unused " + kCache +
                           ": stale: /var/lib/dpkg/status changed after the cache");
        CHECK(r.cached == r.in_memory);
        CHECK(r.cached.find("delta amd64 4.0-2") != std::string::npos);
        CHECK(cache_state(fixture) == before);
    }
}

TEST_CASE("apt cache file: rewritten sources and a cache dated into the future do not hide a change") {
    TempDir t;
    const std::string fixture = t / "root";
    if (!fixture_with_cache(fixture)) return;
    std::string script, why;
    SUBCASE("sources.list written again, same bytes, mtime set back") {
        const std::string list = fixture + "/etc/apt/sources.list";
        script = "cp -p '" + list + "' '" + t.path() + "/orig' && cat '" + t.path() + "/orig' > '" + list +
                 "' && touch -r '" + t.path() + "/orig' '" + list + "'";
        why = "stale: /etc/apt/sources.list changed after the cache";
    }
    SUBCASE("the cache's mtime moved a year ahead, then the status edited with its mtime set back") {
        const std::string status = fixture + "/var/lib/dpkg/status";
        script = "touch -d '+1 year' '" + fixture + kCache + "' && cp -p '" + status + "' '" + t.path() +
                 "/orig' && sed -i 's/^Version: 4.0-1$/Version: 4.0-2/' '" + status + "' && touch -r '" + t.path() +
                 "/orig' '" + status + "'";
        why = "stale: /var/lib/dpkg/status changed after the cache";
    }
    CAPTURE(script);
    REQUIRE(triad::test::sh(script).exit_code == 0);
    const Reading r = read_running_system(fixture);
    CHECK(r.how == "unused " + kCache + ": " + why);
    CHECK(r.cached == r.in_memory);
}

TEST_CASE("apt cache file: not used when another user owns it, others may write it, or it is truncated or garbage") {
    TempDir t;
    const std::string fixture = t / "root";
    if (!fixture_with_cache(fixture)) return;
    const std::string cache = fixture + kCache;
    const std::string keep_mtime = "touch -r '" + t.path() + "/orig' '" + cache + "'";
    REQUIRE(triad::test::sh("cp -p '" + cache + "' '" + t.path() + "/orig'").exit_code == 0);
    std::string why, script;
    SUBCASE("owned by another user") {
        script = "chown 1:1 '" + cache + "'";
        why = "not owned by root";
    }
    SUBCASE("writable by its group") {
        script = "chmod 664 '" + cache + "'";
        why = "writable by group or others";
    }
    SUBCASE("cut to 100 bytes") {
        script = "truncate -s 100 '" + cache + "' && " + keep_mtime;
        why = "truncated: smaller than a cache header";
    }
    SUBCASE("cut in half: the header is intact and names strings past the new end") {
        script = "truncate -s $(( $(stat -c %s '" + cache + "') / 2 )) '" + cache + "' && " + keep_mtime;
        why = "not usable: its header names a string outside the file (truncated or damaged)";
    }
    SUBCASE("cut short by 4 KiB: the strings are inside, the hash is not") {
        script = "truncate -s $(( $(stat -c %s '" + cache + "') - 4096 )) '" + cache + "' && " + keep_mtime;
        why = "not usable: E: The package cache file is corrupted, it has the wrong hash";
    }
    SUBCASE("bytes changed after the header, size and mtime kept") {
        script = "printf 'garbage!' | dd of='" + cache + "' bs=1 seek=4096 conv=notrunc status=none && " + keep_mtime;
        why = "not usable: E: The package cache file is corrupted, it has the wrong hash";
    }
    SUBCASE("random bytes of the same size: refused by the string check or by libapt-pkg's signature check") {
        script = "head -c $(stat -c %s '" + cache + "') /dev/urandom > '" + cache + "' && " + keep_mtime;
        why = "not usable: ";
    }
    CAPTURE(script);
    REQUIRE(triad::test::sh(script).exit_code == 0);
    const std::string before = cache_state(fixture);
    const Reading r = read_running_system(fixture);
    if (why == "not usable: ")
        CHECK(r.how.starts_with("unused " + kCache + ": " + why));
    else
        CHECK(r.how == "unused " + kCache + ": " + why);
    CHECK(r.cached == r.in_memory);
    CHECK(r.cached.find("alpha amd64 1.0-1") != std::string::npos);
    CHECK(cache_state(fixture) == before);
}

TEST_CASE("apt cache file: never opened for an offline root, even a valid one") {
    TempDir t;
    const std::string fixture = t / "root";
    write_fixture(fixture);
    auto gen = triad::test::run({"apt-cache", "-o", "Dir=" + fixture + "/", "-o",
                                 "Dir::State::status=" + fixture + "/var/lib/dpkg/status", "-o", "APT::Architecture=amd64",
                                 "-o", "APT::Architectures::=amd64", "-o",
                                 "Dir::Cache::pkgcache=" + fixture + "/var/cache/apt/pkgcache.bin", "gencaches"});
    REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
    triad::test::OpenCounter opens(fixture + kCache);
    auto inv = read_apt_inventory(Sysroot::open(fixture).value(), nullptr);
    REQUIRE(inv);
    CHECK_FALSE(inv->cache_used);
    CHECK(inv->cache_file.empty());
    CHECK(opens.opens() == 0);
}

// libapt-pkg's pkgInitConfig reads $APT_CONFIG of triad's own process. With
// APT::Default-Release "bookworm" the main archive's versions win, so nothing is upgradable.
TEST_CASE("APT_CONFIG: honoured for the running system, ignored for an offline root") {
    TempDir t;
    const std::string fixture = t / "root";
    write_fixture(fixture);
    write_file(t / "apt.conf", "APT::Default-Release \"bookworm\";\n");
    write_file(t / "pending.yml", R"(policy: { id: pending, title: pending updates, version: "1" }
checks:
  - id: PENDING
    title: no pending update
    severity: low
    impact: { c: none, i: low, a: low }
    select: { collector: packages, where: { upgradable: true } }
    expect: none
)");
    auto upgradable = [&](const std::string& env, const std::string& root_args) {
        auto run = triad::test::sh(env + " '" + triad::test::triad_binary() + "' scan " + root_args + " --policy '" +
                                   t.path() + "/pending.yml' --format json");
        auto scan = triad::test::fixture::parse_report(run);
        if (!scan.json || !scan.by_id.count("PENDING")) return "no report: " + run.err;  // may run in the child
        std::string out;
        for (const std::string& o : triad::test::fixture::evidence_objects(scan, "PENDING")) out += o + " ";
        return out;
    };
    const std::string with_env = "APT_CONFIG='" + t.path() + "/apt.conf'";
    const std::string offline = "--root '" + fixture + "'";
    CHECK(upgradable("", offline) == "alpha beta gamma ");
    CHECK(upgradable(with_env, offline) == "alpha beta gamma ");

    auto host = as_running_system(fixture, [&] { return upgradable("", "") + "|" + upgradable(with_env, ""); });
    if (!host) {
        MESSAGE(kSkip);
        return;
    }
    CHECK(*host == "alpha beta gamma |");
}
