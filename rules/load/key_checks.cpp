// SPDX-License-Identifier: Apache-2.0
#include "rules/load/key_checks.h"

#include <algorithm>
#include <numeric>

namespace triad::rules {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

void reject_unknown_keys(DiagnosticSink& diags, const RawNode& map, std::initializer_list<std::string_view> allowed,
                         std::string_view where) {
    reject_unknown_keys(diags, map, std::vector<std::string>(allowed.begin(), allowed.end()), where);
}

void reject_unknown_keys(DiagnosticSink& diags, const RawNode& map, const std::vector<std::string>& allowed,
                         std::string_view where) {
    for (const RawEntry& e : map.entries) {
        if (!e.key.is_scalar()) {
            diags.error(e.key, "keys in " + std::string(where) + " must be plain strings");
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), e.key.text) != allowed.end()) continue;
        std::string msg = "unknown key '" + e.key.text + "' in " + std::string(where);
        std::string hint = closest(e.key.text, allowed);
        if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
        diags.error(e.key, msg);
    }
}

std::string required_string(DiagnosticSink& diags, const RawNode& map, std::string_view key, std::string_view where) {
    const RawNode* v = map.get(key);
    if (!v) {
        diags.error(map, std::string(where) + " needs '" + std::string(key) + "'");
        return "";
    }
    if (!v->is_scalar() || v->text.empty()) {
        diags.error(*v, "'" + std::string(key) + "' must be a non-empty string");
        return "";
    }
    return v->text;
}

std::string optional_string(DiagnosticSink& diags, const RawNode& map, std::string_view key) {
    const RawNode* v = map.get(key);
    if (!v) return "";
    if (!v->is_scalar()) {
        diags.error(*v, "'" + std::string(key) + "' must be a string");
        return "";
    }
    return v->text;
}

}  // namespace triad::rules
