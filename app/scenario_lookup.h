// Built-in scenarios by name, for `gradscope run --scenario NAME`. The scenario library plugs
// in here; until then "default" (the experiment GradScope opens with) is the only one.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

#include "core/experiment_config.h"

namespace gradscope::app {

// nullopt for an unknown name.
std::optional<core::ExperimentConfig> builtInScenario(const QString& name);
QStringList builtInScenarioNames();

}  // namespace gradscope::app
