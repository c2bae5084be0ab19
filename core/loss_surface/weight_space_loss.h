// The training loss as a function of the weights, L(theta), for the loss-surface views: a
// private copy of the network (weights, BatchNorm moving statistics) and of a fixed set of
// training samples, so that the surface can be computed on another thread while the run goes
// on training. Every value is the engine's own forward pass in inference mode (moving
// statistics, no dropout) over the whole fixed set:
//   L(theta) = (1/n) sum_i loss(f(x_i; theta), y_i) + l2 * sum ||K||^2
// exactly as Trainer::evaluateTraining() (Keras's evaluate()) measures it.
//
// When the training set has more samples than the budget, a fixed random subset of them (the
// same for every point of one surface) stands in for it.
#pragma once

#include <cstdint>
#include <memory>

#include <Eigen/Core>

#include "core/model/parameter_tensor.h"
#include "core/model/trainer.h"

namespace gradscope::core {

class WeightSpaceLoss {
 public:
  virtual ~WeightSpaceLoss() = default;
  // The weights the copy was taken at, in double precision.
  virtual const Eigen::VectorXd& weights() const = 0;
  virtual const ParameterLayout& layout() const = 0;
  // The samples every value averages over.
  virtual Index sampleCount() const = 0;
  // L(theta); the copy's weights are left at theta. Not thread-safe: one caller at a time.
  virtual double lossAt(const Eigen::VectorXd& theta) = 0;
};

// A copy of `trainer`'s network and of up to `maxSamples` of its training samples (a subset
// drawn with `seed` when there are more). Call on the thread that owns the trainer.
template <typename T>
std::unique_ptr<WeightSpaceLoss> makeWeightSpaceLoss(const Trainer<T>& trainer, Index maxSamples,
                                                     std::uint64_t seed = 0);

}  // namespace gradscope::core
