// The edge-of-stability threshold of an optimiser: the sharpness above which its update,
// applied to the quadratic model of the loss, diverges along the top eigenvector, and the
// preconditioner the sharpness is measured with.
//
//   gradient descent (SGD, momentum 0):  2 / lr                      Cohen et al. 2021
//   heavy-ball momentum beta (Keras SGD): (2 + 2 beta) / lr           Cohen et al. 2021, app. B
//   Nesterov momentum beta:               (2 + 2 beta) / ((1 + 2 beta) lr)          idem
//   Adam / AdamW (beta_1):  (2 + 2 beta_1) / ((1 - beta_1) lr), on the preconditioned
//     sharpness lambda_max(P^-1 H), P = (1 - beta_1^t) / sqrt(1 - beta_2^t) * (sqrt(v) + eps)
//     (Cohen et al. 2022, "Adaptive gradient methods at the edge of stability", with Keras's
//     epsilon placement and bias corrections folded into P; AMSGrad uses v_max)
//   RMSprop (rho, momentum beta): (2 + 2 beta) / lr on lambda_max(P^-1 H), P = sqrt(v + eps)
//     (centered: sqrt(v - a^2 + eps)), the same analysis with beta_1 = 0 and Keras's epsilon
//   AdaGrad, AdaMax, Nadam, Lion: no threshold (NaN); the raw sharpness lambda_max(H) is shown.
// The rate is the schedule's rate for the next step, so the line follows the schedule.
#pragma once

#include <limits>
#include <string>

#include "core/model/types.h"
#include "core/optimizers/optimizer.h"

namespace gradscope::core {

struct StabilityRule {
  double threshold = std::numeric_limits<double>::quiet_NaN();  // NaN: none for this optimiser
  bool preconditioned = false;
  // Diagonal of P (preconditioned only); empty before the optimiser's first step, when the
  // preconditioner does not exist yet.
  Eigen::VectorXd preconditioner;
  std::string formula;  // UTF-8, e.g. "2/η", "(2+2β)/η", "(2+2β₁)/((1−β₁)η)"
};

template <typename T>
StabilityRule stabilityRule(const Optimizer<T>& optimizer, double learningRate);

}  // namespace gradscope::core
