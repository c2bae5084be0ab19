// The registered optimisers, in the order of optimizer_list.h: the one place that lists them.
#pragma once

#include <string_view>
#include <vector>

#include "core/optimizers/optimizer_descriptor.h"

namespace gradscope::core {

// Every optimiser's descriptor, in the lecture's order (index = static_cast<int>(kind)).
const std::vector<const OptimizerDescriptor*>& optimizerRegistry();
const OptimizerDescriptor& descriptorOf(OptimizerKind kind);
// nullptr for an unknown key.
const OptimizerDescriptor* findOptimizer(std::string_view key);

// Every kind, in registry order.
std::vector<OptimizerKind> allOptimizerKinds();
// Index of `kind` in registry order (its colour in the race and the Landscapes window).
int optimizerIndex(OptimizerKind kind);

}  // namespace gradscope::core
