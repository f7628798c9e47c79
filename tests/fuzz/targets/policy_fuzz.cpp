// SPDX-License-Identifier: Apache-2.0
// Policy files: the YAML reading stage every policy goes through (yaml-cpp events to raw
// nodes with positions, its node and depth limits), then the condition-shape helpers the
// validator applies to every map. The later stages (validation and compilation against the
// collector table) need the whole scanner and are not built here (docs/testing.md).
#include "rules/load/condition_syntax.h"
#include "rules/load/yaml_reader.h"
#include "tests/fuzz/fuzz_root.h"

namespace {

void walk(const triad::rules::RawNode& node, triad::rules::ConditionSite site) {
    using namespace triad::rules;
    if (node.is_map()) {
        const auto entries = condition_entries(node, site);
        (void)find_combinator(entries);
        (void)is_leaf(entries, site);
        (void)find_entry(entries, "field");
        for (const RawEntry& e : node.entries) {
            if (e.key.is_scalar()) {
                (void)parse_op(e.key.text);
                (void)parse_kind(e.key.text);
            }
            walk(e.value, child_site(site));
        }
    }
    for (const RawNode& item : node.items) walk(item, site);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace triad::rules;
    DiagnosticSink diags("fuzz.yml");
    auto root = read_yaml(triad::fuzz::as_text(data, size), diags);
    if (root) walk(*root, ConditionSite::expect);
    return 0;
}
