// SPDX-License-Identifier: Apache-2.0
// Policy files, through the whole loader `triad validate` and `triad scan` use
// (load_policy_text): the YAML reading stage (yaml-cpp events to raw nodes with positions,
// its node, depth and alias limits), validation (keys, types, selects and their arguments
// against the collector table) and compilation (fields looked up, operands typed, regexes and
// globs compiled). Nothing is scanned. Before loading, the condition-shape helpers the
// validator uses are also applied to every map of the document, valid or not.
#include "rules/load/condition_syntax.h"
#include "rules/load/policy_loader.h"
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
    const std::string text(triad::fuzz::as_text(data, size));
    DiagnosticSink diags("fuzz.yml");
    if (auto root = read_yaml(text, diags)) walk(*root, ConditionSite::expect);
    // A policy is either whole or refused with at least one diagnostic: never both, never
    // neither (a half-loaded policy would scan with checks silently missing).
    const LoadResult loaded = load_policy_text(text, "fuzz.yml");
    if (loaded.ok() == loaded.policies.empty()) __builtin_trap();
    return 0;
}
