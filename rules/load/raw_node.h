// SPDX-License-Identifier: Apache-2.0
// The format-neutral document a reader produces: scalars, sequences and maps, each with the
// 1-based line and column where it is written. Validation and compilation work on this tree
// only, so another policy format needs only another reader. Aliases are already expanded and
// the depth is bounded by the reader, so walking the tree recursively is safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triad::rules {

struct RawEntry;

struct RawNode {
    // `null` is an empty value or a plain null (`~`, `null`); a quoted "null" is a scalar.
    enum class Kind { null, scalar, sequence, map };

    Kind kind = Kind::null;
    int line = 0;    // 1-based
    int column = 0;  // 1-based
    std::string text;               // scalar
    std::vector<RawNode> items;     // sequence
    std::vector<RawEntry> entries;  // map, in document order; keys are nodes so they keep positions

    bool is_null() const { return kind == Kind::null; }
    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_map() const { return kind == Kind::map; }
    // Items of a sequence or entries of a map; 0 for a scalar or null.
    std::size_t size() const;

    // The value of the first entry whose key is the scalar `key` (YAML readers keep the first
    // of duplicate keys), or null when there is none or this is not a map.
    const RawNode* get(std::string_view key) const;
    // The key node itself, for reporting where a key is written.
    const RawNode* key_of(std::string_view key) const;
};

struct RawEntry {
    RawNode key;
    RawNode value;
};

// A scalar read as an integer the way the loader always has: decimal, hexadecimal with 0x,
// octal with a leading 0. Nullopt for anything else, including a non-scalar.
std::optional<std::int64_t> scalar_integer(const RawNode& node);

}  // namespace triad::rules
