// SPDX-License-Identifier: Apache-2.0
#include "scanner/identity/identity.h"

#include <charconv>
#include <string_view>

namespace triad::scanner {

std::unordered_map<unsigned, std::string> parse_id_names(const std::string& text) {
    std::unordered_map<unsigned, std::string> out;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-') continue;
        std::size_t c1 = line.find(':');
        if (c1 == std::string_view::npos || c1 == 0) continue;
        std::size_t c2 = line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        std::size_t c3 = line.find(':', c2 + 1);
        std::string_view id_text = line.substr(c2 + 1, c3 == std::string_view::npos ? std::string_view::npos : c3 - c2 - 1);
        unsigned id = 0;
        auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc{} || ptr != id_text.data() + id_text.size()) continue;
        out.try_emplace(id, line.substr(0, c1));
    }
    return out;
}

IdentityTable IdentityTable::load(const Sysroot& root) {
    IdentityTable t;
    if (auto passwd = root.read_file("/etc/passwd"))
        for (auto& [id, name] : parse_id_names(*passwd)) t.users_.emplace(id, std::move(name));
    else
        t.users_error_ = passwd.error().describe();
    if (auto group = root.read_file("/etc/group"))
        for (auto& [id, name] : parse_id_names(*group)) t.groups_.emplace(id, std::move(name));
    else
        t.groups_error_ = group.error().describe();
    t.index();
    return t;
}

void IdentityTable::index() {
    dense_users_.assign(kDenseIds, nullptr);
    dense_groups_.assign(kDenseIds, nullptr);
    for (const auto& [id, name] : users_)
        if (id < kDenseIds) dense_users_[id] = &name;
    for (const auto& [id, name] : groups_)
        if (id < kDenseIds) dense_groups_[id] = &name;
}

const std::string* IdentityTable::user_name(uid_t uid) const {
    if (uid < dense_users_.size()) return dense_users_[uid];
    auto it = users_.find(uid);
    return it == users_.end() ? nullptr : &it->second;
}

const std::string* IdentityTable::group_name(gid_t gid) const {
    if (gid < dense_groups_.size()) return dense_groups_[gid];
    auto it = groups_.find(gid);
    return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace triad::scanner
