// SPDX-License-Identifier: Apache-2.0
#include "store/scan_store.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Nullable.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "base/utc_time.h"
#include "reporters/reporter.h"

namespace triad::store {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;

namespace {

// Each migration takes the schema from version N to N+1, in the dialect of each database:
// SQLite's rowid key and REAL (8 bytes) are PostgreSQL's BIGSERIAL and DOUBLE PRECISION. The
// same statements read and write both afterwards. Pending migrations run in order in one
// transaction with the version bump, so a database is never half-migrated.
struct Migration {
    std::vector<std::string> sqlite, postgresql;
};
const std::vector<Migration> kMigrations = {
    {{
         "CREATE TABLE scans ("
         " id INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT NOT NULL, started_at TEXT NOT NULL,"
         " duration_ms INTEGER NOT NULL, confidentiality REAL, integrity REAL, availability REAL,"
         " overall REAL, pass INTEGER NOT NULL, fail INTEGER NOT NULL, error INTEGER NOT NULL,"
         " not_applicable INTEGER NOT NULL, waived INTEGER NOT NULL, policies TEXT NOT NULL,"
         " result_json TEXT NOT NULL)",
         "CREATE INDEX scans_host ON scans(host, id)",
         "CREATE TABLE results ("
         " scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE, check_id TEXT NOT NULL,"
         " verdict TEXT NOT NULL, severity TEXT NOT NULL, reason TEXT NOT NULL,"
         " evidence_total INTEGER NOT NULL, evidence TEXT NOT NULL)",
         "CREATE INDEX results_scan ON results(scan_id)",
         "CREATE INDEX results_check ON results(check_id, scan_id)",
     },
     {
         "CREATE TABLE scans ("
         " id BIGSERIAL PRIMARY KEY, host TEXT NOT NULL, started_at TEXT NOT NULL,"
         " duration_ms BIGINT NOT NULL, confidentiality DOUBLE PRECISION, integrity DOUBLE PRECISION,"
         " availability DOUBLE PRECISION, overall DOUBLE PRECISION, pass BIGINT NOT NULL, fail BIGINT NOT NULL,"
         " error BIGINT NOT NULL, not_applicable BIGINT NOT NULL, waived BIGINT NOT NULL, policies TEXT NOT NULL,"
         " result_json TEXT NOT NULL)",
         "CREATE INDEX scans_host ON scans(host, id)",
         "CREATE TABLE results ("
         " scan_id BIGINT NOT NULL REFERENCES scans(id) ON DELETE CASCADE, check_id TEXT NOT NULL,"
         " verdict TEXT NOT NULL, severity TEXT NOT NULL, reason TEXT NOT NULL,"
         " evidence_total BIGINT NOT NULL, evidence TEXT NOT NULL)",
         "CREATE INDEX results_scan ON results(scan_id)",
         "CREATE INDEX results_check ON results(check_id, scan_id)",
     }},
    // 2: the pending updates of each host (scanner/core/scan_inputs.h PendingHistory), for
    // the age of a pending update. Times are RFC 3339 UTC, as scans.started_at. Not tied to
    // the scans rows, so that retention does not shorten the history.
    {{
         "CREATE TABLE pending_tracking (host TEXT PRIMARY KEY, began_at TEXT NOT NULL, last_scan_at TEXT NOT NULL)",
         "CREATE TABLE pending_updates ("
         " host TEXT NOT NULL, package TEXT NOT NULL, architecture TEXT NOT NULL, installed TEXT NOT NULL,"
         " candidate TEXT NOT NULL, first_seen TEXT NOT NULL, not_pending_at TEXT,"
         " PRIMARY KEY (host, package, architecture))",
     },
     {
         "CREATE TABLE pending_tracking (host TEXT PRIMARY KEY, began_at TEXT NOT NULL, last_scan_at TEXT NOT NULL)",
         "CREATE TABLE pending_updates ("
         " host TEXT NOT NULL, package TEXT NOT NULL, architecture TEXT NOT NULL, installed TEXT NOT NULL,"
         " candidate TEXT NOT NULL, first_seen TEXT NOT NULL, not_pending_at TEXT,"
         " PRIMARY KEY (host, package, architecture))",
     }},
};

// Any number: it only has to be the same in every triadd that writes into one database.
constexpr const char* kSchemaLockKey = "7461726164";

Error store_error(const Poco::Exception& e, const std::string& where) {
    return Error{ErrorCode::io, e.displayText(), where};
}

Poco::Nullable<double> nullable(const std::optional<double>& v) {
    return v ? Poco::Nullable<double>(*v) : Poco::Nullable<double>();
}

}  // namespace

std::string evidence_json(const rules::CheckResult& r) {
    Poco::JSON::Array list;
    for (const rules::Evidence& e : r.evidence) {
        Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
        item.set("object", e.object);
        Poco::JSON::Object observed(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const auto& [field, value] : e.observed) observed.set(field, value);
        item.set("observed", observed);
        if (!e.objects.empty()) {  // a group's failing objects: a change among them is drift too
            Poco::JSON::Array objects;
            for (const std::string& o : e.objects) objects.add(o);
            item.set("objects", objects);
        }
        list.add(item);
    }
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(list, out);
    return out.str();
}

namespace {

std::string policies_text(const rules::ScanResult& result) {
    std::string text;
    for (const rules::PolicyRef& p : result.policies) {
        if (!text.empty()) text += ", ";
        text += p.id + "@" + p.version;
    }
    return text;
}

// RFC 3339 UTC, the form started_at has, so that text order is time order.
std::string utc_days_ago(std::uint64_t days) {
    return rfc3339_utc(std::time(nullptr) - static_cast<std::time_t>(days) * 86400);
}

}  // namespace

std::string machine_host_id() {
    std::ifstream in("/etc/machine-id");
    std::string id;
    std::getline(in, id);
    return id;
}

std::optional<std::string> sqlite_path(const std::string& url) {
    constexpr std::string_view scheme = "sqlite://";
    if (url.rfind(scheme, 0) != 0 || url.size() == scheme.size()) return std::nullopt;
    return url.substr(scheme.size());
}

std::optional<StoreKind> store_kind(const std::string& url) {
    if (sqlite_path(url)) return StoreKind::sqlite;
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return StoreKind::postgresql;
    return std::nullopt;
}

std::string redact_store_url(const std::string& url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    const std::size_t authority = scheme_end + 3;
    std::string out = url;
    // libpq also takes the password as a query parameter: ?password=... or &password=...
    if (const std::size_t query = out.find('?', authority); query != std::string::npos) {
        for (std::size_t pos = query; (pos = out.find("password=", pos)) != std::string::npos;) {
            const char before = out[pos - 1];
            pos += std::string_view("password=").size();
            if (before != '?' && before != '&') continue;
            const std::size_t value_end = std::min(out.find('&', pos), out.size());
            out.replace(pos, value_end - pos, "***");
        }
    }
    // user:password@host — the last '@' before the query, so that a password written with
    // a raw '@' or '/' (unencoded) is still hidden whole.
    const std::size_t query = std::min(out.find('?', authority), out.size());
    const std::size_t at = out.rfind('@', query == 0 ? 0 : query - 1);
    if (at == std::string::npos || at < authority) return out;
    const std::size_t colon = out.find(':', authority);
    if (colon == std::string::npos || colon > at) return out;
    return out.substr(0, colon + 1) + "***" + out.substr(at);
}

namespace {

// The libpq keyword=value string Poco's PostgreSQL session takes, from a postgresql:// URL
// parsed by libpq itself (PQconninfoParse: percent-decoding, IPv6 hosts, query parameters).
// Poco splits the string at spaces and does not unquote, so a value with a space or a quote
// is refused rather than mangled.
Result<std::string> postgresql_conninfo(const std::string& url, const std::string& shown) {
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &message);
    if (options == nullptr) {
        PQfreemem(message);
        // libpq quotes the part it rejects, which may be the password: never show its text.
        return Error{ErrorCode::usage, "not a valid PostgreSQL connection URL", shown};
    }
    std::string conninfo;
    bool timeout = false;
    std::optional<std::string> refused;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        const std::string value = o->val;
        if (value.find_first_of(" \t\n'\\\\") != std::string::npos) refused = o->keyword;
        if (std::string_view(o->keyword) == "connect_timeout") timeout = true;
        conninfo += (conninfo.empty() ? "" : " ") + std::string(o->keyword) + "=" + value;
    }
    PQconninfoFree(options);
    if (refused)
        return Error{ErrorCode::usage,
                     "the '" + *refused + "' of the URL has a space, quote or backslash, which this build cannot pass on",
                     shown};
    // A database that does not answer must not hold the daemon's start for libpq's default (forever).
    if (!timeout) conninfo += " connect_timeout=10";
    return conninfo;
}

}  // namespace

