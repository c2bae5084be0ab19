#include "core/model/conventions.h"

namespace gradscope::core {

std::string_view toString(Conventions conventions) {
  return conventions == Conventions::PyTorch ? "pytorch" : "keras";
}

std::optional<Conventions> conventionsFromString(std::string_view name) {
  if (name == "keras") return Conventions::Keras;
  if (name == "pytorch") return Conventions::PyTorch;
  return std::nullopt;
}

}  // namespace gradscope::core
