// SPDX-License-Identifier: Apache-2.0
// Compilation, the third stage of loading a policy: a document that passed validation becomes
// a rules::Policy. What is checked here needs more than the document's shape: field names of
// the selected collector, operand types, regexes and globs.
#pragma once

#include <span>

#include "rules/load/diagnostic.h"
#include "rules/load/raw_node.h"
#include "rules/model/policy.h"

namespace triad::rules {

// Compiles the `checks` of `root` that validate_policy returned. The policy is whole only when
// nothing at all was reported into `diags`, by validation or here.
Policy compile_policy(const RawNode& root, std::span<const RawNode* const> checks, DiagnosticSink& diags);

}  // namespace triad::rules