struct ScanStore::Impl {
    std::string url;  // redacted: errors carry it
    StoreKind kind;
    Session session;
    std::mutex mutex;  // one Poco session: the daemon's worker and readers take turns
    Impl(std::string shown, StoreKind k, const std::string& connector, const std::string& connection)
        : url(std::move(shown)), kind(k), session(connector, connection) {}

    // The statements are written with '?' placeholders (SQLite's); PostgreSQL numbers them.
    // None of them has a '?' inside a literal.
    std::string sql(const std::string& text) const {
        if (kind == StoreKind::sqlite) return text;
        std::string out;
        int n = 0;
        for (char c : text) {
            if (c == '?') out += "$" + std::to_string(++n);
            else out += c;
        }
        return out;
    }
    // A fleet's database restarts or drops idle connections: when a statement fails and the
    // connection no longer answers, it is opened again and the whole operation (a scan's
    // transaction included) is tried once more. SQLite has no connection to lose.
    template <class F>
    auto retrying(F&& operation) -> decltype(operation()) {
        try {
            return operation();
        } catch (const Poco::Exception&) {
            if (kind != StoreKind::postgresql || answers()) throw;
            session.reconnect();
            return operation();
        }
    }
    bool answers() {
        try {
            int one = 0;
            session << "SELECT 1", into(one), now;
            return true;
        } catch (const Poco::Exception&) {
            return false;
        }
    }
    bool table_exists(const std::string& name) {
        int n = 0;
        std::string t = name;
        if (kind == StoreKind::sqlite)
            session << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", use(t), into(n), now;
        else
            session << "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                       " AND table_name = $1",
                use(t), into(n), now;
        return n > 0;
    }
};

