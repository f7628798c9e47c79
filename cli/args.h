// SPDX-License-Identifier: Apache-2.0
// A small command-line parser for the subcommands: long options with values
// (--opt VALUE or --opt=VALUE), repeatable options, flags and positional arguments.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace triad::cli {

struct OptionSpec {
    std::string name;        // without the leading "--"
    bool takes_value;
    char short_name = 0;     // e.g. 'r' for -r; 0 for none
};

class Args {
public:
    // Parses argv[first..]; returns an error message on an unknown option or a missing value.
    static std::optional<std::string> parse(int argc, char** argv, int first, const std::vector<OptionSpec>& specs,
                                            Args& out);

    bool flag(const std::string& name) const { return values_.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;  // the last one given
    std::vector<std::string> values(const std::string& name) const;   // every one, in order
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

}  // namespace triad::cli
