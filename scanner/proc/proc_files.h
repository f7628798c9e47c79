// SPDX-License-Identifier: Apache-2.0
// Small reads below one process's directory of a proc tree, shared by the readers in this
// folder: each name is a single component opened with O_NOFOLLOW relative to the already
// resolved directory, so nothing in a hostile or fixture tree can redirect it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace triad::scanner {

// A regular file below `dirfd`, at most max_bytes; a FIFO or device is refused unopened
// for reading. `where` names it in errors.
Result<std::string> read_proc_file_at(int dirfd, const char* name, std::size_t max_bytes, const std::string& where);

// The target of the link `name` below `dirfd`; nullopt with errno set when unreadable.
std::optional<std::string> read_proc_link_at(int dirfd, const char* name);

// The names in the directory `dirfd` (no dot entries); empty when it cannot be listed.
std::vector<std::string> list_proc_dir(int dirfd);

// Whitespace-separated words of one line.
std::vector<std::string_view> split_proc_words(std::string_view line);

// "1234" → true; empty or anything else → false.
bool all_digits(std::string_view s);

}  // namespace triad::scanner
