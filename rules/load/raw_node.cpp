// SPDX-License-Identifier: Apache-2.0
#include "rules/load/raw_node.h"

#include <sstream>

namespace triad::rules {

std::size_t RawNode::size() const {
    if (is_sequence()) return items.size();
    if (is_map()) return entries.size();
    return 0;
}

const RawNode* RawNode::get(std::string_view key) const {
    for (const RawEntry& e : entries)
        if (e.key.is_scalar() && e.key.text == key) return &e.value;
    return nullptr;
}

const RawNode* RawNode::key_of(std::string_view key) const {
    for (const RawEntry& e : entries)
        if (e.key.is_scalar() && e.key.text == key) return &e.key;
    return nullptr;
}

std::optional<std::int64_t> scalar_integer(const RawNode& node) {
    if (!node.is_scalar()) return std::nullopt;
    // Policies written for the yaml-cpp-based loader read integers through a stream with the
    // base left to the prefix; keeping that keeps every existing policy's meaning.
    std::istringstream stream(node.text);
    stream.unsetf(std::ios::dec);
    long long value = 0;
    if ((stream >> std::noskipws >> value) && (stream >> std::ws).eof()) return std::int64_t{value};
    return std::nullopt;
}

}  // namespace triad::rules
