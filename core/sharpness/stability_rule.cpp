#include "core/sharpness/stability_rule.h"

#include <cmath>

#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

template <typename T>
StabilityRule stabilityRule(const Optimizer<T>& optimizer, double learningRate) {
  const OptimizerSettings& s = optimizer.settings();
  StabilityRule rule;
  switch (optimizer.kind()) {
    case OptimizerKind::Sgd:
    case OptimizerKind::Momentum:
    case OptimizerKind::Nesterov: {
      const double beta = s.momentum;
      if (beta == 0.0) {
        rule.threshold = 2.0 / learningRate;
        rule.formula = "2/η";
      } else if (s.nesterov) {
        rule.threshold = (2.0 + 2.0 * beta) / ((1.0 + 2.0 * beta) * learningRate);
        rule.formula = "(2+2β)/((1+2β)η)";
      } else {
        rule.threshold = (2.0 + 2.0 * beta) / learningRate;
        rule.formula = "(2+2β)/η";
      }
      return rule;
    }
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW: {
      const double b1 = s.beta1, b2 = s.beta2;
      rule.preconditioned = true;
      rule.threshold = (2.0 + 2.0 * b1) / ((1.0 - b1) * learningRate);
      rule.formula = "(2+2β₁)/((1−β₁)η)";
      const OptimizerState<T> state = optimizer.state();
      const Vector<T>* v = detail::findSlot(state, s.amsgrad ? "velocity_hat" : "velocity");
      if (!v || state.iterations == 0) return rule;
      // The next step is t = iterations + 1; Keras folds both bias corrections into the rate.
      const double t = double(state.iterations + 1);
      const double scale = (1.0 - std::pow(b1, t)) / std::sqrt(1.0 - std::pow(b2, t));
      rule.preconditioner = scale * (v->template cast<double>().array().sqrt() + s.epsilon);
      return rule;
    }
    case OptimizerKind::RmsProp: {
      const double beta = s.momentum;
      rule.preconditioned = true;
      rule.threshold = (2.0 + 2.0 * beta) / learningRate;
      rule.formula = beta == 0.0 ? "2/η" : "(2+2β)/η";
      const OptimizerState<T> state = optimizer.state();
      const Vector<T>* v = detail::findSlot(state, "velocity");
      if (!v || state.iterations == 0) return rule;
      Eigen::ArrayXd d = v->template cast<double>().array();
      if (const Vector<T>* a = detail::findSlot(state, "average_gradient"); s.centered && a) {
        d -= a->template cast<double>().array().square();
      }
      // Keras 3 adds epsilon inside the square root.
      rule.preconditioner = (d + s.epsilon).max(0.0).sqrt();
      return rule;
    }
    default:
      return rule;
  }
}

template StabilityRule stabilityRule(const Optimizer<float>&, double);
template StabilityRule stabilityRule(const Optimizer<double>&, double);

}  // namespace gradscope::core
