// SPDX-License-Identifier: Apache-2.0
// Printing a JSON array entry by entry into a report being written, the way Poco prints it
// inside the finished document. The JSON and SARIF reports hold an entry per check (and per
// failing object): hundreds of thousands in a large scan, which as one Poco tree took several
// GiB. The document around the array is printed by Poco with the array empty; the report is
// that text up to the empty array, the entries, then the rest (see render_sarif).
#pragma once

#include <Poco/JSON/Object.h>

#include <sstream>
#include <string>
#include <string_view>

namespace triad::report {

class ArrayWriter {
public:
    // Opens `key`'s array in `out`; its entries go `level` spaces in (Poco's Object::stringify
    // with indent 2 puts the members of depth d at 2d spaces).
    ArrayWriter(std::string& out, std::string_view key, int level) : out_(out), level_(level) {
        out_ += '"';
        out_ += key;
        out_ += "\": [\n";
    }
    // `fix` is applied to each entry's text (valid_utf8 for the JSON report); may be null.
    void add(const Poco::JSON::Object::Ptr& entry, std::string (*fix)(std::string_view) = nullptr) {
        if (count_++ > 0) out_ += ",\n";
        out_.append(static_cast<std::size_t>(level_), ' ');
        scratch_.str({});
        entry->stringify(scratch_, static_cast<unsigned>(level_ + 2), 2);
        if (fix) out_ += fix(scratch_.view());
        else out_ += scratch_.view();
    }
    // Poco prints an empty array as "[", a blank line and the closing bracket.
    void close() {
        if (count_ == 0) out_ += '\n';
        out_ += '\n';
        out_.append(static_cast<std::size_t>(level_ - 2), ' ');
        out_ += ']';
    }
    // How Poco printed the array empty, where the document leaves room for it.
    static std::string empty(std::string_view key, int level) {
        return '"' + std::string(key) + "\": [\n\n" + std::string(static_cast<std::size_t>(level - 2), ' ') + "]";
    }

private:
    std::string& out_;
    int level_;
    std::size_t count_ = 0;
    std::ostringstream scratch_;
};

}  // namespace triad::report