ScanStore::ScanStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanStore::~ScanStore() = default;

Result<std::unique_ptr<ScanStore>> ScanStore::open(const std::string& url, StoreAccess access) {
    const std::string shown = redact_store_url(url);
    const auto kind = store_kind(url);
    if (!kind)
        return Error{ErrorCode::usage, "unsupported store (sqlite:///PATH or postgresql://USER@HOST:PORT/DB)", shown};
    std::string connector = "SQLite", connection;
    if (*kind == StoreKind::sqlite) {
        connection = *sqlite_path(url);
        // Opening creates a missing file: a reader must not leave an empty store behind.
        if (access == StoreAccess::read && ::access(connection.c_str(), F_OK) != 0)
            return Error{ErrorCode::not_found, "no store file " + connection, shown};
        static std::once_flag registered;
        std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    } else {
        auto conninfo = postgresql_conninfo(url, shown);
        if (!conninfo) return conninfo.error();
        connector = "PostgreSQL";
        connection = *conninfo;
        static std::once_flag registered;
        std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    }
    const int known = static_cast<int>(kMigrations.size());
    try {
        auto impl = std::make_unique<Impl>(shown, *kind, connector, connection);
        Session& s = impl->session;
        if (*kind == StoreKind::sqlite) {
            s << "PRAGMA busy_timeout=5000", now;
            if (access == StoreAccess::write) {
                // WAL: readers (`triad history`) never block the daemon's writer, and a crash in
                // the middle of a transaction leaves the database as of the last commit.
                std::string mode;
                s << "PRAGMA journal_mode=WAL", into(mode), now;
                s << "PRAGMA synchronous=NORMAL", now;
            }
            s << "PRAGMA foreign_keys=ON", now;
        }
        if (access == StoreAccess::read) {
            if (!impl->table_exists("schema_version"))
                return Error{ErrorCode::not_found, "no triad store here (no schema_version table)", shown};
            int version = 0;
            s << "SELECT max(version) FROM schema_version", into(version), now;
            if (version != known)
                return Error{ErrorCode::invalid_input,
                             "schema version " + std::to_string(version) + ", this build reads version " +
                                 std::to_string(known) + (version < known ? " (triadd migrates it on start)" : ""),
                             shown};
            return std::unique_ptr<ScanStore>(new ScanStore(std::move(impl)));
        }
        Poco::Data::Transaction tx(s);
        // Daemons of a fleet may start together on an empty database: the first one creates
        // the schema while the others wait here, then find it current.
        if (*kind == StoreKind::postgresql) {
            int locked = 0;
            s << std::string("SELECT 1 FROM (SELECT pg_advisory_xact_lock(") + kSchemaLockKey + ")) AS l", into(locked),
                now;
        }
        s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
        int rows = 0;
        s << "SELECT count(*) FROM schema_version", into(rows), now;
        if (rows == 0) s << "INSERT INTO schema_version VALUES (0)", now;
        int version = 0;
        s << "SELECT max(version) FROM schema_version", into(version), now;
        if (version > known)
            return Error{ErrorCode::invalid_input,
                         "schema version " + std::to_string(version) + " is newer than this build knows (" +
                             std::to_string(known) + ")",
                         shown};
        for (int v = version; v < known; ++v) {
            const auto& steps = *kind == StoreKind::sqlite ? kMigrations[v].sqlite : kMigrations[v].postgresql;
            for (const std::string& statement : steps) s << statement, now;
        }
        int next = known;
        s << impl->sql("UPDATE schema_version SET version = ?"), use(next), now;
        tx.commit();
        return std::unique_ptr<ScanStore>(new ScanStore(std::move(impl)));
    } catch (const Poco::Exception& e) {
        return store_error(e, shown);
    }
}

