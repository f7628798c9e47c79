// SPDX-License-Identifier: Apache-2.0
// The scan store: every scan (time, host, duration, scores, counts, policy versions) and
// every check result with its evidence, in an SQLite database opened through Poco::Data.
// WAL journal, one transaction per scan (a killed writer leaves the last complete scan),
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

namespace triad::store {

// The default store of the daemon and of `triad history`.
inline constexpr const char* kDefaultStoreUrl = "sqlite:///var/lib/triad/triad.db";

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

struct Retention {
    std::uint64_t scans = 500;  // per host; 0: no limit
    std::uint64_t days = 180;   // 0: no limit
};

class ScanStore {
public:
    // url: sqlite:///absolute/path.db (or sqlite://relative/path.db). Creates the file and
    // its schema when absent; applies pending migrations. Errors name the URL.
    static Result<std::unique_ptr<ScanStore>> open(const std::string& url);
    ~ScanStore();

    // Stores one complete scan and all its results in one transaction; returns its id.
    Result<std::int64_t> save(const std::string& host, const rules::ScanResult& result);
    // Drops a host's scans beyond the newest `keep.scans` and those older than `keep.days`.
    Result<std::uint64_t> apply_retention(const std::string& host, const Retention& keep);

    // Newest first; host empty: every host.
    Result<std::vector<ScanRow>> scans(const std::string& host, std::size_t limit = 0);
    Result<std::vector<CheckRow>> check_history(const std::string& host, const std::string& check_id);
    // Verdict per check id of the host's newest stored scan (empty when none).
    Result<std::map<std::string, std::string>> last_verdicts(const std::string& host);
    // The stored triad.result/1 document of a scan.
    Result<std::string> result_json(std::int64_t scan_id);
    int schema_version();

private:
    struct Impl;
    explicit ScanStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The file path of an sqlite:// URL; nullopt for any other scheme.
std::optional<std::string> sqlite_path(const std::string& url);

}  // namespace triad::store
