#include "app/scenarios/scenario_library.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>

#include "app/runs/run_table.h"
#include "app/sessions/config_file.h"
#include "core/model/settings_schema.h"

namespace gradscope::app {

namespace {

const QLatin1String kScenarioFormat("gradscope-scenario");
const QStringList kTopLevelKeys{"format",   "version", "id",      "title",      "story",
                                "question", "look_at", "claim",   "reference",  "steps",
                                "settings", "runs",    "actions", "range_test", "view"};

std::string str(const QString& s) { return s.toStdString(); }

QString requiredText(const QJsonObject& json, const char* key) {
  const QJsonValue value = json.value(QLatin1String(key));
  if (!value.isString() || value.toString().trimmed().isEmpty()) {
    throw core::Error(key, "expected a non-empty text");
  }
  return value.toString();
}

std::int64_t wholeNumber(const QJsonValue& value, const std::string& field, double minimum) {
  const double x = value.toDouble(std::nan(""));
  if (!value.isDouble() || std::floor(x) != x || x < minimum || x > 1e12) {
    throw core::Error(
        field, "expected a whole number of at least " + std::to_string(std::int64_t(minimum)));
  }
  return std::int64_t(x);
}

QJsonObject settingsObject(const QJsonObject& json, const char* key, const std::string& field) {
  const QJsonValue value = json.value(QLatin1String(key));
  if (value.isUndefined()) return {};
  if (!value.isObject()) throw core::Error(field, "expected an object of settings");
  return value.toObject();
}

// Applies `settings` over `base` through the configuration-file reader (the schema's order,
// its ranges and choices), keeping per-layer activations unless they are given. Errors name
// `prefix` + the setting. A setting of `checked` (by default all of them) that does not apply to
// the result is refused too, since a scenario that sets it would not show what its author meant;
// a shared setting that one run's overrides make irrelevant is fine.
core::ExperimentConfig applySettings(const QJsonObject& settings,
                                     const core::ExperimentConfig& base, const std::string& prefix,
                                     const QJsonObject* checked = nullptr) {
  QJsonObject file;
  file.insert(QStringLiteral("format"), QStringLiteral("gradscope-config"));
  file.insert(QStringLiteral("version"), kConfigFormatVersion);
  file.insert(QStringLiteral("settings"), settings);
  core::ExperimentConfig config;
  try {
    config = configFromJson(file, base);
    if (!settings.contains(kLayerActivationsKey)) {
      config.model.layerActivations = base.model.layerActivations;
      if (int(config.model.layerActivations.size()) > config.model.hiddenLayers) {
        config.model.layerActivations.resize(std::size_t(config.model.hiddenLayers));
      }
      core::validate(config);
    }
  } catch (const core::Error& e) {
    std::string field = e.field();
    if (field.rfind("settings.", 0) == 0) field = field.substr(9);
    throw core::Error(prefix + field, e.reason());
  }
  if (!checked) checked = &settings;
  for (auto it = checked->begin(); it != checked->end(); ++it) {
    if (it.key() == kLayerActivationsKey) continue;
    const core::SettingMeta* meta = core::findSetting(str(it.key()));
    if (meta && !meta->relevant(config)) {
      throw core::Error(prefix + str(it.key()),
                        "does not apply to this configuration (e.g. momentum with Adam)");
    }
  }
  return config;
}

std::vector<ScenarioAction> parseActions(const QJsonObject& json, const std::string& prefix) {
  std::vector<ScenarioAction> actions;
  const QJsonValue value = json.value(QStringLiteral("actions"));
  if (value.isUndefined()) return actions;
  if (!value.isArray()) throw core::Error(prefix + "actions", "expected a list of actions");
  const QJsonArray list = value.toArray();
  for (qsizetype i = 0; i < list.size(); ++i) {
    const std::string at = prefix + "actions[" + std::to_string(i) + "]";
    if (!list[i].isObject()) throw core::Error(at, "expected an object");
    const QJsonObject item = list[i].toObject();
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (it.key() != "at_step" && it.key() != "label" && it.key() != "set") {
        throw core::Error(at + "." + str(it.key()), "unknown field (at_step, label, set)");
      }
    }
    ScenarioAction action;
    action.atStep = wholeNumber(item.value(QStringLiteral("at_step")), at + ".at_step", 1);
    const QJsonValue label = item.value(QStringLiteral("label"));
    if (!label.isString() || label.toString().trimmed().isEmpty()) {
      throw core::Error(at + ".label", "expected a non-empty text");
    }
    action.label = label.toString();
    action.settings = settingsObject(item, "set", at + ".set");
    if (action.settings.isEmpty()) throw core::Error(at + ".set", "expected at least one setting");
    actions.push_back(std::move(action));
  }
  return actions;
}

std::optional<core::LrRangeTestSettings> parseRangeTest(const QJsonObject& json) {
  const QJsonValue value = json.value(QStringLiteral("range_test"));
  if (value.isUndefined()) return std::nullopt;
  if (!value.isObject()) throw core::Error("range_test", "expected an object");
  const QJsonObject object = value.toObject();
  core::LrRangeTestSettings settings;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string field = "range_test." + str(it.key());
    if (it.key() == "min_rate" || it.key() == "max_rate") {
      if (!it->isDouble()) throw core::Error(field, "expected a number");
      (it.key() == "min_rate" ? settings.minRate : settings.maxRate) = it->toDouble();
    } else if (it.key() == "steps") {
      settings.steps = int(wholeNumber(*it, field, 0));
    } else {
      throw core::Error(field, "unknown field (min_rate, max_rate, steps)");
    }
  }
  try {
    core::validate(settings);
  } catch (const core::Error& e) {
    throw core::Error("range_test." + e.field(), e.reason());
  }
  return settings;
}

