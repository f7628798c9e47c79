// SPDX-License-Identifier: Apache-2.0
// The `packages`, `package_sources` and `automatic_updates` collectors (see packages.h): three
// views of one libapt-pkg reading of the root, shared through the scan's memo so the cache is
// built once per scan.
#include "scanner/collectors/packages/packages.h"

#include <charconv>
#include <ctime>
#include <map>

#include "scanner/core/scan_inputs.h"
#include "scanner/packages/apt_inventory.h"

namespace triad::scanner {
namespace {

// The inventory, or the one fact that says why there is none.
std::shared_ptr<const Result<AptInventory>> inventory_or(const CollectContext& ctx, FactSet& out) {
    auto inv = apt_inventory(ctx.root, ctx.memo, ctx.cancel);
    if (!*inv) {
        const Error& e = inv->error();
        if (e.code == ErrorCode::not_found)
            out.push_back(Fact::not_applicable(e.where, e.describe()));
        else
            out.push_back(Fact::error(e.where.empty() ? "apt" : e.where, e.describe()));
        return nullptr;
    }
    return inv;
}

std::string utc_date(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!::gmtime_r(&tt, &tm)) return {};
    char buf[64];
    return std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) ? buf : "";
}

constexpr std::int64_t kDay = 86400;

// The Release file whose Date proves the candidate was published by then: each entry of
// candidate_archives ("Origin/Codename") is a repository that offers the candidate, and the
// candidate is in the lists that repository's Release file dates. Several configured sources
// can share an Origin/Codename (mirrors) without all offering the candidate, so within one
// entry the latest Date is taken; across entries, each offering it, the earliest. Null when
// no entry matches a downloaded Release file with a Date.
const AptRelease* candidate_release(const AptPackage& p, const std::vector<AptRelease>& releases) {
    const AptRelease* earliest = nullptr;
    for (const std::string& archive : p.candidate_archives) {
        const AptRelease* latest = nullptr;
        for (const AptRelease& r : releases) {
            if (!r.downloaded || r.date <= 0) continue;
            if (r.origin + "/" + (r.codename.empty() ? r.suite : r.codename) != archive) continue;
            if (!latest || r.date > latest->date) latest = &r;
        }
        if (latest && (!earliest || latest->date < earliest->date)) earliest = latest;
    }
    return earliest;
}

// The age of a pending update: the earliest time it is proven pending and where that comes
// from, and, when triad's history saw the package not pending in the scan before, the start
// of that scan (the update became pending after it).
struct PendingAge {
    std::optional<std::int64_t> since;
    std::string source;
    std::optional<std::int64_t> not_pending_at;
    std::string unknown_why;  // when the history has the package but cannot date this update
};

PendingAge pending_age(const AptPackage& p, const PendingRecord* seen, const ScanInputs& inputs,
                       const std::vector<AptRelease>& releases) {
    PendingAge age;
    const std::optional<PendingHistory>& history = inputs.pending_history;
    // Recorded as pending over another installed version: upgraded since the newest recorded
    // scan and pending again. The update now pending may predate that upgrade, so the
    // history bounds neither end; only the Release Date below can.
    const bool upgraded_since = seen && seen->installed != p.version;
    if (upgraded_since) {
        age.unknown_why = "the age of this pending update is unknown: " + p.name + " was upgraded from " +
                          seen->installed + " to " + p.version + " since it was seen pending in the scan of " +
                          utc_date(history->last_recorded.value_or(seen->first_seen)) +
                          ", and the update now pending may predate that upgrade";
        seen = nullptr;
    }
    if (!seen && !upgraded_since && history && history->last_recorded && *history->last_recorded <= inputs.started_at) {
        // The host's newest recorded scan saw the whole pending set, and this package was not
        // in it: it became pending since, and this scan is the first to see it.
        age.since = inputs.started_at;
        age.source = "first seen pending by triad in this scan (" + utc_date(inputs.started_at) +
                     "); not pending in the scan of " + utc_date(*history->last_recorded);
        age.not_pending_at = history->last_recorded;
        return age;
    }
    if (seen) {
        age.since = seen->first_seen;
        age.source = "first seen pending by triad in the scan of " + utc_date(seen->first_seen);
        if (seen->not_pending_at) age.source += "; not pending in the scan of " + utc_date(*seen->not_pending_at);
        age.not_pending_at = seen->not_pending_at;
        // A known age is the whole answer: the package was not pending at not_pending_at, so
        // an earlier Release Date cannot make it older.
        if (age.not_pending_at) return age;
    }
    if (const AptRelease* r = candidate_release(p, releases); r && (!age.since || r->date < *age.since)) {
        age.since = r->date;
        age.source = "Release Date of " + r->release_file + " (the candidate was published by then)";
    }
    return age;
}

