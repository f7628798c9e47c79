// SPDX-License-Identifier: Apache-2.0
// The `cve` collector (see cve.h): the installed source packages from the scan's libapt-pkg
// reading, the root's codename from its os-release, the feed read once for both, and every
// version compared by libapt-pkg (compare_versions).
#include "scanner/collectors/packages/cve.h"

#include <map>

#include "base/version_compare.h"
#include "scanner/config/config_file.h"
#include "scanner/core/scan_inputs.h"
#include "scanner/packages/apt_inventory.h"
#include "scanner/packages/cve_feed.h"

namespace triad::scanner {
namespace {

// An installed source package: the oldest installed source version among its binaries, and
// the newest source version apt would upgrade one of them to.
struct InstalledSource {
    std::string installed;
    std::string candidate;  // empty: no binary of it is upgradable
    StringList binaries;
};

// VERSION_CODENAME of the root's os-release (/etc first, then /usr/lib, as systemd reads it).
Result<std::string> root_codename(const Sysroot& root) {
    for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
        auto text = root.read_file(path, 64 * 1024);
        if (!text) {
            if (text.error().code == ErrorCode::not_found) continue;
            return text.error();
        }
        for (const ConfigEntry& e : parse_config(*text, ConfigSyntax{ConfigSeparator::equals, false, ""}))
            if (e.key == "VERSION_CODENAME" && !e.value.empty()) return e.value;
        return Error{ErrorCode::not_found,
                     "no VERSION_CODENAME: the release whose tracker entries apply cannot be told (Debian unstable has none)",
                     root.display(path)};
    }
    return Error{ErrorCode::not_found, "no os-release: the release whose tracker entries apply cannot be told",
                 root.display("/etc/os-release")};
}

std::string urgency_level(std::string urgency) {
    while (!urgency.empty() && urgency.back() == '*') urgency.pop_back();
    if (urgency == "not yet assigned" || urgency.empty()) return "unassigned";
    return urgency;
}

FactSet collect_cve(const CollectContext& ctx, const SelectArgs&) {
    const std::string feed_path = scan_inputs(ctx.memo).cve_feed;
    if (feed_path.empty()) return {Fact::not_applicable("cve", "no --cve-feed given")};
    auto inv = apt_inventory(ctx.root, ctx.memo, ctx.cancel);
    if (!*inv) {
        const Error& e = inv->error();
        if (e.code == ErrorCode::not_found) return {Fact::not_applicable(e.where, e.describe())};
        return {Fact::error(e.where.empty() ? "apt" : e.where, e.describe())};
    }
    auto codename = root_codename(ctx.root);
    if (!codename) return {Fact::error(codename.error().where, codename.error().describe())};

    std::map<std::string, InstalledSource, std::less<>> sources;
    for (const AptPackage& p : (*inv)->packages) {
        if (p.source.empty() || p.source_version.empty()) continue;
        InstalledSource& s = sources[p.source];
        if (s.installed.empty() || compare_versions(p.source_version, s.installed) < 0) s.installed = p.source_version;
        if (p.upgradable && !p.candidate_source_version.empty() &&
            (s.candidate.empty() || compare_versions(p.candidate_source_version, s.candidate) > 0))
            s.candidate = p.candidate_source_version;
        s.binaries.push_back(p.name + "=" + p.version);
    }
    CveFeedQuery query;
    query.release = *codename;
    for (const auto& [name, s] : sources) query.sources.insert(name);

    auto feed = read_cve_feed(feed_path, query, ctx.cancel);
    if (!feed) {
        if (feed.error().code == ErrorCode::cancelled) return {};
        return {Fact::error(feed.error().where, "--cve-feed " + feed.error().describe())};
    }
    if (!feed->release_seen)
        return {Fact::error(feed_path, "--cve-feed: no issue in the feed (" + std::to_string(feed->sources) +
                                           " source packages) has an entry for release " + *codename +
                                           ": it is not a Debian Security Tracker feed for this root's release")};

    FactSet out;
    for (const CveEntry& e : feed->entries) {
        const InstalledSource& s = sources.find(e.source)->second;
        std::string state;
        if (e.has_fixed_version) {
            // "0": the release never had the vulnerable code.
            if (e.fixed_version == "0" || compare_versions(s.installed, e.fixed_version) >= 0) continue;
            state = "fixable";
        } else if (e.status == "open" || e.status == "undetermined") {
            state = "open";
        } else {
            out.push_back(Fact::error(e.id + " (" + e.source + ")",
                                      "--cve-feed: status " + e.status + " for " + *codename + " without a fixed_version"));
            continue;
        }
        Fact f;
        f.object = e.id + " (" + e.source + ")";
        f.fields.resize(kCveFieldCount);
        f.fields[kCveId] = Value{e.id};
        f.fields[kCveSource] = Value{e.source};
        f.fields[kCveBinaries] = Value{s.binaries};
        f.fields[kCveInstalled] = Value{Version{s.installed}};
        if (state == "fixable") f.fields[kCveFixed] = Value{Version{e.fixed_version}};
        f.fields[kCveState] = Value{state};
        f.fields[kCveTrackerStatus] = Value{e.status};
        f.fields[kCveUrgency] = Value{e.urgency};
        f.fields[kCveUrgencyLevel] = Value{urgency_level(e.urgency)};
        f.fields[kCveFixPending] =
            Value{state == "fixable" && !s.candidate.empty() && compare_versions(s.candidate, e.fixed_version) >= 0};
        if (!s.candidate.empty()) f.fields[kCveCandidate] = Value{Version{s.candidate}};
        if (!e.nodsa.empty()) f.fields[kCveNoDsa] = Value{e.nodsa};
        f.fields[kCveDescription] = Value{e.description};
        if (!e.scope.empty()) f.fields[kCveScope] = Value{e.scope};
        f.fields[kCveRelease] = Value{*codename};
        f.fields[kCveFeed] = Value{feed_path};
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

const CollectorEntry kCveCollector = with_collect(kCveCollectorSpec, collect_cve);

}  // namespace triad::scanner
