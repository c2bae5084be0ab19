// The sharpness of a training run: lambda_max of the Hessian of the training loss at the
// current weights (or, for Adam and RMSprop, of the preconditioned Hessian P^-1 H), beside the
// optimiser's stability threshold (see stability_rule.h). Cohen et al. 2021 observe that
// full-batch gradient descent raises the sharpness until it reaches 2/lr and then hovers
// there, "at the edge of stability", while the loss keeps falling, non-monotonically.
//
// Method: power iteration (power_iteration.h), warm-started from the previous estimate's
// eigenvector, on float64 central-difference Hessian-vector products of the engine's own
// gradients (hessian_vector_product.h). The preconditioned sharpness is the top eigenvalue of
// the symmetric P^-1/2 H P^-1/2, which has the same eigenvalues as P^-1 H.
//
// The loss is the training loss on the whole training set when it has at most
// `fullBatchLimit` samples (the setting of Cohen et al.), otherwise on a fixed batch of
// `fixedBatch` samples taken evenly through the training set, the same at every estimate, so
// that the curve shows the network changing and not the batch. A large network takes fewer
// samples still: at most `workBudget` samples x parameters per gradient (a Hessian-vector
// product costs two), so that an estimate on a million-weight network costs seconds, not
// minutes, of the worker's time (the commands wait while it runs). The samples used are
// reported with each estimate.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "core/data/dataset.h"
#include "core/model/trainer.h"
#include "core/sharpness/hessian_vector_product.h"
#include "core/sharpness/power_iteration.h"

namespace gradscope::core {

struct SharpnessSettings {
  PowerIterationSettings iteration;
  Index fullBatchLimit = 2048;
  Index fixedBatch = 1024;
  Index workBudget = Index(1) << 24;  // samples x parameters per gradient, at least 8 samples
};

struct SharpnessMeasurement {
  double lambdaMax = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();  // NaN: no rule (see above)
  double learningRate = 0.0;
  bool preconditioned = false;
  bool converged = false;
  int products = 0;     // Hessian-vector products spent
  Index samples = 0;    // samples the loss was taken on
  std::string formula;  // the threshold's formula (UTF-8), e.g. "2/η"
};

class SharpnessMeter {
 public:
  explicit SharpnessMeter(const SharpnessSettings& settings = {});

  // Measures `trainer`'s network at its current weights on `train` (the data it trains on).
  // nullopt when there is nothing to measure yet (an adaptive optimiser before its first
  // step has no preconditioner) or the loss is not finite there.
  template <typename T>
  std::optional<SharpnessMeasurement> measure(Trainer<T>& trainer, const Dataset& train);

  // The samples the loss is taken on for a network of `parameters` weights: all of them, or
  // an even spread of fixedBatch, fewer when the work budget calls for it.
  std::vector<Index> batchIndices(Index samples, Index parameters = 0) const;
  const SharpnessSettings& settings() const { return m_settings; }
  HessianVectorProduct& hessian() { return m_hessian; }
  // Back to a random start (the network was replaced).
  void forget() { m_iteration.forget(); }

 private:
  SharpnessSettings m_settings;
  HessianVectorProduct m_hessian;
  PowerIteration m_iteration;
  bool m_lastPreconditioned = false;
};

}  // namespace gradscope::core
