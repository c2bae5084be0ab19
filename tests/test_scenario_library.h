// The scenario library the scenario tests check: the built-in one, or the folder named by
// GRADSCOPE_SCENARIOS (to check scenario files without rebuilding).
#pragma once

#include <QtGlobal>

#include "app/scenarios/scenario_library.h"

namespace gradscope::test {

inline const app::ScenarioLibrary& scenarioLibrary() {
  static const app::ScenarioLibrary custom =
      app::ScenarioLibrary::load(qEnvironmentVariable("GRADSCOPE_SCENARIOS"));
  return qEnvironmentVariableIsSet("GRADSCOPE_SCENARIOS") ? custom
                                                          : app::ScenarioLibrary::builtIn();
}

}  // namespace gradscope::test
