// SPDX-License-Identifier: Apache-2.0
// Escaping shared by the reporters. Every string from the audited system (file names,
// observed values, hostnames) is hostile: these helpers make it inert text in each format.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace triad::report {

// Replaces every invalid UTF-8 sequence (and overlong or surrogate encodings) with U+FFFD, so
// the XML and HTML we write stay well-formed whatever bytes a file name holds.
std::string valid_utf8(std::string_view s);

// Terminal text, and the base of every text format's escaping: control characters shown as
// unambiguous escapes (\n, \t, \r, \x1b; C1 controls and bidirectional overrides, marks
// and isolates as \u202e), invalid UTF-8 bytes as \xNN and a backslash as \\, so that a
// file name can neither retitle, recolour or rewrite the terminal nor reorder what is shown,
// and the name printed can be copied back into a shell's $'...' quoting.
std::string terminal_safe(std::string_view s);

// HTML text and attribute values (quoted with "): & < > " ' escaped, C0 controls other than
// tab and newline, C1 controls and bidirectional overrides replaced by U+FFFD.
std::string html_escape(std::string_view s);

// XML 1.0 text and attribute values: as html_escape, plus tab, newline and carriage return
// as character references (attribute normalisation would otherwise turn them into spaces),
// and the characters XML forbids (C0 controls, U+FFFE, U+FFFF) replaced by U+FFFD.
std::string xml_escape(std::string_view s);

// Markdown (CommonMark / GitHub) inline text: controls escaped as terminal_safe does, then
// ASCII punctuation backslash-escaped so that nothing becomes markup, a link, HTML or a
// table cell break.
std::string markdown_escape(std::string_view s);

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled).
std::string csv_field(std::string_view s);
// A field from the audited system: controls escaped as terminal_safe does, then as csv_field,
// and a value a spreadsheet would run as a formula (leading = + - @, except a plain number)
// is prefixed with '.
std::string csv_untrusted_field(std::string_view s);

// Scores and gains as every report shows them: one decimal, "n/a" when absent.
std::string format_score(const std::optional<double>& score);
std::string format_gain(double gain);  // "+12.5", "+0.0"

}  // namespace triad::report
