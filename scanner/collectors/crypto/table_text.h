// SPDX-License-Identifier: Apache-2.0
// The whitespace-separated tables of fstab, crypttab, mountinfo and /proc/swaps: lines,
// blank-separated words, and the octal escapes (\040 for a blank) they use in names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace triad::scanner {

// Calls f(line, line_number) for each line of text (1-based; a trailing CR is dropped).
template <class F>
void for_each_table_line(std::string_view text, F&& f) {
    std::size_t at = 0;
    int number = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        f(line, ++number);
        at = end + 1;
    }
}

inline std::vector<std::string_view> split_blanks(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t at = 0;
    while (at < line.size()) {
        while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
        if (at >= line.size()) break;
        std::size_t end = at;
        while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
        words.push_back(line.substr(at, end - at));
        at = end;
    }
    return words;
}

// "\040" -> ' ': how the kernel (mountinfo, swaps) and fstab write blanks in names.
inline std::string decode_octal_escapes(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace triad::scanner
