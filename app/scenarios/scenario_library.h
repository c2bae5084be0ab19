// The scenario library: the lecture's claims as ready experiments. A scenario is a JSON file
// (resources/scenarios/NN-name.json, compiled into the application) with the text a lecturer
// needs and the settings that demonstrate the claim:
//
//   {"format": "gradscope-scenario", "version": 1,
//    "id": "vanishing-gradients", "title": "Vanishing gradients",
//    "story": "...",          what the scenario shows and why
//    "question": "...",       to ask the class before pressing Play
//    "look_at": "...",        which chart to watch, and for what
//    "claim": "...",          what the run demonstrates (checked by the scenarios test)
//    "reference": "...",      optional: the paper or chapter
//    "steps": 400,            training steps over which the claim is measured
//    "settings": {"model.hidden_layers": 20, ...},     settings-schema keys, as config files
//    "runs": [{"name": "sigmoid", "settings": {...}},  one or more runs: overrides of
//             {"name": "ReLU + He", "settings": {...}}],  "settings", named by what differs
//    "actions": [{"at_step": 200, "label": "Switch to ELU", "set": {"model.activation": "elu"}}],
//    "range_test": {"min_rate": 1e-5, "max_rate": 10, "steps": 300},   optional
//    "view": {"loss_axis": "log", "target_loss": 0.001, "show": "Backprop",     optional
//             "decision_boundary": "regions"}}
//
// "view" sets the dashboard as the claim needs it: the loss chart's axis, the loss the
// Runs table measures "steps to target" against (the claim's threshold), the view brought
// to the front of its cell (by its title) and the decision boundary's mode ("prediction" or
// "regions", the linear regions of a ReLU network).
//
// "actions" are live changes during a run (at the given step, applied over the run's
// configuration as the panels would); they may also be given per run. "range_test" asks for
// the LR range test before training (the 1cycle scenario).
//
// Every run's configuration is validated when the file is read: an error names the file and
// the field, e.g. "03-exploding.json: runs[1].settings.clip.threshold: must be a number in
// [1e-06, 1e+06]".
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/model/experiment_config.h"
#include "core/schedules/lr_range_test.h"

namespace gradscope::app {

inline constexpr int kScenarioFormatVersion = 1;

// A live change at a given step, e.g. switching the hidden activation while it trains.
struct ScenarioAction {
  std::int64_t atStep = 0;
  QString label;         // the button's text, e.g. "Switch to ELU"
  QJsonObject settings;  // settings-schema keys and values
};

// How the dashboard shows a scenario (unset: as the user left it).
struct ScenarioView {
  std::optional<bool> logLoss;
  std::optional<double> targetLoss;
  QString show;                 // the title of a dashboard view to bring to the front; empty: none
  std::optional<bool> regions;  // the decision boundary in its Regions mode
};

struct ScenarioRun {
  QString name;  // what differs from the other runs, e.g. "ReLU + He"
  core::ExperimentConfig config;
  std::vector<ScenarioAction> actions;  // in step order
};

struct Scenario {
  QString id;
  QString title;
  QString story;
  QString question;
  QString lookAt;
  QString claim;
  QString reference;
  QString file;  // the file it was read from (its name only)
  std::int64_t steps = 0;
  std::vector<ScenarioRun> runs;  // at least one
  std::optional<core::LrRangeTestSettings> rangeTest;
  ScenarioView view;
};

// Parses a scenario; throws core::Error(field, reason) with the field as a path in the file,
// e.g. "runs[1].settings.model.width".
Scenario scenarioFromJson(const QJsonObject& json);

// `config` with the action's settings applied (the run's configuration at that step).
// Throws core::Error naming the setting.
core::ExperimentConfig applyAction(const core::ExperimentConfig& config,
                                   const ScenarioAction& action);

class ScenarioLibrary {
 public:
  // The scenarios compiled into the application (read once).
  static const ScenarioLibrary& builtIn();
  // Every *.json file of a directory (a Qt resource path such as ":/scenarios" too), in file
  // name order. Files that cannot be read are left out and named in errors().
  static ScenarioLibrary load(const QString& directory);

  const std::vector<Scenario>& scenarios() const { return m_scenarios; }
  // "file: field: reason" for each file left out.
  const QStringList& errors() const { return m_errors; }
  // By id ("vanishing-gradients"), or by its number in the list ("1" or "01").
  const Scenario* find(const QString& name) const;

 private:
  std::vector<Scenario> m_scenarios;
  QStringList m_errors;
};

// The first run's experiment of a built-in scenario (for the command line's --scenario and
// session files), nullopt when there is no such scenario.
std::optional<core::ExperimentConfig> builtInScenarioExperiment(const QString& name);

}  // namespace gradscope::app
