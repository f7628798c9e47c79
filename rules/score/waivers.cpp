// SPDX-License-Identifier: Apache-2.0
// Loads waiver files (read by the policy reader into raw nodes that keep their positions, then
// validated: keys, dates, globs, check ids) and applies waivers to a finished evaluation.
#include "rules/score/waivers.h"


#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/file_read.h"
#include "rules/load/key_checks.h"
#include "rules/load/yaml_reader.h"

namespace triad::rules {
namespace {

// A waiver file is small and flat, so its validation and compilation are one pass.
void read_waiver(DiagnosticSink& diags, const RawNode& node, const std::set<std::string>& known, WaiverLoad& out) {
    if (!node.is_map()) {
        diags.error(node, "each waiver must be a map with 'check', 'reason' and 'expires'");
        return;
    }
    reject_unknown_keys(diags, node, {"check", "objects", "reason", "owner", "expires"}, "a waiver");
    Waiver w;
    w.pos = diags.pos(node);
    w.check = required_string(diags, node, "check", "a waiver");
    if (!w.check.empty() && !known.count(w.check)) {
        std::string hint = closest(w.check, std::vector<std::string>(known.begin(), known.end()));
        diags.error(*node.get("check"),
                    "unknown check '" + w.check + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    w.reason = required_string(diags, node, "reason", "waiver for " + w.check);
    w.owner = optional_string(diags, node, "owner");
    w.expires = required_string(diags, node, "expires", "waiver for " + w.check);
    if (!w.expires.empty() && !valid_date(w.expires))
        diags.error(*node.get("expires"), "'expires' must be a date written YYYY-MM-DD, not '" + w.expires + "'");
    if (const RawNode* objects = node.get("objects")) {
        if (!objects->is_sequence() || objects->size() == 0) {
            diags.error(*objects, "'objects' must be a non-empty list of globs");
        } else {
            for (const RawNode& g : objects->items) {
                if (!g.is_scalar() || g.text.empty()) {
                    diags.error(g, "each entry of 'objects' must be a non-empty string");
                    continue;
                }
                auto glob = Glob::compile(g.text);
                if (!glob) diags.error(g, glob.error().message);
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
    DiagnosticSink diags(name);
    try {
        std::optional<RawNode> root = read_yaml(text, diags);  // reports its own errors
        if (root && !root->is_map()) {
            diags.error(*root, "a waiver file is a map with 'waivers', a list of waivers");
        } else if (root) {
            reject_unknown_keys(diags, *root, {"waivers"}, "the waiver file");
            const RawNode* list = root->get("waivers");
            if (!list || !list->is_sequence())
                diags.error(list ? *list : *root, "the file needs 'waivers:', a list of waivers");
            else
                for (const RawNode& w : list->items) read_waiver(diags, w, known, out);
        }
    } catch (const std::exception& e) {
        diags.error(SourcePos{name, 1, 1}, std::string("cannot load waivers: ") + e.what());
    }
    out.diagnostics = diags.take();
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
    // Grouped evidence (a check's group_by): the waiver sees every object of a group; a group
    // whose objects are all waived, or whose name the waiver matches, goes as a whole.
    for (Evidence& e : r.evidence) {
        if (e.objects.empty() || matches_any(w.objects, e.object)) continue;
        auto kept = std::stable_partition(e.objects.begin(), e.objects.end(),
                                          [&](const std::string& o) { return !matches_any(w.objects, o); });
        if (kept == e.objects.begin()) {
            e.object = e.objects.front();  // all waived: matched as the group below
            if (!matches_any(w.objects, e.object)) continue;
            for (auto it = e.objects.begin() + 1; it != e.objects.end(); ++it) record.waived_objects.push_back(*it);
            continue;
        }
        if (kept == e.objects.end()) continue;
        for (auto it = kept; it != e.objects.end(); ++it) record.waived_objects.push_back(*it);
        e.objects.erase(kept, e.objects.end());
        record.applied = true;
        for (auto& [field, value] : e.observed) {
            if (field == "files") value = std::to_string(e.objects.size());
            if (field != "examples") continue;
            value.clear();
            for (std::size_t i = 0; i < e.objects.size() && i < 3; ++i) value += (i ? ", " : "") + e.objects[i];
        }
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
