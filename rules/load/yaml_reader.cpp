// SPDX-License-Identifier: Apache-2.0
// The YAML reader: yaml-cpp's event parser feeds a builder that makes RawNodes directly, so no
// yaml-cpp node graph is built (its memory bookkeeping grows quadratically on large files) and
// every node is counted as it is made. yaml-cpp marks are 0-based; RawNode positions 1-based.
#include "rules/load/yaml_reader.h"

#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <utility>

// GCC 12 warns about yaml-cpp's own code (a false positive fixed in later GCC).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#pragma GCC diagnostic pop

namespace triad::rules {
namespace {

// A 1-based position.
struct At {
    int line;
    int column;
};

At at(const YAML::Mark& mark) { return At{mark.line + 1, mark.column + 1}; }

// Thrown from the parser's callbacks to stop reading at once; caught in read_yaml.
struct Refusal {
    At at;
    std::string message;
};

class TreeBuilder final : public YAML::EventHandler {
public:
    explicit TreeBuilder(const ReadLimits& limits) : limits_(limits) {}

    std::optional<RawNode> root;

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        spend(1, at(mark));
        finish(node_at(mark, RawNode::Kind::null), 1, 0, anchor);
    }
    void OnScalar(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  const std::string& value) override {
        spend(1, at(mark));
        RawNode node = node_at(mark, RawNode::Kind::scalar);
        node.text = value;
        finish(std::move(node), 1, 0, anchor);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = anchors_.find(anchor);
        // yaml-cpp rejects names never defined, so a missing entry is an anchor on a node
        // still open around this alias: expanding it would never end.
        if (it == anchors_.end()) refuse(at(mark), "a YAML alias refers to a node that contains it; refused");
        const Anchored& target = it->second;
        if (depth() + target.height > limits_.max_depth) refuse_depth(at(mark));
        spend(target.size, at(mark));
        finish(target.node, target.size, target.height, 0);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, RawNode::Kind::sequence, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, RawNode::Kind::map, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    // A map or sequence still being read.
    struct Frame {
        RawNode node;
        YAML::anchor_t anchor;
        std::size_t size = 1;    // nodes in it, itself included
        int height = 1;          // levels of maps and sequences, itself included
        bool has_key = false;    // a map's last entry waits for its value
    };
    // A finished node that aliases may copy.
    struct Anchored {
        RawNode node;
        std::size_t size;
        int height;
    };

    static RawNode node_at(const YAML::Mark& mark, RawNode::Kind kind) {
        RawNode node;
        node.kind = kind;
        node.line = mark.line + 1;
        node.column = mark.column + 1;
        return node;
    }

    int depth() const { return static_cast<int>(open_.size()); }

    [[noreturn]] static void refuse(At where, std::string message) { throw Refusal{where, std::move(message)}; }
    [[noreturn]] void refuse_depth(At where) const {
        refuse(where, "YAML nested deeper than " + std::to_string(limits_.max_depth) + " levels; refused");
    }

    // Counts `n` more nodes against the budget before they are made.
    void spend(std::size_t n, At where) {
        if (n > limits_.max_nodes - nodes_)
            refuse(where, "the document has more than " + std::to_string(limits_.max_nodes) +
                             " nodes (YAML aliases expand); refused");
        nodes_ += n;
    }

    void open(const YAML::Mark& mark, RawNode::Kind kind, YAML::anchor_t anchor) {
        if (depth() >= limits_.max_depth) refuse_depth(at(mark));
        spend(1, at(mark));
        open_.push_back(Frame{node_at(mark, kind), anchor});
    }

    void close() {
        Frame frame = std::move(open_.back());
        open_.pop_back();
        finish(std::move(frame.node), frame.size, frame.height, frame.anchor);
    }

    // Hands a finished node to its parent (or makes it the root), keeping a copy when anchored.
    void finish(RawNode node, std::size_t size, int height, YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor) {
            // The copy is held too, so it is paid for like any other node.
            spend(size, At{node.line, node.column});
            anchors_.insert_or_assign(anchor, Anchored{node, size, height});
        }
        if (open_.empty()) {
            root = std::move(node);
            return;
        }
        Frame& parent = open_.back();
        parent.size += size;
        parent.height = std::max(parent.height, height + 1);
        if (parent.node.is_sequence()) {
            parent.node.items.push_back(std::move(node));
        } else if (!parent.has_key) {
            parent.node.entries.push_back(RawEntry{std::move(node), RawNode{}});
            parent.has_key = true;
        } else {
            parent.node.entries.back().value = std::move(node);
            parent.has_key = false;
        }
    }

    const ReadLimits& limits_;
    std::vector<Frame> open_;
    std::unordered_map<YAML::anchor_t, Anchored> anchors_;
    std::size_t nodes_ = 0;
};

}  // namespace

std::optional<RawNode> read_yaml(std::string_view text, DiagnosticSink& diags, const ReadLimits& limits) {
    std::istringstream in{std::string(text)};
    TreeBuilder builder(limits);
    try {
        YAML::Parser parser(in);
        if (!parser.HandleNextDocument(builder) || !builder.root) {
            RawNode empty;
            empty.line = 1;
            empty.column = 1;
            return empty;
        }
    } catch (const Refusal& r) {
        diags.error(SourcePos{diags.file(), r.at.line, r.at.column}, r.message);
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diags.error(SourcePos{diags.file(), e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
        return std::nullopt;
    }
    return std::move(builder.root);
}

}  // namespace triad::rules
