// Builds a BackpropTrace of a trainer's next step by running that step on a copy of the
// trainer with a StepObserver attached: the copy's forward, loss, backward, clipping and
// optimiser update are exactly those the run itself will make (same weights, batch, rate,
// optimiser state and random streams), and the run is not touched.
#pragma once

#include <optional>
#include <string>

#include "core/backprop/backprop_trace.h"
#include "core/model/network_spec.h"
#include "core/model/trainer.h"

namespace gradscope::core {

// Why the Backprop view cannot trace this network (a sentence naming the sizes it takes), or
// nothing when it can.
std::optional<std::string> backpropRefusal(const NetworkSpec& spec);

// The trace of the step `trainer` would make next. Throws Error("network", reason) when
// backpropRefusal() refuses the network.
template <typename T>
BackpropTrace traceNextStep(const Trainer<T>& trainer);

extern template BackpropTrace traceNextStep<float>(const Trainer<float>&);
extern template BackpropTrace traceNextStep<double>(const Trainer<double>&);

}  // namespace gradscope::core
