// SPDX-License-Identifier: Apache-2.0
// `triad history`: the scans a store holds (newest first), or one check's verdict across them.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdio>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "store/scan_row_json.h"
#include "store/scan_store.h"

namespace triad::cli {
namespace {

constexpr const char* kHistoryUsage = R"(usage: triad history [options]

Lists the scans that triadd stored (newest first), or with --check the verdict of one
check in each of them.

options:
  --store URL         the store to read (default: sqlite:///var/lib/triad/triad.db), or a
                      fleet's postgresql://USER[:PASSWORD]@HOST:PORT/DB[?sslmode=...]
  --host H            only scans of host H (default: every host)
  --check ID          one check's verdict, reason and failing-object count per scan
  --format FORMAT     console (default) or json
  --help              this text
)";

std::string score_text(const std::optional<double>& s) {
    if (!s) return "-";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", *s);
    return buf;
}

void print_json(const Poco::JSON::Array& list) {
    Poco::JSON::Stringifier::stringify(list, std::cout, 2);
    std::cout << "\n";
}

int print_scans(const std::vector<store::ScanRow>& rows, bool json) {
    if (json) {
        Poco::JSON::Array list;
        for (const auto& r : rows) list.add(store::scan_row_json(r));
        print_json(list);
        return kExitOk;
    }
    if (rows.empty()) {
        std::cout << "no scans stored\n";
        return kExitOk;
    }
    std::printf("%-6s %-20s %-16s %8s %6s %6s %6s %8s %5s %5s %5s %5s\n", "SCAN", "STARTED", "HOST", "MS", "C", "I",
                "A", "OVERALL", "PASS", "FAIL", "ERR", "N/A");
    for (const auto& r : rows)
        std::printf("%-6lld %-20s %-16s %8llu %6s %6s %6s %8s %5llu %5llu %5llu %5llu\n", static_cast<long long>(r.id),
                    r.started_at.c_str(), r.host.c_str(), static_cast<unsigned long long>(r.duration_ms),
                    score_text(r.confidentiality).c_str(), score_text(r.integrity).c_str(),
                    score_text(r.availability).c_str(), score_text(r.overall).c_str(),
                    static_cast<unsigned long long>(r.counts.pass), static_cast<unsigned long long>(r.counts.fail),
                    static_cast<unsigned long long>(r.counts.error),
                    static_cast<unsigned long long>(r.counts.not_applicable));
    return kExitOk;
}

int print_check(const std::string& check, const std::vector<store::CheckRow>& rows, bool json) {
    if (json) {
        Poco::JSON::Array list;
        for (const auto& r : rows) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("scan", r.scan_id);
            o.set("host", r.host);
            o.set("started_at", r.started_at);
            o.set("check", r.check_id);
            o.set("verdict", r.verdict);
            o.set("severity", r.severity);
            o.set("reason", r.reason);
            o.set("evidence_total", r.evidence_total);
            o.set("evidence", Poco::JSON::Parser().parse(r.evidence_json));
            list.add(o);
        }
        print_json(list);
        return kExitOk;
    }
    if (rows.empty()) {
        std::cout << "no stored result for " << check << "\n";
        return kExitOk;
    }
    std::printf("%-6s %-20s %-16s %-15s %8s  %s\n", "SCAN", "STARTED", "HOST", "VERDICT", "OBJECTS", "REASON");
    for (const auto& r : rows)
        std::printf("%-6lld %-20s %-16s %-15s %8llu  %s\n", static_cast<long long>(r.scan_id), r.started_at.c_str(),
                    r.host.c_str(), r.verdict.c_str(), static_cast<unsigned long long>(r.evidence_total),
                    r.reason.c_str());
    return kExitOk;
}

}  // namespace

int run_history(int argc, char** argv, int first) {
    Args args;
    if (auto err = Args::parse(argc, argv, first,
                               {{"store", true}, {"host", true}, {"check", true}, {"format", true}, {"help", false, 'h'}},
                               args)) {
        print_error(*err + " (see 'triad history --help')");
        return kExitUsage;
    }
    if (args.flag("help")) {
        std::cout << kHistoryUsage;
        return kExitOk;
    }
    if (!args.positional().empty()) {
        print_error("unexpected argument '" + args.positional().front() + "' (see 'triad history --help')");
        return kExitUsage;
    }
    const std::string format = args.value("format").value_or("console");
    if (format != "console" && format != "json") {
        print_error("unknown format '" + format + "' (console or json)");
        return kExitUsage;
    }
    const std::string url = args.value("store").value_or(store::kDefaultStoreUrl);
    if (!store::store_kind(url)) {
        print_error("--store " + store::redact_store_url(url) +
                    ": not a store URL (sqlite:///PATH or postgresql://USER@HOST:PORT/DB)");
        return kExitUsage;
    }
    // Reading never creates a store or its schema: a missing file or an empty database is an
    // error, not an empty history.
    auto opened = store::ScanStore::open(url, store::StoreAccess::read);
    if (!opened) {
        print_error(opened.error().describe());
        return kExitCannotRun;
    }
    const std::string host = args.value("host").value_or("");
    const bool json = format == "json";
    if (auto check = args.value("check")) {
        auto rows = (*opened)->check_history(host, *check);
        if (!rows) {
            print_error(rows.error().describe());
            return kExitCannotRun;
        }
        return print_check(*check, *rows, json);
    }
    auto rows = (*opened)->scans(host);
    if (!rows) {
        print_error(rows.error().describe());
        return kExitCannotRun;
    }
    return print_scans(*rows, json);
}

}  // namespace triad::cli
