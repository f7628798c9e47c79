// SPDX-License-Identifier: Apache-2.0
// The scan store: every scan (time, host, duration, scores, counts, policy versions) and
// every check result with its evidence, in an SQLite file or a PostgreSQL database (a fleet's
// daemons writing into one), both through Poco::Data and the same statements. Every row
// carries its host. One transaction per scan (a killed writer leaves the last complete scan),
// a schema_version table and migrations applied in order on open.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "rules/model/result.h"
#include "scanner/core/scan_inputs.h"

namespace triad::store {

// The default store of the daemon and of `triad history`.
inline constexpr const char* kDefaultStoreUrl = "sqlite:///var/lib/triad/triad.db";

// What a URL names: sqlite:///PATH, or postgresql://[user[:password]@]host[:port]/db[?param=...]
// (postgres:// too; the parameters are libpq's: sslmode, connect_timeout, ...).
enum class StoreKind { sqlite, postgresql };
std::optional<StoreKind> store_kind(const std::string& url);

// The URL with its password replaced by "***": the only form of a store URL that may reach a
// log, an error message or a report.
std::string redact_store_url(const std::string& url);

// Writers create the schema and migrate it; readers (`triad history`, `report store:ID`)
// never change the store: a database without a triad schema, or with an older one, is an error.
enum class StoreAccess { write, read };

// One row of the scans table.
struct ScanRow {
    std::int64_t id = 0;
    std::string host, started_at, policies;  // policies: "id@version" joined by ", "
    std::uint64_t duration_ms = 0;
    std::optional<double> confidentiality, integrity, availability, overall;
    rules::Counts counts;
};

// One check's result in one scan, with the scan it belongs to.
struct CheckRow {
    std::int64_t scan_id = 0;
    std::string host, started_at, check_id, verdict, severity, reason;
    std::uint64_t evidence_total = 0;
    std::string evidence_json;  // [{"object":..., "observed":{field: value}}]
};

// A check's result in the host's newest stored scan, to tell drift from the next scan.
struct PreviousResult {
    std::string verdict;
    std::string evidence_json;  // evidence_json() of the stored result
};

// A result's evidence as stored: [{"object":..., "observed":{field: value}}], in the result's
// order. Equal text means equal evidence.
std::string evidence_json(const rules::CheckResult& result);

struct Retention {
    std::uint64_t scans = 500;  // per host; 0: no limit
    std::uint64_t days = 180;   // 0: no limit
};

class ScanStore {
public:
    // url: sqlite:///absolute/path.db (or sqlite://relative/path.db) or postgresql://...
    // For writing, creates the SQLite file and the schema when absent and applies pending
    // migrations (on PostgreSQL under an advisory lock, so daemons starting together do not
    // race). Errors name the URL without its password.
    static Result<std::unique_ptr<ScanStore>> open(const std::string& url, StoreAccess access = StoreAccess::write);
    ~ScanStore();

    // Stores one complete scan and all its results in one transaction; returns its id.
    // `pending`: the whole set of packages the scan saw pending (ScanOutputs), recorded in the
    // same transaction — a package seen for the first time gets the scan's start as
    // first_seen, one no longer pending is dropped; null when the scan did not read it (the
    // stored pending history then stays as it was).
    Result<std::int64_t> save(const std::string& host, const rules::ScanResult& result,
                              const std::vector<scanner::PendingObservation>* pending = nullptr);
    // The host's history of pending updates, for the next scan's inputs (empty
    // tracking_began when nothing was recorded for the host yet).
    Result<scanner::PendingHistory> pending_history(const std::string& host);
    // Drops a host's scans beyond the newest `keep.scans` and those older than `keep.days`.
    Result<std::uint64_t> apply_retention(const std::string& host, const Retention& keep);

    // Newest first; host empty: every host; limit 0: all; before > 0: only ids below it (paging).
    Result<std::vector<ScanRow>> scans(const std::string& host, std::size_t limit = 0, std::int64_t before = 0);
    Result<std::vector<CheckRow>> check_history(const std::string& host, const std::string& check_id);
    // Verdict and evidence per check id of the host's newest stored scan (empty when none).
    Result<std::map<std::string, PreviousResult>> last_results(const std::string& host);
    // The verdicts alone, for callers that compare only those.
    Result<std::map<std::string, std::string>> last_verdicts(const std::string& host);
    // The stored triad.result/1 document of a scan; ErrorCode::not_found when there is none.
    Result<std::string> result_json(std::int64_t scan_id);
    int schema_version();

private:
    void record_pending(const std::string& host, const std::string& started_at,
                        const std::vector<scanner::PendingObservation>& pending);
    struct Impl;
    explicit ScanStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The host id triadd stores this machine's scans under unless its configuration names one:
// the first line of /etc/machine-id; empty when it cannot be read.
std::string machine_host_id();

// The file path of an sqlite:// URL; nullopt for any other scheme.
std::optional<std::string> sqlite_path(const std::string& url);

}  // namespace triad::store