// Why a pending update's age is unknown, and what would give one.
std::string unknown_age_reason(const std::optional<PendingHistory>& history) {
    if (!history)
        return "the age of this pending update is unknown: no history of this host's pending updates was given "
               "(run triadd, which records one in its store, or pass its store to triad scan --history URL)";
    if (!history->unreadable.empty())
        return "the age of this pending update is unknown: the pending-update history of host " + history->host +
               " could not be read: " + history->unreadable;
    if (!history->tracking_began)
        return "the age of this pending update is unknown: the store " + history->store +
               " has no pending-update history of host " + history->host +
               " yet (triadd records one from its first scan on)";
    return "the age of this pending update is unknown: it was already pending in the first scan of host " +
           history->host + " that " + history->store + " recorded (" + utc_date(*history->tracking_began) +
           "), so when it became pending is not known";
}

// Sets the pending_* fields of an upgradable package.
void set_pending_fields(Fact& f, const PendingAge& age, const ScanInputs& inputs,
                        std::optional<std::int64_t> limit_days) {
    const std::int64_t start = inputs.started_at;
    if (age.since) {
        f.fields[kPkgPendingSince] = Value{utc_date(*age.since)};
        f.fields[kPkgPendingSinceSource] = Value{age.source};
        // A time after the scan's start (a skewed clock) counts as 0 days, never negative.
        f.fields[kPkgPendingDays] = Value{std::int64_t{start > *age.since ? (start - *age.since) / kDay : 0}};
    }
    f.fields[kPkgPendingAgeKnown] = Value{age.not_pending_at.has_value()};
    if (age.not_pending_at) {
        const std::int64_t span = start > *age.not_pending_at ? start - *age.not_pending_at : 0;
        f.fields[kPkgPendingDaysMax] = Value{std::int64_t{(span + kDay - 1) / kDay}};
    }
    if (!limit_days) return;
    if (*limit_days < 0) {
        f.set_field_error(kPkgPendingOverLimit, "pending_limit_days is " + std::to_string(*limit_days) +
                                                    ": a number of days must be 0 or more");
        return;
    }
    // Seconds, not the rounded days: more than N days is proven when the lower bound exceeds
    // N whole days; at most N when the upper bound does not.
    const std::int64_t limit = *limit_days * kDay;
    if (age.since && start - *age.since > limit) f.fields[kPkgPendingOverLimit] = Value{true};
    else if (age.not_pending_at && start - *age.not_pending_at <= limit) f.fields[kPkgPendingOverLimit] = Value{false};
    else if (age.not_pending_at)
        f.set_field_error(kPkgPendingOverLimit,
                          "the update became pending between " + utc_date(*age.not_pending_at) + " and " +
                              utc_date(age.since.value_or(start)) + ": whether that is more than " +
                              std::to_string(*limit_days) + " days ago is not known (the scans were too far apart)");
    else
        f.set_field_error(kPkgPendingOverLimit,
                          age.unknown_why.empty() ? unknown_age_reason(inputs.pending_history) : age.unknown_why);
}

FactSet collect_packages(const CollectContext& ctx, const SelectArgs& args) {
    FactSet out;
    auto inv = inventory_or(ctx, out);
    if (!inv) return out;
    const ScanInputs inputs = scan_inputs(ctx.memo);
    const std::optional<std::int64_t> limit_days = args.integer("pending_limit_days");
    std::map<std::pair<std::string, std::string>, const PendingRecord*> seen;
    if (inputs.pending_history)
        for (const PendingRecord& r : inputs.pending_history->pending) seen[{r.package, r.architecture}] = &r;
    std::vector<PendingObservation> pending;
    out.reserve((*inv)->packages.size());
    for (const AptPackage& p : (*inv)->packages) {
        if (ctx.cancelled()) break;
        Fact f;
        f.object = p.name;
        f.fields.resize(kPkgFieldCount);
        f.fields[kPkgName] = Value{p.name};
        f.fields[kPkgArchitecture] = Value{p.architecture};
        f.fields[kPkgVersion] = Value{Version{p.version}};
        f.fields[kPkgSource] = Value{p.source};
        f.fields[kPkgSourceVersion] = Value{Version{p.source_version}};
        f.fields[kPkgState] = Value{p.state};
        f.fields[kPkgHeld] = Value{p.held};
        f.fields[kPkgAuto] = Value{p.auto_installed};
        f.fields[kPkgUpgradable] = Value{p.upgradable};
        if (!p.candidate.empty()) f.fields[kPkgCandidate] = Value{Version{p.candidate}};
        if (p.upgradable) f.fields[kPkgCandidateArchives] = Value{p.candidate_archives};
        f.fields[kPkgSecurityUpdate] = Value{p.security_update};
        f.fields[kPkgProvided] = Value{p.provided};
        if (p.upgradable) {
            auto record = seen.find({p.name, p.architecture});
            const PendingAge age =
                pending_age(p, record == seen.end() ? nullptr : record->second, inputs, (*inv)->releases);
            set_pending_fields(f, age, inputs, limit_days);
            pending.push_back({p.name, p.architecture, p.version, p.candidate});
        }
        out.push_back(std::move(f));
    }
    // Only a complete reading tells the caller what is pending (and so what no longer is).
    if (ctx.memo && !ctx.cancelled()) ctx.memo->get<ScanOutputs>().set_pending(std::move(pending));
    return out;
}

