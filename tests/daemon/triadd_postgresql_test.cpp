// SPDX-License-Identifier: Apache-2.0
// A fleet's store (issue 14): a real PostgreSQL server started by the test on a private data
// directory and a free loopback port, two triadd daemons with different host ids writing
// into it, `triad history`/`report`/`diff` reading it back, psql checking the tables.
#include <doctest/doctest.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/scan_store.h"
#include "tests/daemon/daemon_harness.h"
#include "tests/e2e/fixture_root.h"
#include "tests/test_support.h"

using triad::test::TempDir;
using triad::test::write_file;
namespace fixture = triad::test::fixture;
namespace harness = triad::test::daemon;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
// Sent in every URL; the server trusts 127.0.0.1, so it is never checked — only hidden.
constexpr const char* kPassword = "pw-4e1b9c-never-logged";

// The newest installed server's binaries (Debian: /usr/lib/postgresql/VERSION/bin).
std::string postgres_bindir() {
    std::string best;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string bin = entry.path().string() + "/bin";
        if (::access((bin + "/initdb").c_str(), X_OK) == 0 && ::access((bin + "/pg_ctl").c_str(), X_OK) == 0 &&
            (best.empty() || std::stoi(entry.path().filename()) > std::stoi(fs::path(best).parent_path().filename())))
            best = bin;
    }
    return best;
}

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

