// SPDX-License-Identifier: Apache-2.0
#include "rules/load/policy_loader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "base/file_read.h"
#include "rules/load/compile.h"
#include "rules/load/validate.h"
#include "rules/load/yaml_reader.h"

namespace triad::rules {

LoadResult load_policy_text(const std::string& text, const std::string& name) {
    DiagnosticSink diags(name);
    LoadResult out;
    try {
        // Each stage works on what the one before accepted: validation on a tree within the
        // reader's limits, compile on the checks whose shape validation passed.
        if (std::optional<RawNode> document = read_yaml(text, diags)) {
            const std::vector<const RawNode*> checks = validate_policy(*document, diags);
            Policy policy = compile_policy(*document, checks, diags);
            policy.path = name;
            if (diags.empty()) out.policies.push_back(std::move(policy));
        }
    } catch (const std::exception& e) {
        diags.error(SourcePos{name, 1, 1}, std::string("cannot load policy: ") + e.what());
    }
    out.diagnostics = diags.take();
    if (!out.ok()) out.policies.clear();
    return out;
}

namespace {

void load_file(const std::string& path, LoadResult& out) {
    auto text = read_regular_file(path, kMaxPolicyBytes);
    if (!text) {
        out.diagnostics.push_back({SourcePos{path, 0, 0}, text.error().message});
        return;
    }
    LoadResult one = load_policy_text(*text, path);
    for (auto& p : one.policies) out.policies.push_back(std::move(p));
    for (auto& d : one.diagnostics) out.diagnostics.push_back(std::move(d));
}

}  // namespace

LoadResult load_policies(const std::vector<std::string>& paths) {
    LoadResult out;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<std::string> files;
            for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
                std::string ext = e.path().extension().string();
                if ((ext == ".yml" || ext == ".yaml") && e.is_regular_file(ec)) files.push_back(e.path().string());
            }
            if (ec) out.diagnostics.push_back({SourcePos{path, 0, 0}, ec.message()});
            std::sort(files.begin(), files.end());
            if (files.empty() && !ec) out.diagnostics.push_back({SourcePos{path, 0, 0}, "no *.yml or *.yaml policy in directory"});
            for (const auto& f : files) load_file(f, out);
        } else {
            load_file(path, out);
        }
    }
    // IDs must be unique across everything loaded: results, waivers and --only name them.
    std::map<std::string, const Check*> seen;
    std::set<std::string> policy_ids;
    for (const Policy& p : out.policies) {
        if (!policy_ids.insert(p.id).second)
            out.diagnostics.push_back({SourcePos{p.path, 1, 1}, "policy id '" + p.id + "' is loaded twice"});
        for (const Check& c : p.checks) {
            auto [it, fresh] = seen.emplace(c.info.id, &c);
            if (!fresh)
                out.diagnostics.push_back({c.pos, "duplicate check id '" + c.info.id + "' (first defined at " +
                                                      it->second->pos.str() + ")"});
        }
    }
    return out;
}

}  // namespace triad::rules
