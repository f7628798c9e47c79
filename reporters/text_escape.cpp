// SPDX-License-Identifier: Apache-2.0
#include "reporters/text_escape.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace triad::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i] (RFC 3629), or 0 when it is invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

// Walks valid code points, calling `emit(sequence)`; invalid bytes arrive as U+FFFD.
template <class Emit>
void each_char(std::string_view s, Emit emit) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_length(s, i);
        if (n == 0) {
            emit(kReplacement);
            ++i;
        } else {
            emit(s.substr(i, n));
            i += n;
        }
    }
}

// Decodes one valid multi-byte sequence (utf8_length said so).
std::uint32_t code_point(std::string_view c) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(c[k])); };
    if (c.size() == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    if (c.size() == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

// C1 controls, and the bidirectional marks, embeddings, overrides and isolates that make a
// terminal or a viewer show text in another order than it is (Trojan Source, CVE-2021-42574).
std::optional<std::uint32_t> format_control(std::string_view c) {
    if (c.size() < 2) return std::nullopt;
    const std::uint32_t cp = code_point(c);
    const bool c1 = cp >= 0x80 && cp <= 0x9F;
    const bool bidi = cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
                      (cp >= 0x2066 && cp <= 0x2069);
    if (c1 || bidi) return cp;
    return std::nullopt;
}

bool is_number(std::string_view s) {
    std::size_t i = (s.size() > 1 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    bool digits = false, dot = false;
    for (; i < s.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(s[i]))) digits = true;
        else if (s[i] == '.' && !dot) dot = true;
        else return false;
    }
    return digits;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    each_char(s, [&](std::string_view c) { out += c; });
    return out;
}

std::string terminal_safe(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    char buf[16];
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_length(s, i);
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (n == 0) {  // not UTF-8: the byte itself, so the name can still be told apart
            std::snprintf(buf, sizeof buf, "\\x%02x", b0);
            out += buf;
            ++i;
            continue;
        }
        const std::string_view c = s.substr(i, n);
        i += n;
        if (n == 1) {
            switch (b0) {
                case '\\': out += "\\\\"; continue;
                case '\n': out += "\\n"; continue;
                case '\t': out += "\\t"; continue;
                case '\r': out += "\\r"; continue;
                default: break;
            }
            if (b0 < 0x20 || b0 == 0x7F) {
                std::snprintf(buf, sizeof buf, "\\x%02x", b0);
                out += buf;
            } else {
                out += c;
            }
            continue;
        }
        if (const auto cp = format_control(c)) {
            std::snprintf(buf, sizeof buf, "\\u%04x", *cp);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    each_char(s, [&](std::string_view c) {
        if (c.size() > 1) {
            out += format_control(c) ? kReplacement : c;
            return;
        }
        switch (c[0]) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            case '\t':
            case '\n': out += c; break;
            default:
                if (static_cast<unsigned char>(c[0]) < 0x20 || c[0] == 0x7F) out += kReplacement;
                else out += c;
        }
    });
    return out;
}

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    each_char(s, [&](std::string_view c) {
        if (c == "\xEF\xBF\xBE" || c == "\xEF\xBF\xBF" || format_control(c)) {  // U+FFFE, U+FFFF: not XML characters
            out += kReplacement;
            return;
        }
        if (c.size() > 1) {
            out += c;
            return;
        }
        switch (c[0]) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            case '\t': out += "&#9;"; break;
            case '\n': out += "&#10;"; break;
            case '\r': out += "&#13;"; break;
            default:
                if (static_cast<unsigned char>(c[0]) < 0x20) out += kReplacement;
                else out += c;
        }
    });
    return out;
}

std::string markdown_escape(std::string_view raw) {
    // Controls, bidi overrides and invalid bytes first become visible escapes (\x1b, \u202e),
    // whose backslashes are then escaped like any other punctuation.
    const std::string s = terminal_safe(raw);
    std::string out;
    out.reserve(s.size() + s.size() / 4);
    each_char(s, [&](std::string_view c) {
        if (c.size() > 1) {
            out += c;
            return;
        }
        unsigned char ch = static_cast<unsigned char>(c[0]);
        if (ch == '\n' || ch == '\r' || ch == '\t') out += ' ';
        else if (ch < 0x20 || ch == 0x7F) out += kReplacement;
        // CommonMark lets any ASCII punctuation be backslash-escaped; these few never start
        // markup, a link, an autolink, math or a mention, so paths stay readable.
        else if (std::ispunct(ch) && std::string_view("/,='\";?%").find(c[0]) == std::string_view::npos)
            (out += '\\') += c;
        else out += c;
    });
    return out;
}

std::string csv_field(std::string_view s) {
    std::string text = valid_utf8(s);
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_untrusted_field(std::string_view raw) {
    // Controls and bidi overrides become visible escapes, so that neither a terminal showing
    // the file nor a spreadsheet showing the cell is driven by them.
    const std::string s = terminal_safe(raw);
    // OWASP "CSV injection": a cell starting with these is evaluated by spreadsheets.
    if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos && !is_number(s))
        return csv_field("'" + std::string(s));
    return csv_field(s);
}

std::string format_score(const std::optional<double>& score) {
    if (!score) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *score);
    return buf;
}

std::string format_gain(double gain) {
    char buf[32];
    // -0.0 would print as "-0.0"; a gain is never negative, so clamp the rounding noise.
    std::snprintf(buf, sizeof buf, "+%.1f", gain < 0.05 ? 0.0 : gain);
    return buf;
}

}  // namespace triad::report
