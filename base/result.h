// SPDX-License-Identifier: Apache-2.0
// triad::Result<T>: a value or an Error. Its surface is a subset of std::expected so that a
// move to C++23 is one alias; under -std=c++20 g++ 12 leaves <expected> empty.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace triad {

enum class ErrorCode {
    not_found,
    permission_denied,
    invalid_input,   // the thing read is malformed (hostile or damaged)
    unsupported,
    io,
    escaped_root,    // resolution would leave the audited root
    usage,
    cancelled,       // the caller asked the work to stop (a signal, the daemon shutting down)
};

struct Error {
    ErrorCode code = ErrorCode::io;
    std::string message;
    std::string where;  // file, path or file:line:col the message is about

    std::string describe() const { return where.empty() ? message : where + ": " + message; }
};

// Maps an errno value to an Error naming `where`; the message is the system's wording.
Error error_from_errno(int err, std::string where);

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { assert(has_value()); return std::get<0>(state_); }
    const T& value() const& { assert(has_value()); return std::get<0>(state_); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { assert(!has_value()); return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok() { return Unit{}; }

}  // namespace triad