FactSet collect_package_sources(const CollectContext& ctx, const SelectArgs&) {
    FactSet out;
    auto inv = inventory_or(ctx, out);
    if (!inv) return out;
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    for (const AptRelease& r : (*inv)->releases) {
        Fact f;
        f.object = r.uri + " " + r.dist;
        f.fields.resize(kSrcFieldCount);
        f.fields[kSrcUri] = Value{r.uri};
        f.fields[kSrcDist] = Value{r.dist};
        f.fields[kSrcDownloaded] = Value{r.downloaded};
        if (r.downloaded) {
            f.fields[kSrcReleaseFile] = Value{r.release_file};
            f.fields[kSrcOrigin] = Value{r.origin};
            f.fields[kSrcLabel] = Value{r.label};
            f.fields[kSrcSuite] = Value{r.suite};
            f.fields[kSrcCodename] = Value{r.codename};
            f.fields[kSrcSecurity] = Value{r.security};
            if (r.date > 0) {
                f.fields[kSrcDate] = Value{utc_date(r.date)};
                // A Date in the future (a skewed clock) counts as 0 days, not a negative age.
                f.fields[kSrcAgeDays] = Value{std::int64_t{now > r.date ? (now - r.date) / 86400 : 0}};
            }
        }
        out.push_back(std::move(f));
    }
    return out;
}

// apt.systemd.daily's reading of an interval: "always", or a whole number of days (0: off).
// Anything else makes its shell test fail, so it is an error here rather than a guess.
std::optional<bool> interval_on(const std::string& text) {
    if (text == "always") return true;
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || p != end || v < 0) return std::nullopt;
    return v > 0;
}

FactSet collect_automatic_updates(const CollectContext& ctx, const SelectArgs&) {
    FactSet out;
    auto inv = inventory_or(ctx, out);
    if (!inv) return out;
    Fact f;
    f.object = "apt";
    f.fields.resize(kAutoFieldCount);
    bool installed = false;
    for (const AptPackage& p : (*inv)->packages)
        if (p.name == "unattended-upgrades" && p.state == "installed") installed = true;
    f.fields[kAutoInstalled] = Value{installed};
    StringList settings;
    std::optional<std::string> update_lists, unattended;
    // Later assignments win, as in apt's own configuration tree (the last one read is kept).
    for (const auto& [key, value] : (*inv)->periodic) {
        settings.push_back(key + "=" + value);
        if (key == "APT::Periodic::Update-Package-Lists") update_lists = value;
        if (key == "APT::Periodic::Unattended-Upgrade") unattended = value;
    }
    bool enabled = installed;
    for (const auto* setting : {&update_lists, &unattended}) {
        if (!*setting) {
            enabled = false;
            continue;
        }
        std::optional<bool> on = interval_on(**setting);
        if (!on) return {Fact::error("apt", "APT::Periodic interval is neither a number of days nor always: " + **setting)};
        enabled = enabled && *on;
    }
    if (update_lists) f.fields[kAutoUpdateLists] = Value{*update_lists};
    if (unattended) f.fields[kAutoUnattended] = Value{*unattended};
    f.fields[kAutoEnabled] = Value{enabled};
    f.fields[kAutoSettings] = Value{settings};
    out.push_back(std::move(f));
    return out;
}

}  // namespace

const CollectorEntry kPackagesCollector = with_collect(kPackagesCollectorSpec, collect_packages);
const CollectorEntry kPackageSourcesCollector = with_collect(kPackageSourcesCollectorSpec, collect_package_sources);
const CollectorEntry kAutomaticUpdatesCollector = with_collect(kAutomaticUpdatesCollectorSpec, collect_automatic_updates);

}  // namespace triad::scanner
