// SPDX-License-Identifier: Apache-2.0
// Diagnostics of policy and waiver loading: what is wrong and at which FILE:LINE:COLUMN. Every
// stage (read, validate, compile) reports into one sink per file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rules/load/raw_node.h"
#include "rules/model/policy.h"

namespace triad::rules {

struct Diagnostic {
    SourcePos pos;
    std::string message;
    std::string str() const { return pos.str() + ": " + message; }
};

// Collects the diagnostics of one file. Raw nodes carry only line and column; the sink adds
// the file name, so a document of a million nodes does not hold a million copies of it.
class DiagnosticSink {
public:
    explicit DiagnosticSink(std::string file) : file_(std::move(file)) {}

    SourcePos pos(const RawNode& node) const { return SourcePos{file_, node.line, node.column}; }
    void error(const RawNode& node, std::string message) { error(pos(node), std::move(message)); }
    void error(SourcePos pos, std::string message) { diagnostics_.push_back({std::move(pos), std::move(message)}); }

    bool empty() const { return diagnostics_.empty(); }
    std::size_t count() const { return diagnostics_.size(); }
    const std::string& file() const { return file_; }
    std::vector<Diagnostic> take() { return std::move(diagnostics_); }

private:
    std::string file_;
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace triad::rules
