// SPDX-License-Identifier: Apache-2.0
// The fact model: the only thing rules/ sees of the scanner. A collector describes its
// fields once (FieldSpec) and returns Facts: typed values about named objects.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace triad::scanner {

// Permission bits, kept apart from plain integers so that policies write them in octal
// and `at_most` can compare bit sets.
struct Mode {
    std::uint32_t bits = 0;
    bool operator==(const Mode&) const = default;
};

using StringList = std::vector<std::string>;

enum class ValueKind { boolean, integer, mode, string, list, version };

// A Debian-ordered version string ("1:2.3-4"); compared with dpkg's rules.
struct Version {
    std::string text;
    bool operator==(const Version&) const = default;
};

struct Value {
    std::variant<bool, std::int64_t, Mode, std::string, StringList, Version> data;

    ValueKind kind() const { return static_cast<ValueKind>(data.index()); }
    // The form a user reads in reports: modes in octal, lists comma-separated.
    std::string to_string() const;
};

// What a field's value depends on besides the object itself: owner and group names come
// from the audited root's passwd and group, so when those cannot be read a check that uses
// such a field cannot be decided.
enum class FieldNeeds { nothing, user_names, group_names };

struct FieldSpec {
    const char* name;
    ValueKind kind;
    const char* doc;
    FieldNeeds needs = FieldNeeds::nothing;
};

// not_applicable: the collector found nothing to judge and says why (SELinux is not
// configured, no sshd_config exists); its checks get that verdict with the reason.
// absent: an object the select named does not exist (a path in `file`); the check's
// `if_missing` decides whether that fails it or leaves it out.
enum class FactStatus { ok, error, not_applicable, absent };

// Where an observed value comes from, shown beside it in evidence (issue 9): read from a
// line of a file, the program's built-in default because the files consulted do not set
// it, or nothing at all because no such file exists. A collector that reads configuration
// gives one per value, so a report never presents a default as if a file said it.
struct ValueOrigin {
    enum class Kind : std::uint8_t { read, not_set, file_absent };
    Kind kind = Kind::read;
    std::string file;  // read: the file; otherwise the file(s) consulted, as the user names them
    int line = 0;      // read: its line; 0 when the whole file is the value (/proc/sys/...)
    bool defaulted = false;  // not_set, file_absent: the program's default is the value

    static ValueOrigin read_at(std::string file, int line) { return {Kind::read, std::move(file), line, false}; }
    static ValueOrigin not_set_in(std::string files, bool defaulted) {
        return {Kind::not_set, std::move(files), 0, defaulted};
    }
    static ValueOrigin absent(std::string files, bool defaulted) {
        return {Kind::file_absent, std::move(files), 0, defaulted};
    }
    // "FILE:LINE", "default (not set in FILE)", "not set in FILE", "default (FILE does not
    // exist)", "absent (FILE does not exist)"; "none of FILES exists" for several.
    std::string to_string() const;
    bool operator==(const ValueOrigin&) const = default;
};

// Anything the evaluator can read fields from: a stored Fact, or an entry of the file
// walk whose fields are computed only when a condition asks for them.
class FieldSource {
public:
    virtual ~FieldSource() = default;
    virtual std::string_view object_name() const = 0;
    // Null: the object has no such field (a missing key, a non-link's link target). The
    // value lives as long as the source and until the source is reset.
    virtual const Value* field(std::size_t index) const = 0;
    // Non-null when the field could not be read (an xattr the kernel refused): the reason.
    // Such a field has no value (field() is null). A condition on it is undecided, and the
    // object becomes an error.
    virtual const std::string* field_error(std::size_t /*index*/) const { return nullptr; }
    // Where the field's value comes from; null when the collector does not say (a property
    // of the object itself, such as a file's mode).
    virtual const ValueOrigin* field_origin(std::size_t /*index*/) const { return nullptr; }
};

struct Fact final : FieldSource {
    std::string object;
    FactStatus status = FactStatus::ok;
    std::string reason;                       // why status is error
    std::vector<std::optional<Value>> fields; // indexed like the collector's FieldSpecs
    // Where the values come from: `origin` for every field, unless `field_origins` (indexed
    // like fields, may be shorter) names one for a field.
    std::optional<ValueOrigin> origin;
    std::vector<std::optional<ValueOrigin>> field_origins;
    // Why a field could not be decided (indexed like fields, may be shorter); such a field
    // has no value, and a condition on it makes the object an error with this reason.
    std::vector<std::string> field_errors;

    std::string_view object_name() const override { return object; }
    const Value* field(std::size_t index) const override {
        return index < fields.size() && fields[index] ? &*fields[index] : nullptr;
    }
    const std::string* field_error(std::size_t index) const override {
        return index < field_errors.size() && !field_errors[index].empty() ? &field_errors[index] : nullptr;
    }
    const ValueOrigin* field_origin(std::size_t index) const override {
        if (index < field_origins.size() && field_origins[index]) return &*field_origins[index];
        return origin ? &*origin : nullptr;
    }
    void set_origin(std::size_t index, ValueOrigin o) {
        if (field_origins.size() <= index) field_origins.resize(index + 1);
        field_origins[index] = std::move(o);
    }
    void set_field_error(std::size_t index, std::string why) {
        if (field_errors.size() <= index) field_errors.resize(index + 1);
        field_errors[index] = std::move(why);
    }

    static Fact error(std::string object, std::string reason) {
        Fact f;
        f.object = std::move(object);
        f.status = FactStatus::error;
        f.reason = std::move(reason);
        return f;
    }
    static Fact not_applicable(std::string object, std::string reason) {
        Fact f = error(std::move(object), std::move(reason));
        f.status = FactStatus::not_applicable;
        return f;
    }
};

using FactSet = std::vector<Fact>;

std::string_view to_string(ValueKind kind);
std::optional<std::size_t> find_field(std::span<const FieldSpec> fields, std::string_view name);
std::string format_mode(std::uint32_t bits);  // "0640"

}  // namespace triad::scanner