int ScanStore::schema_version() {
    std::lock_guard lock(impl_->mutex);
    int version = 0;
    impl_->session << "SELECT max(version) FROM schema_version", into(version), now;
    return version;
}

void ScanStore::record_pending(const std::string& host, const std::string& started_at,
                               const std::vector<scanner::PendingObservation>& pending) {
    Session& s = impl_->session;
    std::string h = host, started = started_at;
    std::vector<std::string> last;
    s << impl_->sql("SELECT last_scan_at FROM pending_tracking WHERE host = ?"), use(h), into(last), now;
    std::vector<std::string> packages, architectures, installed;
    s << impl_->sql("SELECT package, architecture, installed FROM pending_updates WHERE host = ?"), use(h),
        into(packages), into(architectures), into(installed), now;
    std::map<std::pair<std::string, std::string>, std::string> stored;
    for (std::size_t k = 0; k < packages.size(); ++k) stored[{packages[k], architectures[k]}] = installed[k];
    std::set<std::pair<std::string, std::string>> still;
    for (const scanner::PendingObservation& o : pending) {
        std::pair<std::string, std::string> key{o.package, o.architecture};
        still.insert(key);
        auto before = stored.find(key);
        if (before != stored.end() && before->second == o.installed) continue;  // pending since first_seen
        // New here, or pending still after an upgrade between the scans (another installed
        // version): it was not pending in the previous recorded scan only in the first case;
        // after an upgrade the update now pending may predate it, so its start is unknown.
        Poco::Nullable<std::string> not_pending;
        if (before == stored.end() && !last.empty()) not_pending = last.front();
        std::string package = o.package, arch = o.architecture, inst = o.installed, candidate = o.candidate;
        s << impl_->sql("DELETE FROM pending_updates WHERE host = ? AND package = ? AND architecture = ?"), use(h),
            use(package), use(arch), now;
        s << impl_->sql("INSERT INTO pending_updates (host, package, architecture, installed, candidate, first_seen,"
                        " not_pending_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            use(h), use(package), use(arch), use(inst), use(candidate), use(started), use(not_pending), now;
    }
    // No longer pending (upgraded, removed, or the candidate withdrawn): a later update starts anew.
    for (const auto& [key, ignored] : stored) {
        if (still.count(key)) continue;
        std::string package = key.first, arch = key.second;
        s << impl_->sql("DELETE FROM pending_updates WHERE host = ? AND package = ? AND architecture = ?"), use(h),
            use(package), use(arch), now;
    }
    if (last.empty())
        s << impl_->sql("INSERT INTO pending_tracking (host, began_at, last_scan_at) VALUES (?, ?, ?)"), use(h),
            use(started), use(started), now;
    else
        s << impl_->sql("UPDATE pending_tracking SET last_scan_at = ? WHERE host = ?"), use(started), use(h), now;
}

Result<scanner::PendingHistory> ScanStore::pending_history(const std::string& host) {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->retrying([&]() -> Result<scanner::PendingHistory> {
            Session& s = impl_->session;
            scanner::PendingHistory history;
            history.store = impl_->url;
            history.host = host;
            std::string h = host;
            std::vector<std::string> began, last;
            s << impl_->sql("SELECT began_at, last_scan_at FROM pending_tracking WHERE host = ?"), use(h), into(began),
                into(last), now;
            auto time_of = [&](const std::string& text, const char* column) -> Result<std::int64_t> {
                auto t = parse_rfc3339_utc(text);
                if (!t) return Error{ErrorCode::invalid_input, std::string(column) + " is not an RFC 3339 UTC time: " + text, impl_->url};
                return *t;
            };
            if (began.empty()) return history;
            auto b = time_of(began.front(), "pending_tracking.began_at");
            if (!b) return b.error();
            auto l = time_of(last.front(), "pending_tracking.last_scan_at");
            if (!l) return l.error();
            history.tracking_began = *b;
            history.last_recorded = *l;
            Poco::Data::Statement st(s);
            st << impl_->sql("SELECT package, architecture, installed, candidate, first_seen, not_pending_at"
                             " FROM pending_updates WHERE host = ? ORDER BY package, architecture"),
                use(h);
            st.execute();
            Poco::Data::RecordSet rs(st);
            for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
                scanner::PendingRecord r;
                r.package = rs[0].convert<std::string>();
                r.architecture = rs[1].convert<std::string>();
                r.installed = rs[2].convert<std::string>();
                r.candidate = rs[3].convert<std::string>();
                auto first = time_of(rs[4].convert<std::string>(), "pending_updates.first_seen");
                if (!first) return first.error();
                r.first_seen = *first;
                if (!rs[5].isEmpty()) {
                    auto before = time_of(rs[5].convert<std::string>(), "pending_updates.not_pending_at");
                    if (!before) return before.error();
                    r.not_pending_at = *before;
                }
                history.pending.push_back(std::move(r));
            }
            return history;
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::int64_t> ScanStore::save(const std::string& host, const rules::ScanResult& result,
                                     const std::vector<scanner::PendingObservation>* pending) {
    const std::string json = report::render_json(result, {});
    std::lock_guard lock(impl_->mutex);
    Session& s = impl_->session;
    try {
        return impl_->retrying([&]() -> Result<std::int64_t> {
            Poco::Data::Transaction tx(s);
            std::string started = result.started_at, policies = policies_text(result), h = host;
            Poco::UInt64 duration = result.duration_ms;
            auto c = nullable(result.scores.confidentiality.score), i = nullable(result.scores.integrity.score),
                 a = nullable(result.scores.availability.score), o = nullable(result.scores.overall);
            Poco::UInt64 pass = result.counts.pass, fail = result.counts.fail, err = result.counts.error,
                         na = result.counts.not_applicable, waived = result.counts.waived;
            std::string doc = json;
            s << impl_->sql("INSERT INTO scans (host, started_at, duration_ms, confidentiality, integrity, availability,"
                            " overall, pass, fail, error, not_applicable, waived, policies, result_json)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                use(h), use(started), use(duration), use(c), use(i), use(a), use(o), use(pass), use(fail), use(err),
                use(na), use(waived), use(policies), use(doc), now;
            Poco::Int64 id = 0;
            // The id this session's insert drew, without a race with other writers of the database.
            s << (impl_->kind == StoreKind::sqlite ? "SELECT last_insert_rowid()" : "SELECT lastval()"), into(id), now;
            for (const rules::CheckResult& r : result.results) {
                std::string check = r.check.id, verdict(rules::to_string(r.verdict)),
                            severity(rules::to_string(r.check.severity)), reason = r.reason, evidence = evidence_json(r);
                Poco::UInt64 total = r.evidence_total;
                s << impl_->sql("INSERT INTO results (scan_id, check_id, verdict, severity, reason, evidence_total,"
                                " evidence) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                    use(id), use(check), use(verdict), use(severity), use(reason), use(total), use(evidence), now;
            }
            if (pending) record_pending(host, result.started_at, *pending);
            tx.commit();
            return static_cast<std::int64_t>(id);
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::uint64_t> ScanStore::apply_retention(const std::string& host, const Retention& keep) {
    std::lock_guard lock(impl_->mutex);
    Session& s = impl_->session;
    try {
        return impl_->retrying([&]() -> Result<std::uint64_t> {
            Poco::Data::Transaction tx(s);
            std::string h = host;
            std::size_t dropped = 0;
            if (keep.scans > 0) {
                Poco::UInt64 n = keep.scans;
                Poco::Data::Statement st(s);
                st << impl_->sql("DELETE FROM scans WHERE host = ? AND id NOT IN"
                                 " (SELECT id FROM scans WHERE host = ? ORDER BY id DESC LIMIT ?)"),
                    use(h), use(h), use(n);
                dropped += st.execute();
            }
            if (keep.days > 0) {
                std::string cutoff = utc_days_ago(keep.days);
                Poco::Data::Statement st(s);
                st << impl_->sql("DELETE FROM scans WHERE host = ? AND started_at < ?"), use(h), use(cutoff);
                dropped += st.execute();
            }
            tx.commit();
            return static_cast<std::uint64_t>(dropped);
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::vector<ScanRow>> ScanStore::scans(const std::string& host, std::size_t limit, std::int64_t before) {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->retrying([&]() -> Result<std::vector<ScanRow>> {
            Poco::Data::Statement st(impl_->session);
            std::string h = host;
            Poco::Int64 below = before;
            std::string query =
                "SELECT id, host, started_at, duration_ms, confidentiality, integrity, availability, overall,"
                " pass, fail, error, not_applicable, waived, policies FROM scans"
                " WHERE (? = '' OR host = ?) AND (? <= 0 OR id < ?) ORDER BY id DESC";
            if (limit > 0) query += " LIMIT " + std::to_string(limit);
            st << impl_->sql(query), use(h), use(h), use(below), use(below);
            st.execute();
            Poco::Data::RecordSet rs(st);
            std::vector<ScanRow> rows;
            for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
                ScanRow r;
                r.id = rs[0].convert<Poco::Int64>();
                r.host = rs[1].convert<std::string>();
                r.started_at = rs[2].convert<std::string>();
                r.duration_ms = rs[3].convert<Poco::UInt64>();
                auto score = [&](std::size_t col) {
                    return rs[col].isEmpty() ? std::nullopt : std::optional<double>(rs[col].convert<double>());
                };
                r.confidentiality = score(4);
                r.integrity = score(5);
                r.availability = score(6);
                r.overall = score(7);
                r.counts.pass = rs[8].convert<Poco::UInt64>();
                r.counts.fail = rs[9].convert<Poco::UInt64>();
                r.counts.error = rs[10].convert<Poco::UInt64>();
                r.counts.not_applicable = rs[11].convert<Poco::UInt64>();
                r.counts.waived = rs[12].convert<Poco::UInt64>();
                r.policies = rs[13].convert<std::string>();
                rows.push_back(std::move(r));
                if (limit && rows.size() == limit) break;
            }
            return rows;
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::vector<CheckRow>> ScanStore::check_history(const std::string& host, const std::string& check_id) {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->retrying([&]() -> Result<std::vector<CheckRow>> {
            Poco::Data::Statement st(impl_->session);
            std::string h = host, c = check_id;
            st << impl_->sql("SELECT r.scan_id, s.host, s.started_at, r.check_id, r.verdict, r.severity, r.reason,"
                             " r.evidence_total, r.evidence FROM results r JOIN scans s ON s.id = r.scan_id"
                             " WHERE r.check_id = ? AND (? = '' OR s.host = ?) ORDER BY r.scan_id DESC"),
                use(c), use(h), use(h);
            st.execute();
            Poco::Data::RecordSet rs(st);
            std::vector<CheckRow> rows;
            for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
                CheckRow r;
                r.scan_id = rs[0].convert<Poco::Int64>();
                r.host = rs[1].convert<std::string>();
                r.started_at = rs[2].convert<std::string>();
                r.check_id = rs[3].convert<std::string>();
                r.verdict = rs[4].convert<std::string>();
                r.severity = rs[5].convert<std::string>();
                r.reason = rs[6].convert<std::string>();
                r.evidence_total = rs[7].convert<Poco::UInt64>();
                r.evidence_json = rs[8].convert<std::string>();
                rows.push_back(std::move(r));
            }
            return rows;
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::map<std::string, PreviousResult>> ScanStore::last_results(const std::string& host) {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->retrying([&]() -> Result<std::map<std::string, PreviousResult>> {
            std::vector<std::string> ids, verdicts, evidence;
            std::string h = host;
            impl_->session << impl_->sql("SELECT check_id, verdict, evidence FROM results WHERE scan_id ="
                                         " (SELECT max(id) FROM scans WHERE host = ?)"),
                use(h), into(ids), into(verdicts), into(evidence), now;
            std::map<std::string, PreviousResult> out;
            for (std::size_t k = 0; k < ids.size(); ++k) out[ids[k]] = PreviousResult{verdicts[k], evidence[k]};
            return out;
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::map<std::string, std::string>> ScanStore::last_verdicts(const std::string& host) {
    auto results = last_results(host);
    if (!results) return results.error();
    std::map<std::string, std::string> out;
    for (auto& [id, r] : *results) out[id] = std::move(r.verdict);
    return out;
}

Result<std::string> ScanStore::result_json(std::int64_t scan_id) {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->retrying([&]() -> Result<std::string> {
            std::vector<std::string> docs;
            Poco::Int64 id = scan_id;
            impl_->session << impl_->sql("SELECT result_json FROM scans WHERE id = ?"), use(id), into(docs), now;
            if (docs.empty()) return Error{ErrorCode::not_found, "no scan " + std::to_string(scan_id), impl_->url};
            return docs.front();
        });
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

}  // namespace triad::store
