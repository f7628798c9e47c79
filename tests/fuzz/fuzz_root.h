// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets whose parser reads through a Sysroot (includes, drop-in
// directories): a fixture root in a private temporary directory, made once per process and
// rewritten for each input, removed when the process exits normally.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/sysroot.h"

namespace triad::fuzz {

// An input of several files is written as parts separated by a line "%%"; a target takes
// as many parts as it has files and leaves the rest empty.
inline std::vector<std::string_view> split_parts(std::string_view text, std::size_t count) {
    std::vector<std::string_view> parts;
    while (parts.size() + 1 < count) {
        const std::size_t at = text.find("\n%%\n");
        if (at == std::string_view::npos) break;
        parts.push_back(text.substr(0, at + 1));
        text.remove_prefix(at + 4);
    }
    parts.push_back(text);
    parts.resize(count);
    return parts;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

class FixtureRoot {
public:
    FixtureRoot() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/triad-fuzz-XXXXXX";
        if (!::mkdtemp(pattern.data())) std::abort();
        dir_ = pattern;
    }
    ~FixtureRoot() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    FixtureRoot(const FixtureRoot&) = delete;
    FixtureRoot& operator=(const FixtureRoot&) = delete;

    // Writes `content` at `path` (absolute inside the root); an empty view removes the file,
    // so a part left out of an input is a missing file, not an empty one.
    void put(const std::string& path, std::string_view content, bool keep_empty = false) {
        const std::filesystem::path file = dir_ + path;
        std::error_code ec;
        if (content.empty() && !keep_empty) {
            std::filesystem::remove(file, ec);
            return;
        }
        std::filesystem::create_directories(file.parent_path(), ec);
        std::ofstream(file, std::ios::binary | std::ios::trunc).write(content.data(), std::streamsize(content.size()));
    }

    scanner::Sysroot open() const { return scanner::Sysroot::open(dir_).value(); }

private:
    std::string dir_;
};

}  // namespace triad::fuzz
