// A look inside one training step, for views that explain the step itself (the backprop
// trace): the trainer calls afterBackward once the forward pass, the loss and the backward
// pass are done (the network still holds every layer's pre-activation, output and dL/dz of
// the mini-batch, and gradients() the unclipped dL/dθ), and afterUpdate once the optimiser
// has changed the parameters. An observer only reads; the step is the same with or without.
#pragma once

#include "core/model/network.h"
#include "core/model/types.h"

namespace gradscope::core {

struct StepRecord;  // trainer.h

template <typename T>
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  // `inputs` and `targets` are the mini-batch (one sample per column).
  virtual void afterBackward(const Network<T>& network, const Matrix<T>& inputs,
                             const Matrix<T>& targets, const StepRecord& record) = 0;
  // `record` is complete: clipping, learning rate, finiteness.
  virtual void afterUpdate(const Network<T>& network, const StepRecord& record) = 0;
};

}  // namespace gradscope::core