ScenarioView parseView(const QJsonObject& json) {
  const QJsonValue value = json.value(QStringLiteral("view"));
  ScenarioView view;
  if (value.isUndefined()) return view;
  if (!value.isObject()) throw core::Error("view", "expected an object");
  const QJsonObject object = value.toObject();
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string field = "view." + str(it.key());
    if (it.key() == "loss_axis") {
      if (*it != QStringLiteral("log") && *it != QStringLiteral("linear")) {
        throw core::Error(field, "expected \"log\" or \"linear\"");
      }
      view.logLoss = *it == QStringLiteral("log");
    } else if (it.key() == "target_loss") {
      if (!it->isDouble() || !(it->toDouble() > 0.0) || !std::isfinite(it->toDouble())) {
        throw core::Error(field, "expected a positive number");
      }
      view.targetLoss = it->toDouble();
    } else if (it.key() == "show") {
      if (!it->isString() || it->toString().isEmpty()) {
        throw core::Error(field, "expected the title of a view");
      }
      view.show = it->toString();
    } else if (it.key() == "decision_boundary") {
      if (*it != QStringLiteral("regions") && *it != QStringLiteral("prediction")) {
        throw core::Error(field, "expected \"regions\" or \"prediction\"");
      }
      view.regions = *it == QStringLiteral("regions");
    } else {
      throw core::Error(field, "unknown field (loss_axis, target_loss, decision_boundary, show)");
    }
  }
  return view;
}

// Training steps of the run's planned epochs (mini-batches of the training split).
std::int64_t plannedSteps(const core::ExperimentConfig& config) {
  // A built-in real data set's size is known only once it is loaded: with a subset the
  // subset counts, without one the check is left to the run.
  if (!config.data.builtin.empty() && config.split.subset <= 0) {
    return std::numeric_limits<std::int64_t>::max();
  }
  const double samples =
      config.data.builtin.empty() ? double(config.data.samples) : double(config.split.subset);
  const auto train = std::int64_t(std::floor(samples * (1.0 - config.split.validationFraction)));
  const std::int64_t batch = std::max<std::int64_t>(1, config.training.batchSize);
  return (std::max<std::int64_t>(1, train) + batch - 1) / batch * config.training.epochs;
}

}  // namespace

