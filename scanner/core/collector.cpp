// SPDX-License-Identifier: Apache-2.0
#include "scanner/core/collector.h"

namespace triad::scanner {

const std::string* SelectArgs::string(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return nullptr;
    return std::get_if<std::string>(&it->second);
}

StringList SelectArgs::list(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return {};
    if (const auto* s = std::get_if<std::string>(&it->second)) return {*s};
    if (const auto* l = std::get_if<StringList>(&it->second)) return *l;
    return {};
}

std::optional<bool> SelectArgs::boolean(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    if (const auto* b = std::get_if<bool>(&it->second)) return *b;
    return std::nullopt;
}

std::optional<std::int64_t> SelectArgs::integer(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    if (const auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
    return std::nullopt;
}

FactSet collect_left_out(const CollectContext&, const SelectArgs&) {
    return {Fact::error("collector", "this collector is not built into this triad")};
}

}  // namespace triad::scanner
