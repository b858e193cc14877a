// Copyright annals authors.
//
// Status and Result<T>: errors as values at the annals API.
//
// A Status is either ok (free: no allocation) or carries a Code and a message meant
// for a person ("line 3: field 'data.partner' is required").  The CLI maps each Code to
// one exit code of SPEC §4 in a single table (cli/exit_codes.h).
//
// Result<T> holds either a value or a non-ok Status.
//
// Thread-safety: Status and Result are plain values; distinct objects may be used from
// different threads, a shared one only for reading.

#ifndef ANNALS_STATUS_H_
#define ANNALS_STATUS_H_

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace annals {

class [[nodiscard]] Status {
 public:
  enum class Code : int {
    kOk = 0,
    kNotFound = 1,         // stream or event id does not exist
    kInvalidArgument = 2,  // bad input or usage; nothing was written
    kConflict = 3,         // expected version mismatch or id reused with other content
    kCorruption = 4,       // verification failed: tampering or corruption detected
    kUnavailable = 5,      // store locked, I/O error, not an annals store
  };

  Status() = default;  // ok

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Unavailable(std::string msg) {
    return Status(Code::kUnavailable, std::move(msg));
  }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsUnavailable() const { return code() == Code::kUnavailable; }

  // The message alone, without the code name.  Empty for ok.
  const std::string& message() const {
    static const std::string kEmpty;
    return rep_ ? rep_->message : kEmpty;
  }

  // "ok", or "<code name>: <message>".
  std::string ToString() const;

  // Returns a status with the same code and "<prefix>: <message>".
  Status WithPrefix(std::string_view prefix) const;

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  Status(Code code, std::string msg)
      : rep_(std::make_shared<const Rep>(Rep{code, std::move(msg)})) {}

  std::shared_ptr<const Rep> rep_;  // null means ok
};

// Either a T or a non-ok Status.  Accessing value() of an error is a programming error
// (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace annals

// Returns early from the enclosing function with the status of `expr` if it is not ok.
#define ANNALS_RETURN_IF_ERROR(expr)           \
  do {                                         \
    ::annals::Status _annals_s = (expr);       \
    if (!_annals_s.ok()) return _annals_s;     \
  } while (0)

#endif  // ANNALS_STATUS_H_
