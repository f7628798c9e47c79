// SPDX-License-Identifier: Apache-2.0
// Parsers behind the accounts collector, shared with its tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triad::scanner {

// What a password field of shadow/passwd/gshadow says, without keeping the secret.
struct PasswordInfo {
    // set: a usable hash; empty: no password is asked; locked: '!' before a hash;
    // disabled: '*', '!' or another non-hash, so password login is impossible.
    std::string state;
    std::string algorithm;            // yescrypt, sha512, bcrypt, md5, des...; empty without a hash
    std::optional<std::int64_t> cost; // bcrypt log2 cost, sha-crypt rounds
};

// Classifies a crypt(5) string by its prefix: "$y$" yescrypt, "$6$" sha512, "$2b$" bcrypt...
PasswordInfo classify_password(std::string_view field);

// One line of a colon-separated database (passwd, shadow, group, gshadow): its fields and
// line number. Comments, blank lines and NIS "+"/"-" entries are left out.
struct DbLine {
    std::vector<std::string> fields;
    int line = 0;
};
std::vector<DbLine> parse_colon_db(std::string_view text);

// Splits a comma list, dropping empty items ("a,,b," -> a, b).
std::vector<std::string> split_commas(std::string_view s);

}  // namespace triad::scanner
