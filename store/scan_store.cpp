// SPDX-License-Identifier: Apache-2.0
#include "store/scan_store.h"

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

#include <chrono>
#include <ctime>
#include <mutex>
#include <sstream>

#include "reporters/reporter.h"

namespace triad::store {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;

namespace {

// Each migration takes the schema from version N to N+1; they run in order, each in its own
// transaction together with the version bump, so a database is never half-migrated.
const std::vector<std::vector<std::string>> kMigrations = {
    {
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
};

Error store_error(const Poco::Exception& e, const std::string& where) {
    return Error{ErrorCode::io, e.displayText(), where};
}

Poco::Nullable<double> nullable(const std::optional<double>& v) {
    return v ? Poco::Nullable<double>(*v) : Poco::Nullable<double>();
}

std::string evidence_json(const rules::CheckResult& r) {
    Poco::JSON::Array list;
    for (const rules::Evidence& e : r.evidence) {
        Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
        item.set("object", e.object);
        Poco::JSON::Object observed(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const auto& [field, value] : e.observed) observed.set(field, value);
        item.set("observed", observed);
        list.add(item);
    }
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(list, out);
    return out.str();
}

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
    std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

std::optional<std::string> sqlite_path(const std::string& url) {
    constexpr std::string_view scheme = "sqlite://";
    if (url.rfind(scheme, 0) != 0 || url.size() == scheme.size()) return std::nullopt;
    return url.substr(scheme.size());
}

struct ScanStore::Impl {
    std::string url;
    Session session;
    std::mutex mutex;  // one Poco session: the daemon's worker and readers take turns
    Impl(std::string u, const std::string& path) : url(std::move(u)), session("SQLite", path) {}
};

ScanStore::ScanStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanStore::~ScanStore() = default;

Result<std::unique_ptr<ScanStore>> ScanStore::open(const std::string& url) {
    auto path = sqlite_path(url);
    if (!path) return Error{ErrorCode::usage, "unsupported store (this build reads sqlite:///PATH only)", url};
    static std::once_flag registered;
    std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    try {
        auto impl = std::make_unique<Impl>(url, *path);
        Session& s = impl->session;
        // WAL: readers (`triad history`) never block the daemon's writer, and a crash in the
        // middle of a transaction leaves the database as of the last commit.
        std::string mode;
        s << "PRAGMA journal_mode=WAL", into(mode), now;
        s << "PRAGMA synchronous=NORMAL", now;
        s << "PRAGMA foreign_keys=ON", now;
        s << "PRAGMA busy_timeout=5000", now;
        s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
        int rows = 0;
        s << "SELECT count(*) FROM schema_version", into(rows), now;
        if (rows == 0) s << "INSERT INTO schema_version VALUES (0)", now;
        int version = 0;
        s << "SELECT version FROM schema_version", into(version), now;
        if (version > static_cast<int>(kMigrations.size()))
            return Error{ErrorCode::invalid_input,
                         "schema version " + std::to_string(version) + " is newer than this build knows (" +
                             std::to_string(kMigrations.size()) + ")",
                         url};
        for (int v = version; v < static_cast<int>(kMigrations.size()); ++v) {
            Poco::Data::Transaction tx(s);
            for (const std::string& sql : kMigrations[v]) s << sql, now;
            int next = v + 1;
            s << "UPDATE schema_version SET version = ?", use(next), now;
            tx.commit();
        }
        return std::unique_ptr<ScanStore>(new ScanStore(std::move(impl)));
    } catch (const Poco::Exception& e) {
        return store_error(e, url);
    }
}

int ScanStore::schema_version() {
    std::lock_guard lock(impl_->mutex);
    int version = 0;
    impl_->session << "SELECT version FROM schema_version", into(version), now;
    return version;
}

Result<std::int64_t> ScanStore::save(const std::string& host, const rules::ScanResult& result) {
    const std::string json = report::render_json(result, {});
    std::lock_guard lock(impl_->mutex);
    Session& s = impl_->session;
    try {
        Poco::Data::Transaction tx(s);
        std::string started = result.started_at, policies = policies_text(result), h = host;
        Poco::UInt64 duration = result.duration_ms;
        auto c = nullable(result.scores.confidentiality.score), i = nullable(result.scores.integrity.score),
             a = nullable(result.scores.availability.score), o = nullable(result.scores.overall);
        Poco::UInt64 pass = result.counts.pass, fail = result.counts.fail, err = result.counts.error,
                     na = result.counts.not_applicable, waived = result.counts.waived;
        std::string doc = json;
        s << "INSERT INTO scans (host, started_at, duration_ms, confidentiality, integrity, availability, overall,"
             " pass, fail, error, not_applicable, waived, policies, result_json)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            use(h), use(started), use(duration), use(c), use(i), use(a), use(o), use(pass), use(fail), use(err),
            use(na), use(waived), use(policies), use(doc), now;
        Poco::Int64 id = 0;
        s << "SELECT last_insert_rowid()", into(id), now;
        for (const rules::CheckResult& r : result.results) {
            std::string check = r.check.id, verdict(rules::to_string(r.verdict)),
                        severity(rules::to_string(r.check.severity)), reason = r.reason, evidence = evidence_json(r);
            Poco::UInt64 total = r.evidence_total;
            s << "INSERT INTO results (scan_id, check_id, verdict, severity, reason, evidence_total, evidence)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                use(id), use(check), use(verdict), use(severity), use(reason), use(total), use(evidence), now;
        }
        tx.commit();
        return static_cast<std::int64_t>(id);
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::uint64_t> ScanStore::apply_retention(const std::string& host, const Retention& keep) {
    std::lock_guard lock(impl_->mutex);
    Session& s = impl_->session;
    try {
        Poco::Data::Transaction tx(s);
        std::string h = host;
        std::size_t dropped = 0;
        if (keep.scans > 0) {
            Poco::UInt64 n = keep.scans;
            Poco::Data::Statement st(s);
            st << "DELETE FROM scans WHERE host = ? AND id NOT IN"
                  " (SELECT id FROM scans WHERE host = ? ORDER BY id DESC LIMIT ?)",
                use(h), use(h), use(n);
            dropped += st.execute();
        }
        if (keep.days > 0) {
            std::string cutoff = utc_days_ago(keep.days);
            Poco::Data::Statement st(s);
            st << "DELETE FROM scans WHERE host = ? AND started_at < ?", use(h), use(cutoff);
            dropped += st.execute();
        }
        tx.commit();
        return static_cast<std::uint64_t>(dropped);
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::vector<ScanRow>> ScanStore::scans(const std::string& host, std::size_t limit) {
    std::lock_guard lock(impl_->mutex);
    try {
        Poco::Data::Statement st(impl_->session);
        std::string h = host;
        st << "SELECT id, host, started_at, duration_ms, confidentiality, integrity, availability, overall,"
              " pass, fail, error, not_applicable, waived, policies FROM scans"
              " WHERE (? = '' OR host = ?) ORDER BY id DESC",
            use(h), use(h);
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
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::vector<CheckRow>> ScanStore::check_history(const std::string& host, const std::string& check_id) {
    std::lock_guard lock(impl_->mutex);
    try {
        Poco::Data::Statement st(impl_->session);
        std::string h = host, c = check_id;
        st << "SELECT r.scan_id, s.host, s.started_at, r.check_id, r.verdict, r.severity, r.reason,"
              " r.evidence_total, r.evidence FROM results r JOIN scans s ON s.id = r.scan_id"
              " WHERE r.check_id = ? AND (? = '' OR s.host = ?) ORDER BY r.scan_id DESC",
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
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::map<std::string, std::string>> ScanStore::last_verdicts(const std::string& host) {
    std::lock_guard lock(impl_->mutex);
    try {
        std::vector<std::string> ids, verdicts;
        std::string h = host;
        impl_->session << "SELECT check_id, verdict FROM results WHERE scan_id ="
                          " (SELECT max(id) FROM scans WHERE host = ?)",
            use(h), into(ids), into(verdicts), now;
        std::map<std::string, std::string> out;
        for (std::size_t k = 0; k < ids.size(); ++k) out[ids[k]] = verdicts[k];
        return out;
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

Result<std::string> ScanStore::result_json(std::int64_t scan_id) {
    std::lock_guard lock(impl_->mutex);
    try {
        std::vector<std::string> docs;
        Poco::Int64 id = scan_id;
        impl_->session << "SELECT result_json FROM scans WHERE id = ?", use(id), into(docs), now;
        if (docs.empty()) return Error{ErrorCode::not_found, "no scan " + std::to_string(scan_id), impl_->url};
        return docs.front();
    } catch (const Poco::Exception& e) {
        return store_error(e, impl_->url);
    }
}

}  // namespace triad::store
