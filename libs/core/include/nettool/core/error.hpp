#pragma once
// Errors are values. Library code returns Result<T> (a value or an Error) and never prints or exits; the
// application maps the Error's kind to an exit status in one place (see exit_status.hpp).
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace nettool {

enum class ErrorKind {
    usage,        // the command line is wrong                          -> exit 2
    input,        // a file or argument's content is unusable           -> exit 2
    environment,  // could not run: permission, no such interface, ...  -> exit 3
    internal,     // a bug or an unexpected system failure              -> exit 3
};

const char* to_string(ErrorKind kind);

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string message;  // one line, for a person
    std::string context;  // where: file name, interface, server; may be empty

    // "context: message", or just the message.
    std::string describe() const;
};

Error usage_error(std::string message, std::string context = {});
Error input_error(std::string message, std::string context = {});
Error environment_error(std::string message, std::string context = {});
Error internal_error(std::string message, std::string context = {});

// Thrown only across layers that cannot return a Result (callbacks, constructors); caught by the app's main.
class ErrorException : public std::runtime_error {
public:
    explicit ErrorException(Error error) : std::runtime_error(error.describe()), error_(std::move(error)) {}
    const Error& error() const noexcept { return error_; }

private:
    Error error_;
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor): natural return syntax
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return std::holds_alternative<T>(state_); }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return checked(); }
    const T& value() const& { return const_cast<Result*>(this)->checked(); }
    T&& value() && { return std::move(checked()); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<Error>(state_); }

    // The value, or throws ErrorException carrying the error.
    T take() && {
        if (!ok()) throw ErrorException(std::get<Error>(state_));
        return std::move(std::get<T>(state_));
    }

private:
    T& checked() {
        if (!ok()) throw ErrorException(std::get<Error>(state_));
        return std::get<T>(state_);
    }
    std::variant<T, Error> state_;
};

// Result for operations that produce nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace nettool
