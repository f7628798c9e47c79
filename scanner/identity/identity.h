// SPDX-License-Identifier: Apache-2.0
// User and group names of the audited root, read from its own /etc/passwd and /etc/group
// (never the scanning host's NSS: an offline image has its own accounts).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::scanner {

class IdentityTable {
public:
    // Movable, not copyable: the flat tables point into the maps.
    IdentityTable() = default;
    IdentityTable(IdentityTable&&) = default;
    IdentityTable& operator=(IdentityTable&&) = default;
    IdentityTable(const IdentityTable&) = delete;
    IdentityTable& operator=(const IdentityTable&) = delete;

    static IdentityTable load(const Sysroot& root);

    const std::string* user_name(uid_t uid) const;
    const std::string* group_name(gid_t gid) const;
    // Why names cannot be resolved (passwd or group unreadable); empty when they can.
    const std::string& users_error() const { return users_error_; }
    const std::string& groups_error() const { return groups_error_; }

private:
    // The walk asks for every file's owner: ids below this are answered from a flat table.
    static constexpr unsigned kDenseIds = 65536;
    void index();
    std::vector<const std::string*> dense_users_, dense_groups_;
    std::unordered_map<uid_t, std::string> users_;
    std::unordered_map<gid_t, std::string> groups_;
    std::string users_error_, groups_error_;
};

// Parses the id → name pairs of a passwd- or group-format file (name:x:id:...).
// Malformed lines are skipped; the first entry for an id wins, as getpwuid does.
std::unordered_map<unsigned, std::string> parse_id_names(const std::string& text);

}  // namespace triad::scanner
