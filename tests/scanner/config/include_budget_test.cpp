// SPDX-License-Identifier: Apache-2.0
// Include and glob budgets against hostile configurations (issue 15): the cases of the issue
// at a smaller scale with the same shape — globs over directories that link to themselves,
// one big file included many times, an includedir repeated over many files, thousands of
// Match blocks. Each trips a named budget and becomes an error, never an abort or a truncation.
#include "scanner/config/config_file.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

#include "scanner/collectors/accounts/pam.h"
#include "scanner/collectors/accounts/sshd_config.h"
#include "scanner/collectors/accounts/sudoers_internal.h"
#include "scanner/collectors/kernel/sysctl.h"
#include "scanner/core/fact.h"
#include "scanner/core/path_glob.h"
#include "scanner/identity/identity.h"
#include "tests/test_support.h"

using namespace triad::scanner;
using triad::test::TempDir;
using triad::test::write_file;

namespace {

FactSet sshd_of(const std::string& dir) {
    auto root = Sysroot::open(dir).value();
    IdentityTable ids = IdentityTable::load(root);
    return collect_sshd(CollectContext{root, ids}, {});
}

// The one error fact of the sshd collector, or "" when it read the configuration.
std::string sshd_error(const FactSet& facts) {
    for (const Fact& f : facts)
        if (f.status == FactStatus::error) return f.reason;
    return {};
}

// `lines` comment lines of `width` characters each.
std::string padding(std::size_t lines, std::size_t width) {
    std::string line = "#" + std::string(width - 2, 'x') + "\n";
    std::string out;
    out.reserve(lines * width);
    for (std::size_t i = 0; i < lines; ++i) out += line;
    return out;
}

std::string repeated(const std::string& line, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += line;
    return out;
}

}  // namespace

TEST_CASE("IncludeBudget names the budget that trips and the file that trips it") {
    IncludeBudget b(IncludeLimits{3, 100, 10});
    CHECK(b.charge("/a", "one\ntwo\n").empty());
    CHECK(b.charge("/b", std::string(50, 'x')).empty());  // no newline: still one line
    CHECK(b.lines() == 3);
    CHECK(b.charge("/c", std::string(51, 'x')) == "/c: not read: the files included for one configuration would exceed "
                                                  "the include budget of 100 bytes read");
    CHECK(b.charge("/d", repeated("l\n", 8)).find("the include budget of 10 lines read") != std::string::npos);
    CHECK(b.charge("/e", "x\n").empty());
    CHECK(b.charge("/f", "").find("/f: not read") == 0);
    CHECK(b.files() == 3);
}

TEST_CASE("a glob over directories that link to themselves trips the glob budget, for every reader") {
    TempDir t;
    const std::string g = t / "root/etc/ssh/g";
    triad::test::make_dirs(g);
    for (int i = 0; i < 40; ++i) REQUIRE(::symlink(".", (g + "/l" + std::to_string(i)).c_str()) == 0);
    write_file(t / "root/etc/ssh/sshd_config", "PermitRootLogin no\nInclude /etc/ssh/g/*/*/*/*/*/x.conf\n");

    auto root = Sysroot::open(t / "root").value();
    auto expanded = expand_path_glob(root, "/etc/ssh/g/*/*/*/*/*/x.conf");
    REQUIRE_FALSE(expanded.has_value());
    CHECK(expanded.error().where == "/etc/ssh/g/*/*/*/*/*/x.conf");
    CHECK(expanded.error().message.find("more than 10000 paths (the glob budget") != std::string::npos);
    // Two levels (1,600 paths) are within it: the budget does not cut real expansions.
    auto two = expand_path_glob(root, "/etc/ssh/g/*/*");
    REQUIRE(two.has_value());
    CHECK(two->size() == 1600);

    const std::string err = sshd_error(sshd_of(t / "root"));
    CHECK(err.find("/etc/ssh/g/*/*/*/*/*/x.conf: expands to more than 10000 paths") != std::string::npos);
}

TEST_CASE("sshd: one big file included many times trips the byte budget; many short lines the line budget") {
    TempDir t;
    // The issue's shape: 300 Include lines of one 4 MiB file; here 40 of 1 MiB (16 MiB budget).
    write_file(t / "bytes/etc/ssh/big.conf", padding(8192, 128));
    write_file(t / "bytes/etc/ssh/sshd_config", "PermitRootLogin no\n" + repeated("Include /etc/ssh/big.conf\n", 40));
    std::string err = sshd_error(sshd_of(t / "bytes"));
    CHECK(err.find("/etc/ssh/big.conf: not read: the files included for one configuration would exceed the include "
                   "budget of 16 MiB read") != std::string::npos);

    // 40 includes of 8,192 two-byte lines: 320 KiB, but 327,680 lines.
    write_file(t / "lines/etc/ssh/short.conf", repeated("#\n", 8192));
    write_file(t / "lines/etc/ssh/sshd_config", "PermitRootLogin no\n" + repeated("Include short.conf\n", 40));
    err = sshd_error(sshd_of(t / "lines"));
    CHECK(err.find("the include budget of 200000 lines read") != std::string::npos);

    // The same file included a few times is within every budget.
    write_file(t / "fine/etc/ssh/short.conf", repeated("#\n", 8192) + "X11Forwarding no\n");
    write_file(t / "fine/etc/ssh/sshd_config", "PermitRootLogin no\n" + repeated("Include short.conf\n", 3));
    CHECK(sshd_error(sshd_of(t / "fine")).empty());
}

