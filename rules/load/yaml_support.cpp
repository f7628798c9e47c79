// SPDX-License-Identifier: Apache-2.0
#include "rules/load/yaml_support.h"

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

YAML::Node key_node(const YAML::Node& map, std::string_view key) {
    for (auto it = map.begin(); it != map.end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
    return map;
}

void YamlContext::reject_unknown_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                                      std::string_view where) {
    reject_unknown_keys(map, std::vector<std::string>(allowed.begin(), allowed.end()), where);
}

void YamlContext::reject_unknown_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                                      std::string_view where) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node k = it->first;  // a copy: `it->` yields a temporary pair
        if (!k.IsScalar()) {
            error(k, "keys in " + std::string(where) + " must be plain strings");
            continue;
        }
        if (std::find(allowed.begin(), allowed.end(), k.Scalar()) != allowed.end()) continue;
        std::string msg = "unknown key '" + k.Scalar() + "' in " + std::string(where);
        std::string hint = closest(k.Scalar(), allowed);
        if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
        error(k, msg);
    }
}

std::string YamlContext::required_string(const YAML::Node& map, const char* key, std::string_view where) {
    YAML::Node v = map[key];
    if (!v) {
        error(map, std::string(where) + " needs '" + key + "'");
        return "";
    }
    if (!v.IsScalar() || v.Scalar().empty()) {
        error(v, std::string("'") + key + "' must be a non-empty string");
        return "";
    }
    return v.Scalar();
}

std::string YamlContext::optional_string(const YAML::Node& map, const char* key) {
    YAML::Node v = map[key];
    if (!v) return "";
    if (!v.IsScalar()) {
        error(v, std::string("'") + key + "' must be a string");
        return "";
    }
    return v.Scalar();
}

}  // namespace triad::rules
