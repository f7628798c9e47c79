// SPDX-License-Identifier: Apache-2.0
// Bounded reading of whole files: a hostile or damaged input never makes us allocate more
// than the caller allows, and a FIFO or device named as an input is refused, never opened
// for a blocking read.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.h"

namespace triad {

// Reads everything from an open file, refusing more than max_bytes.
Result<std::string> read_all(int fd, std::size_t max_bytes, const std::string& where);

// Reads a regular file named by the user (a policy, waivers, a stored result) of at most
// max_bytes. Opened non-blocking and checked with fstat before reading, so a FIFO or a
// device is refused with "not a regular file".
Result<std::string> read_regular_file(const std::string& path, std::size_t max_bytes);

}  // namespace triad