core::ExperimentConfig applyAction(const core::ExperimentConfig& config,
                                   const ScenarioAction& action) {
  return applySettings(action.settings, config, "");
}

Scenario scenarioFromJson(const QJsonObject& json) {
  if (json.value(QStringLiteral("format")).toString() != kScenarioFormat) {
    throw core::Error("format", "not a GradScope scenario (expected \"gradscope-scenario\")");
  }
  const QJsonValue version = json.value(QStringLiteral("version"));
  if (!version.isDouble() || version.toInt() < 1) {
    throw core::Error("version", "expected a positive whole number");
  }
  if (version.toInt() > kScenarioFormatVersion) {
    throw core::Error("version", "written by a newer GradScope (version " +
                                     std::to_string(version.toInt()) + ")");
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (!kTopLevelKeys.contains(it.key())) throw core::Error(str(it.key()), "unknown field");
  }
  Scenario scenario;
  scenario.id = requiredText(json, "id");
  static const QRegularExpression idPattern(QStringLiteral("^[a-z0-9]+(-[a-z0-9]+)*$"));
  if (!idPattern.match(scenario.id).hasMatch()) {
    throw core::Error("id", "expected lower-case words joined by '-', e.g. \"dying-relu\"");
  }
  scenario.title = requiredText(json, "title");
  scenario.story = requiredText(json, "story");
  scenario.question = requiredText(json, "question");
  scenario.lookAt = requiredText(json, "look_at");
  scenario.claim = requiredText(json, "claim");
  if (json.contains(QStringLiteral("reference"))) {
    scenario.reference = requiredText(json, "reference");
  }
  scenario.steps = wholeNumber(json.value(QStringLiteral("steps")), "steps", 1);
  scenario.rangeTest = parseRangeTest(json);
  scenario.view = parseView(json);

  const QJsonObject base = settingsObject(json, "settings", "settings");
  // The shared settings on their own first, so an error in them is named as theirs.
  applySettings(base, core::ExperimentConfig{}, "settings.");
  const std::vector<ScenarioAction> shared = parseActions(json, "");

  const QJsonValue runsValue = json.value(QStringLiteral("runs"));
  if (!runsValue.isArray() || runsValue.toArray().isEmpty()) {
    throw core::Error("runs", "expected a list of at least one run");
  }
  const QJsonArray runs = runsValue.toArray();
  if (runs.size() > kMaxRuns) {
    throw core::Error("runs", "at most " + std::to_string(kMaxRuns) + " runs side by side");
  }
  for (qsizetype i = 0; i < runs.size(); ++i) {
    const std::string at = "runs[" + std::to_string(i) + "]";
    if (!runs[i].isObject()) throw core::Error(at, "expected an object with a name");
    const QJsonObject item = runs[i].toObject();
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (it.key() != "name" && it.key() != "settings" && it.key() != "actions") {
        throw core::Error(at + "." + str(it.key()), "unknown field (name, settings, actions)");
      }
    }
    ScenarioRun run;
    const QJsonValue name = item.value(QStringLiteral("name"));
    if (!name.isString() || name.toString().trimmed().isEmpty()) {
      throw core::Error(at + ".name", "expected a non-empty text");
    }
    run.name = name.toString();
    for (const ScenarioRun& other : scenario.runs) {
      if (other.name == run.name) throw core::Error(at + ".name", "two runs of the same name");
    }
    // The run's overrides merged into the shared settings, read in the schema's order, so that
    // e.g. another optimiser type comes before the learning rate the shared settings give.
    const QJsonObject overrides = settingsObject(item, "settings", at + ".settings");
    QJsonObject merged = base;
    for (auto it = overrides.begin(); it != overrides.end(); ++it) merged.insert(it.key(), *it);
    try {
      run.config = applySettings(merged, core::ExperimentConfig{}, "", &overrides);
    } catch (const core::Error& e) {
      // Name the level the failing setting came from.
      std::string prefix = "settings.";
      for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        if (e.field().rfind(str(it.key()), 0) == 0) prefix = at + ".settings.";
      }
      throw core::Error(prefix + e.field(), e.reason());
    }
    // The claim is measured over `steps`: the run must plan at least that many, or the
    // dashboard would stop before showing it (and a 1cycle would span another length).
    if (plannedSteps(run.config) < scenario.steps) {
      throw core::Error(at + ".settings.training.epochs",
                        "plans " + std::to_string(plannedSteps(run.config)) +
                            " steps, fewer than the scenario's " + std::to_string(scenario.steps));
    }
    run.actions = shared;
    for (ScenarioAction& action : parseActions(item, at + ".")) {
      run.actions.push_back(std::move(action));
    }
    std::stable_sort(
        run.actions.begin(), run.actions.end(),
        [](const ScenarioAction& a, const ScenarioAction& b) { return a.atStep < b.atStep; });
    // Each action must apply over the configuration the run has by then.
    core::ExperimentConfig config = run.config;
    for (std::size_t k = 0; k < run.actions.size(); ++k) {
      try {
        config = applyAction(config, run.actions[k]);
      } catch (const core::Error& e) {
        throw core::Error(at + ".actions (\"" + str(run.actions[k].label) + "\")." + e.field(),
                          e.reason());
      }
    }
    scenario.runs.push_back(std::move(run));
  }
  return scenario;
}

