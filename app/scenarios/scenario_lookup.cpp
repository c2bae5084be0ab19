#include "app/scenarios/scenario_lookup.h"

#include "app/scenarios/default_experiment.h"
#include "app/scenarios/scenario_library.h"

namespace gradscope::app {

std::optional<core::ExperimentConfig> builtInScenario(const QString& name) {
  if (name == QLatin1String("default")) return defaultExperiment();
  return builtInScenarioExperiment(name);
}

QStringList builtInScenarioNames() {
  QStringList names{QStringLiteral("default")};
  for (const Scenario& scenario : ScenarioLibrary::builtIn().scenarios()) names << scenario.id;
  return names;
}

}  // namespace gradscope::app
