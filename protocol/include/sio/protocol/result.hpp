#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "sio/protocol/errc.hpp"

namespace sio {

/// A value or the reason there is none. The protocol layer returns this
/// instead of throwing, so callers decide what a malformed packet costs.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::move(value)) {}
  result(errc error) : state_(error) {}

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  errc error() const noexcept {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, errc> state_;
};

/// Success or the reason for failure, for operations that produce nothing.
class [[nodiscard]] status {
 public:
  status() = default;
  status(errc error) : error_(error), failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  errc error() const noexcept {
    assert(failed_);
    return error_;
  }

 private:
  errc error_{};
  bool failed_ = false;
};

}  // namespace sio
