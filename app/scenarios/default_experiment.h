// The experiment GradScope opens on the first time: two spirals, four tanh layers of 16 units,
// SGD with momentum. It learns visibly within seconds, and shows what depth and a saturating
// activation do, so a lecturer can press Play and start talking.
#pragma once

#include "core/model/experiment_config.h"

namespace gradscope::app {

core::ExperimentConfig defaultExperiment();

}  // namespace gradscope::app
