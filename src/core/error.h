// Error and Result: what every stage returns across its public boundary.
//
// Modelled on LevelDB's Status: a small value with named constructors. An
// Error may carry where in the input it happened (file, line, field) so that
// a user sees exactly which row of which feed was wrong.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace onechild {

class Error {
 public:
  enum class Code {
    kInvalidArgument,
    kNotFound,
    kCorruption,
    kIoError,
    kInternal,
    kUnauthenticated,  // no, unknown, expired or revoked credentials
  };

  static Error invalid_argument(std::string message) {
    return {Code::kInvalidArgument, std::move(message)};
  }
  static Error not_found(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Error corruption(std::string message) { return {Code::kCorruption, std::move(message)}; }
  static Error io_error(std::string message) { return {Code::kIoError, std::move(message)}; }
  static Error internal(std::string message) { return {Code::kInternal, std::move(message)}; }
  static Error unauthenticated(std::string message) {
    return {Code::kUnauthenticated, std::move(message)};
  }

  // Attach the location of the offending input. Returns *this for chaining.
  Error& at(std::string file, int64_t line, std::string field = {});
  Error& in_field(std::string field);

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }
  const std::string& field() const { return field_; }

  // True for errors caused by the user's input or arguments (exit status 1)
  // rather than by a fault of the program or the machine (exit status 2).
  bool is_user_error() const;

  // "file:line: field: message", omitting the parts that are not known.
  std::string to_string() const;

 private:
  Error(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_;
  std::string message_;
  std::string file_;
  int64_t line_ = 0;
  std::string field_;
};

// A value or the Error that prevented it. Deliberately small: check ok(),
// then use value() or error().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation that produces nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_ = Error::internal("");
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace onechild
