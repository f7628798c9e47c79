// SPDX-License-Identifier: Apache-2.0
// Writing results: atomically (temporary file, fsync, rename) so that a killed scan leaves
// the previous report intact, with mode 0640 because reports describe weaknesses.
#pragma once

#include <string>

#include "base/result.h"

namespace triad::cli {

Status write_file_atomic(const std::string& path, const std::string& bytes, unsigned mode = 0640);

}  // namespace triad::cli