TEST_CASE("sshd: thousands of Match blocks trip the Match block budget") {
    TempDir t;
    std::string config = "PermitRootLogin no\n";
    for (int i = 0; i < 2000; ++i) config += "Match User u" + std::to_string(i) + "\n  X11Forwarding no\n";
    write_file(t / "many/etc/ssh/sshd_config", config);
    const std::string err = sshd_error(sshd_of(t / "many"));
    CHECK(err.find("/etc/ssh/sshd_config:2050: more than 1024 Match blocks (the Match block budget)") !=
          std::string::npos);

    // At the budget, every block is a fact of its own.
    config = "PermitRootLogin no\n";
    for (int i = 0; i < 1024; ++i) config += "Match User u" + std::to_string(i) + "\n  X11Forwarding no\n";
    write_file(t / "fine/etc/ssh/sshd_config", config);
    FactSet facts = sshd_of(t / "fine");
    CHECK(sshd_error(facts).empty());
    CHECK(facts.size() == 1025);
}

TEST_CASE("PAM: one big file @included many times trips the byte budget for that service") {
    TempDir t;
    // The issue's shape: 300 @include lines of one 4 MiB file; here 40 of 1 MiB.
    write_file(t / "root/etc/pam.d/big", padding(8191, 128) + "auth required pam_unix.so\n");
    write_file(t / "root/etc/pam.d/login", repeated("@include big\n", 40));
    write_file(t / "root/etc/pam.d/sshd", "auth required pam_unix.so\n@include big\n");
    auto root = Sysroot::open(t / "root").value();
    std::string error;
    std::vector<PamLine> lines = read_pam_service(root, "login", error);
    CHECK(error == "/etc/pam.d/big: not read: the files included for one configuration would exceed the include budget "
                   "of 16 MiB read");
    // The budget is per service: another service including the file once is read whole.
    error.clear();
    lines = read_pam_service(root, "sshd", error);
    CHECK(error.empty());
    CHECK(lines.size() == 2);
}

TEST_CASE("sudoers: #includedir repeated over many files reads the directory once; too many files trip the budget") {
    TempDir t;
    // The issue's shape: #includedir repeated 100 times over 20,000 files; here over 200.
    for (int i = 0; i < 200; ++i)
        write_file(t / ("root/etc/sudoers.d/u" + std::to_string(i)), "u" + std::to_string(i) + " ALL=(ALL) ALL\n", 0440);
    write_file(t / "root/etc/sudoers", "root ALL=(ALL) ALL\n" + repeated("#includedir /etc/sudoers.d\n", 100), 0440);
    auto root = Sysroot::open(t / "root").value();
    Sudoers s = read_sudoers(root, "/etc/sudoers");
    CHECK(s.error.empty());
    CHECK(s.files.size() == 201);  // linear: each file once, not 100 times
    CHECK(s.rules.size() == 201);

    // Past the file budget: an error naming it, and nothing more read.
    for (int i = 200; i < 300; ++i)
        write_file(t / ("root/etc/sudoers.d/u" + std::to_string(i)), "u" + std::to_string(i) + " ALL=(ALL) ALL\n", 0440);
    s = read_sudoers(root, "/etc/sudoers");
    CHECK(s.error.find(": not read: the files included for one configuration would exceed the include budget of 256 files") !=
          std::string::npos);
    CHECK(s.files.size() == 256);
}

TEST_CASE("sysctl.d: more files than the budget make every key an error naming it, never a partial answer") {
    TempDir t;
    for (int i = 0; i < 300; ++i)
        write_file(t / ("root/etc/sysctl.d/" + std::to_string(100 + i) + "-x.conf"), "kernel.kptr_restrict = 1\n");
    auto root = Sysroot::open(t / "root").value();
    IdentityTable ids = IdentityTable::load(root);
    SelectArgs args;
    args.values["key"] = StringList{"kernel.kptr_restrict"};
    args.values["source"] = std::string("configured");
    FactSet facts = collect_sysctl(CollectContext{root, ids}, args);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].status == FactStatus::error);
    CHECK(facts[0].reason.find("/etc/sysctl.d/356-x.conf: not read: the files included for one configuration would "
                               "exceed the include budget of 256 files") != std::string::npos);
}