// A private cluster: initdb as the unprivileged `postgres` user (initdb refuses root) into a
// fresh directory, TCP on 127.0.0.1 only with trust for 127.0.0.1/32 only, no Unix socket.
// Stopped and removed by the destructor.
class PostgresServer {
public:
    // Empty `why` and port() > 0 on success.
    PostgresServer(const std::string& bindir, std::string& why) : bindir_(bindir) {
        const passwd* pw = ::getpwnam("postgres");
        if (pw == nullptr) pw = ::getpwnam("nobody");
        if (pw == nullptr) {
            why = "no postgres or nobody user to run the server as";
            return;
        }
        user_ = pw->pw_name;
        char tmpl[] = "/tmp/triad-pg-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr || ::chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) {
            why = "cannot make the cluster directory";
            return;
        }
        dir_ = tmpl;
        auto init = as_user(bindir_ + "/initdb -D " + dir_ + "/data -U triad --auth=trust -E UTF8 --locale=C --no-sync");
        if (init.exit_code != 0) {
            why = "initdb failed: " + init.err;
            return;
        }
        for (int attempt = 0; attempt < 3 && port_ < 0; ++attempt) {
            const int port = free_loopback_port();
            auto conf = as_user("printf \"%s\\n\" \"listen_addresses = '127.0.0.1'\" \"port = " + std::to_string(port) +
                                "\" \"unix_socket_directories = ''\" \"fsync = off\" >> " + dir_ +
                                "/data/postgresql.conf && printf 'host all all 127.0.0.1/32 trust\\n' > " + dir_ +
                                "/data/pg_hba.conf");
            auto start = as_user(bindir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -t 30 start");
            if (conf.exit_code == 0 && start.exit_code == 0) port_ = port;  // else: the port was taken meanwhile
        }
        if (port_ < 0) why = "pg_ctl start failed: " + triad::test::read_file(dir_ + "/log");
    }
    ~PostgresServer() {
        if (port_ > 0) as_user(bindir_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop");
        if (!dir_.empty()) fs::remove_all(dir_);
    }
    int port() const { return port_; }
    bool restart() const {
        return as_user(bindir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -m fast -w -t 30 restart").exit_code == 0;
    }
    std::string url(const std::string& db = "postgres") const {
        return "postgresql://triad:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(port_) + "/" + db;
    }
    // psql, the server's own client: an independent reader of what triadd wrote.
    triad::test::RunResult psql(const std::string& sql) const {
        return triad::test::run({bindir_ + "/psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url(), "-c", sql});
    }

private:
    triad::test::RunResult as_user(const std::string& command) const {
        return triad::test::run({"runuser", "-u", user_, "--", "sh", "-c", command}, 60);
    }
    std::string bindir_, user_, dir_;
    int port_ = -1;
};

// The daemon logs "scan N stored" once a scan's transaction committed; waits for the
// `count`th such line (false after 60 s).
bool wait_stored(const std::string& log, std::size_t count) {
    const auto end = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < end) {
        const std::string text = triad::test::read_file(log);
        std::size_t n = 0;
        for (std::size_t pos = 0; (pos = text.find(" stored: ", pos)) != std::string::npos; ++pos) ++n;
        if (n >= count) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::string daemon_config(const TempDir& dir, const std::string& name, const std::string& root,
                          const std::string& store) {
    return "policies: [" + fixture::policy_path() + "]\nroot: " + root + "\nschedule: \"0 3 * * *\"\nstore: \"" + store +
           "\"\nhost_id: " + name + "\nsocket: { path: " + (dir / (name + ".sock")) +
           " }\nretention: { scans: 2, days: 30 }\n";
}

Poco::JSON::Array::Ptr json_array(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
}

}  // namespace

TEST_CASE("two triadd daemons store into one PostgreSQL database, and history, report and diff read it") {
    if (!fixture::can_build_fixtures()) return;
    const std::string bindir = postgres_bindir();
    if (bindir.empty()) {
        MESSAGE("skipped: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); scripts/bootstrap installs postgresql");
        return;
    }
    std::string why;
    PostgresServer pg(bindir, why);
    REQUIRE_MESSAGE(pg.port() > 0, why);
    const std::string url = pg.url();

    TempDir dir;
    REQUIRE(fixture::build_fixture(dir / "root-web1", "mixed"));
    REQUIRE(fixture::build_fixture(dir / "root-web2", "pass"));
    write_file(dir / "web1.yml", daemon_config(dir, "web1", dir / "root-web1", url));
    write_file(dir / "web2.yml", daemon_config(dir, "web2", dir / "root-web2", url));

    // Both start at once on the empty database: one creates the schema, the other waits for
    // it (advisory lock) instead of failing on a half-made one.
    auto web1 = harness::start_triadd(dir / "web1.yml", dir / "web1.log", false);
    auto web2 = harness::start_triadd(dir / "web2.yml", dir / "web2.log", false);
    REQUIRE_MESSAGE(harness::wait_for_text(dir / "web1.log", "triadd: started:"), triad::test::read_file(dir / "web1.log"));
    REQUIRE_MESSAGE(harness::wait_for_text(dir / "web2.log", "triadd: started:"), triad::test::read_file(dir / "web2.log"));
    CHECK(pg.psql("SELECT string_agg(version::text, ',') FROM schema_version").out == "2\n");

    web2->signal(SIGUSR1);
    REQUIRE_MESSAGE(wait_stored(dir / "web2.log", 1), triad::test::read_file(dir / "web2.log"));
    // Retention by age is per host: a scan of 2001 for each host; only web1 scans next, so
    // only web1's old scan may go.
    for (const char* host : {"web1", "web2"})
        REQUIRE(pg.psql(std::string("INSERT INTO scans (host, started_at, duration_ms, pass, fail, error, not_applicable,"
                                    " waived, policies, result_json) VALUES ('") +
                        host + "', '2001-01-01T00:00:00Z', 1, 0, 0, 0, 0, 0, '', '{}')")
                    .exit_code == 0);
    for (std::size_t n = 1; n <= 3; ++n) {
        // Before the last scan the server restarts: the daemon's connection is gone, and the
        // store opens a new one instead of failing every scan from then on.
        if (n == 3) REQUIRE_MESSAGE(pg.restart(), "pg_ctl restart failed");
        web1->signal(SIGUSR1);
        REQUIRE_MESSAGE(wait_stored(dir / "web1.log", n), triad::test::read_file(dir / "web1.log"));
    }
    CHECK(triad::test::read_file(dir / "web1.log").find("cannot store") == std::string::npos);
    CHECK(web1->terminate_and_wait(std::chrono::seconds(10)) == 0);
    CHECK(web2->terminate_and_wait(std::chrono::seconds(10)) == 0);

    // psql's view: web1 kept its 2 newest scans (count retention), its 2001 scan is gone (age),
    // web2's 2001 scan is still there; every stored scan has all of its results.
    CHECK(pg.psql("SELECT host || ':' || count(*) FROM scans WHERE started_at > '2002' GROUP BY host ORDER BY host").out ==
          "web1:2\nweb2:1\n");
    CHECK(pg.psql("SELECT host FROM scans WHERE started_at < '2002' ORDER BY host").out == "web2\n");
    CHECK(pg.psql("SELECT count(*) FROM scans s WHERE (SELECT count(*) FROM results r WHERE r.scan_id = s.id)"
                  " != s.pass + s.fail + s.error + s.not_applicable + s.waived")
              .out == "0\n");
    REQUIRE(pg.psql("DELETE FROM scans WHERE started_at < '2002'").exit_code == 0);

    // `triad history` reads both hosts, newest first; --host picks one.
    auto all = triad::test::run_triad({"history", "--store", url, "--format", "json"});
    REQUIRE_MESSAGE(all.exit_code == 0, all.err);
    auto rows = json_array(all.out);
    REQUIRE(rows->size() == 3);
    std::size_t web1_rows = 0, web2_rows = 0;
    for (std::size_t k = 0; k < rows->size(); ++k) {
        auto row = rows->getObject(k);
        if (k > 0) CHECK(row->getValue<int>("id") < rows->getObject(k - 1)->getValue<int>("id"));
        const auto fail = row->getObject("counts")->getValue<std::size_t>("fail");
        if (row->getValue<std::string>("host") == "web1") {
            ++web1_rows;
            CHECK(fail > 0);  // the mixed root
        } else {
            ++web2_rows;
            CHECK(fail == 0);  // the passing root
        }
    }
    CHECK(web1_rows == 2);
    CHECK(web2_rows == 1);
    auto only = triad::test::run_triad({"history", "--store", url, "--host", "web2", "--format", "json"});
    REQUIRE(only.exit_code == 0);
    auto web2_only = json_array(only.out);
    REQUIRE(web2_only->size() == 1);
    CHECK(web2_only->getObject(0)->getValue<std::string>("host") == "web2");
    auto console = triad::test::run_triad({"history", "--store", url});
    CHECK(console.exit_code == 0);
    CHECK(console.out.find("web1") != std::string::npos);
    CHECK(console.out.find("web2") != std::string::npos);

    // report and diff read stored scans (store:ID), also mixed with a file.
    const int newest_web1 = rows->getObject(0)->getValue<std::string>("host") == "web1"
                                ? rows->getObject(0)->getValue<int>("id")
                                : rows->getObject(1)->getValue<int>("id");
    const int web2_id = web2_only->getObject(0)->getValue<int>("id");
    auto report = triad::test::run_triad(
        {"report", "store:" + std::to_string(newest_web1), "--store", url, "--format", "json"});
    REQUIRE_MESSAGE(report.exit_code == 0, report.err);
    auto doc = Poco::JSON::Parser().parse(report.out).extract<Poco::JSON::Object::Ptr>();
    CHECK(doc->getValue<std::string>("schema") == "triad.result/1");
    CHECK(doc->getObject("target")->getValue<std::string>("root") == dir / "root-web1");
    write_file(dir / "web1.json", report.out);
    auto diff = triad::test::run_triad(
        {"diff", dir / "web1.json", "store:" + std::to_string(web2_id), "--store", url, "--format", "json"});
    CHECK(diff.exit_code == 0);  // web1 (mixed) -> web2 (pass): resolved checks, no regression
    auto diffed = Poco::JSON::Parser().parse(diff.out).extract<Poco::JSON::Object::Ptr>();
    CHECK(diffed->getValue<std::string>("schema") == "triad.diff/1");
    CHECK(diffed->getArray("resolved")->size() == doc->getObject("counts")->getValue<std::size_t>("fail"));
    auto back = triad::test::run_triad({"diff", "store:" + std::to_string(web2_id), "store:" + std::to_string(newest_web1),
                                        "--store", url, "--format", "json"});
    CHECK(back.exit_code == 1);  // pass -> mixed: new failures are regressions
    auto missing = triad::test::run_triad({"report", "store:99999", "--store", url});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("no scan 99999") != std::string::npos);

    // A database without a triad schema is an error for readers, and they do not create one.
    REQUIRE(pg.psql("CREATE DATABASE empty").exit_code == 0);
    auto empty = triad::test::run_triad({"history", "--store", pg.url("empty")});
    CHECK(empty.exit_code == 3);
    CHECK(empty.err.find("no triad store") != std::string::npos);
    // An unreachable server: the error names the URL with its password masked.
    auto down = triad::test::run_triad(
        {"history", "--store", "postgresql://triad:" + std::string(kPassword) + "@127.0.0.1:1/postgres"});
    CHECK(down.exit_code == 3);
    CHECK(down.err.find("postgresql://triad:***@127.0.0.1:1/postgres") != std::string::npos);

    // The password in the URL reached no log and no output.
    for (const std::string& text :
         {triad::test::read_file(dir / "web1.log"), triad::test::read_file(dir / "web2.log"), all.out, all.err,
          console.out, report.out, report.err, diff.out, missing.err, empty.err, down.err}) {
        CHECK(text.find(kPassword) == std::string::npos);
    }
    CHECK(triad::test::read_file(dir / "web1.log").find("postgresql://triad:***@127.0.0.1") != std::string::npos);
}

TEST_CASE("PostgreSQL store: the pending-updates migration, and the history recorded and read back") {
    const std::string bindir = postgres_bindir();
    if (bindir.empty()) {
        MESSAGE("skipped: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); scripts/bootstrap installs postgresql");
        return;
    }
    std::string why;
    PostgresServer pg(bindir, why);
    REQUIRE_MESSAGE(pg.port() > 0, why);
    const std::string url = pg.url();
    // A store of schema version 1 (as triadd left it before this migration existed): the
    // writer's open migrates it to 2 and adds the tables.
    REQUIRE(triad::store::ScanStore::open(url));
    REQUIRE(pg.psql("DROP TABLE pending_updates; DROP TABLE pending_tracking; UPDATE schema_version SET version = 1")
                .exit_code == 0);
    auto reader = triad::store::ScanStore::open(url, triad::store::StoreAccess::read);
    REQUIRE(!reader);
    CHECK(reader.error().describe().find("schema version 1, this build reads version 2") != std::string::npos);
    auto store = triad::store::ScanStore::open(url).value();
    CHECK(store->schema_version() == 2);
    CHECK(pg.psql("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables"
                  " WHERE table_name LIKE 'pending%'")
              .out == "pending_tracking,pending_updates\n");

    auto save = [&](const std::string& started, const std::vector<std::string>& pending) {
        triad::rules::ScanResult scan;
        scan.started_at = started;
        std::vector<triad::scanner::PendingObservation> seen;
        for (const std::string& name : pending) seen.push_back({name, "amd64", "1.0-1", "1.1-1"});
        REQUIRE(store->save("web1", scan, &seen));
    };
    save("2026-01-01T00:00:00Z", {"old"});
    save("2026-02-01T00:00:00Z", {"old", "new"});
    save("2026-03-01T00:00:00Z", {"new"});  // old upgraded: its row goes
    CHECK(pg.psql("SELECT package || '|' || first_seen || '|' || coalesce(not_pending_at, '-') FROM pending_updates"
                  " ORDER BY package")
              .out == "new|2026-02-01T00:00:00Z|2026-01-01T00:00:00Z\n");
    CHECK(pg.psql("SELECT began_at || '|' || last_scan_at FROM pending_tracking WHERE host = 'web1'").out ==
          "2026-01-01T00:00:00Z|2026-03-01T00:00:00Z\n");
    // A scan that did not read the package state leaves the history as it was.
    triad::rules::ScanResult partial;
    partial.started_at = "2026-03-02T00:00:00Z";
    REQUIRE(store->save("web1", partial));
    auto history = triad::store::ScanStore::open(url, triad::store::StoreAccess::read).value()->pending_history("web1");
    REQUIRE(history);
    CHECK(history->tracking_began == std::optional<std::int64_t>{1767225600});  // 2026-01-01
    CHECK(history->last_recorded == std::optional<std::int64_t>{1772323200});   // 2026-03-01
    REQUIRE(history->pending.size() == 1);
    CHECK(history->pending[0].package == "new");
    CHECK(history->pending[0].first_seen == 1769904000);                                      // 2026-02-01
    CHECK(history->pending[0].not_pending_at == std::optional<std::int64_t>{1767225600});
    CHECK(history->store.find(kPassword) == std::string::npos);
}

TEST_CASE("a store URL is shown with its password masked, wherever the password is written") {
    using triad::store::redact_store_url;
    CHECK(redact_store_url("postgresql://triad:s3cret@db:5432/triad") == "postgresql://triad:***@db:5432/triad");
    CHECK(redact_store_url("postgres://u:p%40ss@[::1]:5432/db?sslmode=require") ==
          "postgres://u:***@[::1]:5432/db?sslmode=require");
    // Unencoded '@' and '/' in a password: everything up to the host's '@' is hidden.
    CHECK(redact_store_url("postgresql://u:a@b/c@db/x") == "postgresql://u:***@db/x");
    CHECK(redact_store_url("postgresql://db/x?user=u&password=s3cret&sslmode=verify-full") ==
          "postgresql://db/x?user=u&password=***&sslmode=verify-full");
    CHECK(redact_store_url("postgresql://db/x?password=s3cret") == "postgresql://db/x?password=***");
    CHECK(redact_store_url("postgresql://db/x?oldpassword=keep") == "postgresql://db/x?oldpassword=keep");
    // Nothing secret: unchanged.
    CHECK(redact_store_url("postgresql://triad@db:5432/triad") == "postgresql://triad@db:5432/triad");
    CHECK(redact_store_url("postgresql://db:5432/triad") == "postgresql://db:5432/triad");
    CHECK(redact_store_url("sqlite:///var/lib/triad/triad.db") == "sqlite:///var/lib/triad/triad.db");
}
