// Helpers shared by the optimiser implementations: size checks on every step, lazy slot
// allocation, and the validation of a saved OptimizerState before setState() accepts it.
// Free functions, not a class: each optimiser keeps its own slots as plain members.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/optimizers/optimizer.h"

namespace gradscope::core::detail {

// Slot names as Keras saves them: the first moment is "momentum" (SGD's velocity too, which
// Keras calls its "momentum" variables) and the second "velocity".
inline constexpr std::string_view kMomentumSlot = "momentum";
inline constexpr std::string_view kVelocitySlot = "velocity";

// Throws Error unless the gradient matches the parameters and, once the optimiser has been
// built (builtCount >= 0), the parameter count it was built for.
inline void checkStepSizes(Index parameterCount, Index gradientCount, Index builtCount) {
  if (gradientCount != parameterCount) {
    throw Error("optimizer.gradients", "has " + std::to_string(gradientCount) + " values for " +
                                           std::to_string(parameterCount) + " parameters");
  }
  if (builtCount >= 0 && parameterCount != builtCount) {
    throw Error("optimizer.parameters", "the network now has " + std::to_string(parameterCount) +
                                            " parameters but the optimiser state was built for " +
                                            std::to_string(builtCount) + "; reset the optimiser");
  }
}

// Allocates `slot` filled with `value` if it is still empty (lazy state allocation).
template <typename T>
void ensureSlot(Vector<T>& slot, Index size, T value) {
  if (slot.size() != size) slot.setConstant(size, value);
}

template <typename T>
const Vector<T>* findSlot(const OptimizerState<T>& state, std::string_view name) {
  for (const auto& slot : state.vectors) {
    if (slot.name == name) return &slot.values;
  }
  return nullptr;
}

// Validates a saved state for an optimiser called `owner` whose slots may be `known`. When the
// state holds any slot (the optimiser had been built), every `required` slot must be present
// and `scalarCount` scalars must follow. An empty slot list is a fresh, unbuilt state.
template <typename T>
void checkState(const OptimizerState<T>& state, Index parameterCount, std::string_view owner,
                std::initializer_list<std::string_view> known,
                std::initializer_list<std::string_view> required, std::size_t scalarCount = 0) {
  const std::string field = "optimizer.state";
  if (state.iterations < 0) throw Error(field + ".iterations", "must not be negative");
  if (parameterCount < 0) throw Error(field, "negative parameter count");
  for (std::size_t i = 0; i < state.vectors.size(); ++i) {
    const auto& slot = state.vectors[i];
    bool isKnown = false;
    for (auto name : known) isKnown = isKnown || name == slot.name;
    if (!isKnown) {
      throw Error(field + "." + slot.name, "is not a slot of " + std::string(owner));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (state.vectors[j].name == slot.name) throw Error(field + "." + slot.name, "appears twice");
    }
    if (slot.values.size() != parameterCount) {
      throw Error(field + "." + slot.name, "has " + std::to_string(slot.values.size()) +
                                               " values for " + std::to_string(parameterCount) +
                                               " parameters");
    }
  }
  if (state.vectors.empty()) return;
  for (auto name : required) {
    if (findSlot(state, name) == nullptr) {
      throw Error(field + "." + std::string(name),
                  "is missing from the " + std::string(owner) + " state");
    }
  }
  if (state.scalars.size() != scalarCount) {
    throw Error(field + ".scalars", "expected " + std::to_string(scalarCount) + " values for " +
                                        std::string(owner) + ", got " +
                                        std::to_string(state.scalars.size()));
  }
}

// Copies a slot from `state` into `target`, or empties `target` when the state lacks it.
template <typename T>
void loadSlot(const OptimizerState<T>& state, std::string_view name, Vector<T>& target) {
  if (const auto* values = findSlot(state, name)) {
    target = *values;
  } else {
    target.resize(0);
  }
}

// Appends a slot to `state` if it has been allocated.
template <typename T>
void saveSlot(OptimizerState<T>& state, std::string_view name, const Vector<T>& values) {
  if (values.size() > 0) state.vectors.push_back({std::string(name), values});
}

}  // namespace gradscope::core::detail
