#include "app/worker/snapshot.h"

namespace gradscope::app {

const char* metricName(StepMetric metric) {
  switch (metric) {
    case StepMetric::Loss:
      return "loss";
    case StepMetric::DataLoss:
      return "data_loss";
    case StepMetric::Accuracy:
      return "accuracy";
    case StepMetric::LearningRate:
      return "learning_rate";
    case StepMetric::Momentum:
      return "momentum";
    case StepMetric::GradientNormBefore:
      return "gradient_norm_before_clip";
    case StepMetric::GradientNormAfter:
      return "gradient_norm_after_clip";
    case StepMetric::Clipped:
      return "clipped";
    case StepMetric::ClipDirectionCosine:
      return "clip_direction_cosine";
    case StepMetric::Count:
      break;
  }
  return "";
}

const char* metricName(LayerMetric metric) {
  switch (metric) {
    case LayerMetric::GradientNorm:
      return "gradient_norm";
    case LayerMetric::ActivationMean:
      return "activation_mean";
    case LayerMetric::ActivationStd:
      return "activation_std";
    case LayerMetric::PreActivationMean:
      return "preactivation_mean";
    case LayerMetric::PreActivationStd:
      return "preactivation_std";
    case LayerMetric::Saturated:
      return "saturated";
    case LayerMetric::Inactive:
      return "inactive";
    case LayerMetric::DeadUnits:
      return "dead_units";
    case LayerMetric::DeadUnitsEpoch:
      return "dead_units_epoch";
    case LayerMetric::WeightNorm:
      return "weight_norm";
    case LayerMetric::UpdateRatio:
      return "update_ratio";
    case LayerMetric::OptimizerState:
      return "optimizer_state";
    case LayerMetric::Count:
      break;
  }
  return "";
}

}  // namespace gradscope::app
