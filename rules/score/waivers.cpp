// SPDX-License-Identifier: Apache-2.0
// Loads waiver files (read with yaml-cpp keeping positions, then validated: keys, dates, globs,
// check ids) and applies waivers to a finished evaluation.
#include "rules/score/waivers.h"


#include <algorithm>
#include <chrono>
#include <cstdio>

#include "rules/load/yaml_support.h"
#include "base/file_read.h"

namespace triad::rules {
namespace {

void read_waiver(YamlContext& ctx, const YAML::Node& node, const std::set<std::string>& known, WaiverLoad& out) {
    if (!node.IsMap()) {
        ctx.error(node, "each waiver must be a map with 'check', 'reason' and 'expires'");
        return;
    }
    ctx.reject_unknown_keys(node, {"check", "objects", "reason", "owner", "expires"}, "a waiver");
    Waiver w;
    w.pos = ctx.pos(node);
    w.check = ctx.required_string(node, "check", "a waiver");
    if (!w.check.empty() && !known.count(w.check)) {
        std::string hint = closest(w.check, std::vector<std::string>(known.begin(), known.end()));
        ctx.error(node["check"], "unknown check '" + w.check + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    w.reason = ctx.required_string(node, "reason", "waiver for " + w.check);
    w.owner = ctx.optional_string(node, "owner");
    w.expires = ctx.required_string(node, "expires", "waiver for " + w.check);
    if (!w.expires.empty() && !valid_date(w.expires))
        ctx.error(node["expires"], "'expires' must be a date written YYYY-MM-DD, not '" + w.expires + "'");
    if (const YAML::Node objects = node["objects"]) {
        if (!objects.IsSequence() || objects.size() == 0) {
            ctx.error(objects, "'objects' must be a non-empty list of globs");
        } else {
            for (const auto& g : objects) {
                if (!g.IsScalar() || g.Scalar().empty()) {
                    ctx.error(g, "each entry of 'objects' must be a non-empty string");
                    continue;
                }
                auto glob = Glob::compile(g.Scalar());
                if (!glob) ctx.error(g, glob.error().message);
                else w.objects.push_back(std::move(*glob));
            }
        }
    }
    out.waivers.push_back(std::move(w));
}

bool matches_any(const std::vector<Glob>& globs, std::string_view object) {
    return std::any_of(globs.begin(), globs.end(), [&](const Glob& g) { return g.matches(object); });
}

}  // namespace

bool valid_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    auto num = [&](std::size_t pos, std::size_t len) {
        unsigned v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + static_cast<unsigned>(s[i] - '0');
        return v;
    };
    const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(num(0, 4))), std::chrono::month(num(5, 2)),
                                           std::chrono::day(num(8, 2))};
    return date.ok();
}

std::string today_utc() {
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

std::set<std::string> check_ids(std::span<const Policy> policies) {
    std::set<std::string> ids;
    for (const Policy& p : policies)
        for (const Check& c : p.checks) ids.insert(c.info.id);
    return ids;
}

WaiverLoad load_waivers_text(const std::string& text, const std::string& name, const std::set<std::string>& known) {
    WaiverLoad out;
    YamlContext ctx(name);
    try {
        YAML::Node root = YAML::Load(text);
        if (!root.IsMap()) {
            ctx.error(root, "a waiver file is a map with 'waivers', a list of waivers");
        } else {
            ctx.reject_unknown_keys(root, {"waivers"}, "the waiver file");
            const YAML::Node list = root["waivers"];
            if (!list || !list.IsSequence()) ctx.error(list ? list : root, "the file needs 'waivers:', a list of waivers");
            else
                for (const auto& w : list) read_waiver(ctx, w, known, out);
        }
    } catch (const YAML::Exception& e) {
        ctx.error(SourcePos{name, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
    } catch (const std::exception& e) {
        ctx.error(SourcePos{name, 1, 1}, std::string("cannot load waivers: ") + e.what());
    }
    out.diagnostics = std::move(ctx.diagnostics);
    if (!out.ok()) out.waivers.clear();
    return out;
}

WaiverLoad load_waivers_file(const std::string& path, const std::set<std::string>& known) {
    WaiverLoad out;
    auto text = read_regular_file(path, kMaxWaiverBytes);
    if (!text) {
        out.diagnostics.push_back({SourcePos{path, 0, 0}, text.error().message});
        return out;
    }
    return load_waivers_text(*text, path, known);
}

namespace {

WaiverRecord record_of(const Waiver& w, std::string_view today) {
    WaiverRecord record;
    record.check = w.check;
    for (const auto& g : w.objects) record.objects.push_back(g.text());
    record.reason = w.reason;
    record.owner = w.owner;
    record.expires = w.expires;
    record.source = w.pos.str();
    // ISO dates order as strings; the expiry day itself is still covered.
    record.state = today > std::string_view(w.expires) ? WaiverState::expired : WaiverState::active;
    return record;
}

void apply_one(const Waiver& w, WaiverRecord& record, CheckResult& r) {
    // Only failures are waived: an error still needs looking at, and a pass needs nothing.
    if (record.state != WaiverState::active || r.check.id != w.check || r.verdict != Verdict::fail) return;
    if (w.objects.empty()) {
        r.verdict = Verdict::waived;
        r.reason = w.reason;
        record.applied = true;
        return;
    }
    auto waived = std::stable_partition(r.evidence.begin(), r.evidence.end(),
                                        [&](const Evidence& e) { return !matches_any(w.objects, e.object); });
    const auto removed = static_cast<std::uint64_t>(r.evidence.end() - waived);
    for (auto it = waived; it != r.evidence.end(); ++it) record.waived_objects.push_back(it->object);
    r.evidence.erase(waived, r.evidence.end());
    if (removed == 0) return;
    record.applied = true;
    r.evidence_total -= std::min(removed, r.evidence_total);
    // Objects beyond the listed kMaxEvidence were not seen here: while any remain unlisted the
    // check keeps failing rather than being waived on a guess.
    if (r.evidence_total == 0) {
        r.verdict = Verdict::waived;
        r.reason = w.reason;
    }
}

}  // namespace

void apply_waivers(ScanResult& result, std::span<const Waiver> waivers, std::string_view today) {
    for (const Waiver& w : waivers) {
        WaiverRecord record = record_of(w, today);
        for (CheckResult& r : result.results) apply_one(w, record, r);
        result.waivers.push_back(std::move(record));
    }
}

void apply_waivers(CheckResult& result, std::span<const Waiver> waivers, std::string_view today) {
    for (const Waiver& w : waivers) {
        WaiverRecord record = record_of(w, today);
        apply_one(w, record, result);
    }
}

}  // namespace triad::rules
