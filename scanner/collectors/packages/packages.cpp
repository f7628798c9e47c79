// SPDX-License-Identifier: Apache-2.0
// The `packages`, `package_sources` and `automatic_updates` collectors (see packages.h): three
// views of one libapt-pkg reading of the root, shared through the scan's memo so the cache is
// built once per scan.
#include "scanner/collectors/packages/packages.h"

#include <charconv>
#include <ctime>

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

FactSet collect_packages(const CollectContext& ctx, const SelectArgs&) {
    FactSet out;
    auto inv = inventory_or(ctx, out);
    if (!inv) return out;
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
        out.push_back(std::move(f));
    }
    return out;
}

std::string utc_date(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!::gmtime_r(&tt, &tm)) return {};
    char buf[64];
    return std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) ? buf : "";
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
