#include "core/optimizers/optimizer_registry.h"

namespace gradscope::core {

bool OptimizerDescriptor::readsParameter(std::string_view parameter) const {
  if (parameter == "learning_rate" || parameter == "weight_decay" ||
      parameter == "exclude_from_weight_decay") {
    return true;
  }
  for (std::string_view k : reads) {
    if (k == parameter) return true;
  }
  return false;
}

const std::vector<const OptimizerDescriptor*>& optimizerRegistry() {
  static const std::vector<const OptimizerDescriptor*> registry = [] {
    std::vector<const OptimizerDescriptor*> all;
#define GRADSCOPE_OPTIMIZER_DESCRIPTOR(Kind, name)                                          \
  all.push_back(&name##Descriptor());                                                       \
  if (all.back()->kind != OptimizerKind::Kind || all.back()->key != #name) {                \
    throw Error("optimizer.type", "the descriptor of '" #name "' names another optimiser"); \
  }
    GRADSCOPE_FOR_EACH_OPTIMIZER(GRADSCOPE_OPTIMIZER_DESCRIPTOR)
#undef GRADSCOPE_OPTIMIZER_DESCRIPTOR
    return all;
  }();
  return registry;
}

const OptimizerDescriptor& descriptorOf(OptimizerKind kind) {
  const auto& registry = optimizerRegistry();
  const auto index = std::size_t(kind);
  if (index >= registry.size()) throw Error("optimizer.type", "unknown optimiser kind");
  return *registry[index];
}

const OptimizerDescriptor* findOptimizer(std::string_view key) {
  for (const OptimizerDescriptor* d : optimizerRegistry()) {
    if (d->key == key) return d;
  }
  return nullptr;
}

std::vector<OptimizerKind> allOptimizerKinds() {
  std::vector<OptimizerKind> kinds;
  for (const OptimizerDescriptor* d : optimizerRegistry()) kinds.push_back(d->kind);
  return kinds;
}

int optimizerIndex(OptimizerKind kind) { return static_cast<int>(kind); }

}  // namespace gradscope::core
