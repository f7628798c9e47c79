// SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

namespace triad::cli {

std::optional<std::string> Args::parse(int argc, char** argv, int first, const std::vector<OptionSpec>& specs,
                                       Args& out) {
    bool only_positional = false;
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (only_positional || arg == "-" || arg.size() < 2 || arg[0] != '-') {
            out.positional_.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positional = true;
            continue;
        }
        const OptionSpec* spec = nullptr;
        std::optional<std::string> inline_value;
        if (arg.starts_with("--")) {
            std::string name = arg.substr(2);
            if (auto eq = name.find('='); eq != std::string::npos) {
                inline_value = name.substr(eq + 1);
                name.resize(eq);
            }
            for (const auto& s : specs)
                if (s.name == name) spec = &s;
        } else if (arg.size() == 2) {
            for (const auto& s : specs)
                if (s.short_name == arg[1]) spec = &s;
        }
        if (!spec) return "unknown option '" + arg + "'";
        if (!spec->takes_value) {
            if (inline_value) return "option '--" + spec->name + "' takes no value";
            out.values_[spec->name].push_back("");
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argc) return "option '--" + spec->name + "' needs a value";
            inline_value = argv[++i];
        }
        out.values_[spec->name].push_back(*inline_value);
    }
    return std::nullopt;
}

std::optional<std::string> Args::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Args::values(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace triad::cli
