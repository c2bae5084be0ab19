// makeOptimizer<T>() and validate(OptimizerSettings): the registry builds the optimiser, and
// every hyper-parameter is checked against the one range its OptimizerParameter describes.
#include <cmath>
#include <sstream>

#include "core/optimizers/optimizer_registry.h"

namespace gradscope::core {

namespace {
std::string rangeText(const OptimizerParameter& p) {
  std::ostringstream text;
  text << "must lie in [" << p.minimum << ", " << p.maximum << (p.maximumExcluded ? ")" : "]");
  return text.str();
}
}  // namespace

void validate(const OptimizerSettings& s) {
  if (std::size_t(s.kind) >= optimizerRegistry().size()) {
    throw Error("optimizer.type", "unknown optimiser kind");
  }
  // Every number is checked, read by this optimiser or not: a switch to another optimiser
  // (or a planned momentum) must never meet an invalid stored value.
  for (const OptimizerParameter& p : optimizerParameters()) {
    if (!p.real) continue;
    const double x = s.*p.real;
    const std::string field = "optimizer." + std::string(p.key);
    if (!std::isfinite(x)) throw Error(field, "must be a finite number");
    if (x < p.minimum || x > p.maximum || (p.maximumExcluded && x >= p.maximum)) {
      throw Error(field, rangeText(p));
    }
  }
}

template <typename T>
std::unique_ptr<Optimizer<T>> makeOptimizer(const OptimizerSettings& settings) {
  validate(settings);
  const OptimizerDescriptor& d = descriptorOf(settings.kind);
  if constexpr (std::is_same_v<T, float>) {
    return d.makeFloat(settings);
  } else {
    return d.makeDouble(settings);
  }
}

template std::unique_ptr<Optimizer<float>> makeOptimizer<float>(const OptimizerSettings&);
template std::unique_ptr<Optimizer<double>> makeOptimizer<double>(const OptimizerSettings&);

}  // namespace gradscope::core
