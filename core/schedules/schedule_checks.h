// Range checks shared by the schedule constructors; each throws Error naming the field.
#pragma once

#include <cmath>

#include "core/model/types.h"

namespace gradscope::core::detail {

inline void requireFiniteValue(double value, const char* field) {
  if (!std::isfinite(value)) throw Error(field, "must be a finite number");
}

inline void requireNonNegative(double value, const char* field) {
  requireFiniteValue(value, field);
  if (value < 0.0) throw Error(field, "must be >= 0");
}

inline void requirePositive(double value, const char* field) {
  requireFiniteValue(value, field);
  if (value <= 0.0) throw Error(field, "must be > 0");
}

// A learning rate: finite and non-negative.
inline void requireRate(double value, const char* field) { requireNonNegative(value, field); }

}  // namespace gradscope::core::detail
