// SPDX-License-Identifier: Apache-2.0
// Small helpers for reading yaml-cpp nodes with positions, shared by the policy loader
// and the condition compiler. yaml-cpp marks are 0-based; positions we print are 1-based.
#pragma once

// GCC 12 warns about yaml-cpp's own node code (a false positive fixed in later GCC).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "rules/load/policy_loader.h"

namespace triad::rules {

class YamlContext {
public:
    explicit YamlContext(std::string file) : file_(std::move(file)) {}

    SourcePos pos(const YAML::Node& node) const {
        YAML::Mark m = node.Mark();
        return SourcePos{file_, m.line + 1, m.column + 1};
    }
    void error(const YAML::Node& node, std::string message) { diagnostics.push_back({pos(node), std::move(message)}); }
    void error(SourcePos pos, std::string message) { diagnostics.push_back({std::move(pos), std::move(message)}); }

    // Reports every key of `map` not in `allowed`, with the nearest allowed key as a hint.
    void reject_unknown_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                             std::string_view where);
    void reject_unknown_keys(const YAML::Node& map, const std::vector<std::string>& allowed, std::string_view where);

    // A required scalar string; reports and returns "" when missing or not a scalar.
    std::string required_string(const YAML::Node& map, const char* key, std::string_view where);
    std::string optional_string(const YAML::Node& map, const char* key);

    const std::string& file() const { return file_; }
    std::vector<Diagnostic> diagnostics;

    // YAML aliases let a small file name one node many times over ("billion laughs"): every
    // condition node compiled spends from this budget, so a hostile policy is refused in
    // bounded time instead of expanding exponentially.
    std::size_t condition_budget = 100'000;

private:
    std::string file_;
};

// Where a key of a map is written (the key itself, not its value).
YAML::Node key_node(const YAML::Node& map, std::string_view key);
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace triad::rules
