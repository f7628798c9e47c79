// SPDX-License-Identifier: Apache-2.0
// Reading collector output in tests: a field as reports show it, and an object by name.
#pragma once

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <string_view>

#include "scanner/core/fact.h"

namespace triad::test {

// The field as text, "(absent)" when the object has none.
inline std::string field_text(const scanner::FieldSource& f, std::size_t field) {
    const scanner::Value* v = f.field(field);
    return v ? v->to_string() : "(absent)";
}

inline std::string field_text(const scanner::FieldSource& f, std::span<const scanner::FieldSpec> fields,
                              std::string_view name) {
    auto i = scanner::find_field(fields, name);
    REQUIRE_MESSAGE(i.has_value(), "no field " << name);
    return field_text(f, *i);
}

inline const scanner::Fact* find_object(const scanner::FactSet& facts, std::string_view object) {
    for (const scanner::Fact& f : facts)
        if (f.object == object) return &f;
    return nullptr;
}

// A field of the named object, which the collector must have read without error (the test
// stops with the collector's reason otherwise).
inline std::string object_field(const scanner::FactSet& facts, std::span<const scanner::FieldSpec> fields,
                                std::string_view object, std::string_view field) {
    const scanner::Fact* fact = find_object(facts, object);
    REQUIRE_MESSAGE(fact, "no object " << object);
    REQUIRE_MESSAGE(fact->status == scanner::FactStatus::ok, object << ": " << fact->reason);
    return field_text(*fact, fields, field);
}

}  // namespace triad::test
