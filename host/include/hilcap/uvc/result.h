// A value or the error saying why there is none: the typed result that the
// UVC layer returns instead of throwing. The error type carries at least a
// `message`; the libusb source adds a kind (SourceError).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace hilcap::uvc {

struct Error {
  std::string message;
};

template <class T, class E = Error>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const T& operator*() const { return value(); }

  // Empty when ok().
  const std::string& error() const {
    static const std::string kNone;
    return ok() ? kNone : std::get<1>(state_).message;
  }
  // The whole error; only when !ok().
  const E& failure() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace hilcap::uvc