ScenarioLibrary ScenarioLibrary::load(const QString& directory) {
  ScenarioLibrary library;
  const QDir dir(directory);
  const QStringList files =
      dir.entryList({QStringLiteral("*.json")}, QDir::Files | QDir::Readable, QDir::Name);
  if (!dir.exists()) library.m_errors << QStringLiteral("%1: no such folder").arg(directory);
  for (const QString& name : files) {
    QFile file(dir.filePath(name));
    auto fail = [&](const QString& why) { library.m_errors << name + QStringLiteral(": ") + why; };
    if (!file.open(QIODevice::ReadOnly)) {
      fail(file.errorString());
      continue;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
      fail(QStringLiteral("not a JSON object (at byte %1: %2)")
               .arg(parseError.offset)
               .arg(parseError.errorString()));
      continue;
    }
    try {
      Scenario scenario = scenarioFromJson(document.object());
      scenario.file = name;
      for (const Scenario& other : library.m_scenarios) {
        if (other.id == scenario.id) {
          throw core::Error("id",
                            "\"" + str(scenario.id) + "\" is also the id of " + str(other.file));
        }
      }
      library.m_scenarios.push_back(std::move(scenario));
    } catch (const core::Error& e) {
      fail(QString::fromStdString(e.field() + ": " + e.reason()));
    }
  }
  return library;
}

const ScenarioLibrary& ScenarioLibrary::builtIn() {
  static const ScenarioLibrary library = load(QStringLiteral(":/scenarios"));
  return library;
}

const Scenario* ScenarioLibrary::find(const QString& name) const {
  for (const Scenario& s : m_scenarios) {
    if (s.id == name) return &s;
  }
  bool isNumber = false;
  const int number = name.toInt(&isNumber);
  if (!isNumber) return nullptr;
  for (const Scenario& s : m_scenarios) {
    // The number a file name starts with: "03-exploding-gradients.json" is 3.
    const int prefix = s.file.section(QLatin1Char('-'), 0, 0).toInt(&isNumber);
    if (isNumber && prefix == number) return &s;
  }
  return nullptr;
}

std::optional<core::ExperimentConfig> builtInScenarioExperiment(const QString& name) {
  const Scenario* scenario = ScenarioLibrary::builtIn().find(name);
  if (!scenario) return std::nullopt;
  return scenario->runs.front().config;
}

}  // namespace gradscope::app
