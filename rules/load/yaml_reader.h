// SPDX-License-Identifier: Apache-2.0
// Reads YAML text into a RawNode tree (the only place yaml-cpp is used). Aliases are expanded
// into copies, within a budget of nodes, and nesting is bounded, so a hostile document
// (a "billion laughs" of aliases, or brackets nested a million deep) is refused in bounded
// time and memory with a positioned diagnostic instead of reaching later stages.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "rules/load/diagnostic.h"
#include "rules/load/raw_node.h"

namespace triad::rules {

struct ReadLimits {
    // Every node the reader holds counts, copies made for aliases included. A policy of
    // 10,000 checks is about 400,000 nodes; 4 MiB of ordinary YAML cannot exceed this.
    std::size_t max_nodes = 1'000'000;
    // Maps and sequences open at once. A condition nested to the language's 32 levels takes
    // about 70 (a map and a list per level); this bounds the recursion of every later stage.
    int max_depth = 128;
};

// The first document of `text`; an empty text is a null node at 1:1. On a syntax error or a
// refused limit, reports into `diags` and returns nullopt.
std::optional<RawNode> read_yaml(std::string_view text, DiagnosticSink& diags, const ReadLimits& limits = {});

}  // namespace triad::rules
