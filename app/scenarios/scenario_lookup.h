// Built-in scenarios by name, for `gradscope run --scenario NAME`: "default" (the experiment
// GradScope opens with) and every scenario of the library (by id or number; its first run).
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

#include "core/model/experiment_config.h"

namespace gradscope::app {

// nullopt for an unknown name.
std::optional<core::ExperimentConfig> builtInScenario(const QString& name);
QStringList builtInScenarioNames();

}  // namespace gradscope::app
