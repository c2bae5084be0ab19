#include "app/sessions/session_json.h"

#include <QJsonArray>

#include <cmath>

#include "app/landscapes/landscape_state_json.h"
#include "app/runs/run_table.h"  // kMaxRuns: a session holds as many runs as a comparison
#include "app/scenarios/default_experiment.h"
#include "app/sessions/config_file.h"
#include "app/sessions/history_json.h"
#include "app/sessions/json_fields.h"
#include "app/sessions/run_state_json.h"
#include "app/sessions/session_size.h"
#include "core/kernels/kernel_level.h"
#include "core/model/network_spec.h"

namespace gradscope::app {

using core::Error;

namespace {

const QLatin1String kSessionFormat("gradscope-session");
constexpr std::int64_t kMaxSamples = 10'000'000;
constexpr std::int64_t kMaxOutputs = 1000;
constexpr qsizetype kMaxText = 1 << 20;
constexpr std::int64_t kMaxEventLogLines = 100000;

const char* taskName(core::TaskKind task) {
  switch (task) {
    case core::TaskKind::Regression:
      return "regression";
    case core::TaskKind::Binary:
      return "binary";
    case core::TaskKind::MultiClass:
      return "multiclass";
  }
  return "regression";
}

// --- configuration: the configuration file's settings object, over the default experiment

QJsonObject configJson(const core::ExperimentConfig& config) {
  return configToJson(config).value(QStringLiteral("settings")).toObject();
}

core::ExperimentConfig configFrom(const JsonFields& run) {
  if (!run.has("config")) return defaultExperiment();
  const QJsonValue settings = run.value("config");
  const std::string path = run.field(QStringLiteral("config"));
  if (!settings.isObject()) throw Error(path, "expected an object of settings");
  QJsonObject wrapped;
  wrapped.insert(QStringLiteral("format"), QStringLiteral("gradscope-config"));
  wrapped.insert(QStringLiteral("version"), kConfigFormatVersion);
  wrapped.insert(QStringLiteral("settings"), settings);
  try {
    return configFromJson(wrapped, defaultExperiment());
  } catch (const Error& e) {
    // configFromJson names fields "settings.<key>"; here they are "<run>.config.<key>".
    std::string field = e.field();
    if (field.rfind("settings", 0) == 0) field = path + field.substr(8);
    throw Error(field, e.reason());
  }
}

// --- data

QJsonObject datasetJson(const core::Dataset& d) {
  QJsonObject json;
  json.insert(QStringLiteral("task"), QLatin1String(taskName(d.task)));
  json.insert(QStringLiteral("samples"), qint64(d.sampleCount()));
  json.insert(QStringLiteral("features"), qint64(d.featureCount()));
  json.insert(QStringLiteral("outputs"), qint64(d.outputCount()));
  // Sample-major (one row per sample, as a CSV file), so a hand-written list of rows and the
  // compact form read the same way.
  const Eigen::MatrixXd inputs = d.inputs.transpose();
  const Eigen::MatrixXd targets = d.targets.transpose();
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> in = inputs, out = targets;
  json.insert(QStringLiteral("inputs"), encodeArray(in.data(), in.size(), ArrayPrecision::Float64));
  json.insert(QStringLiteral("targets"),
              encodeArray(out.data(), out.size(), ArrayPrecision::Float64));
  auto names = [](const std::vector<std::string>& list) {
    QJsonArray array;
    for (const auto& n : list) array.append(QString::fromStdString(n));
    return array;
  };
  if (!d.featureNames.empty()) json.insert(QStringLiteral("feature_names"), names(d.featureNames));
  if (!d.classNames.empty()) json.insert(QStringLiteral("class_names"), names(d.classNames));
  return json;
}

// Rows of numbers: [[...], [...]] (samples x width) or a flat array of samples * width.
Eigen::MatrixXd readTable(const JsonFields& json, const char* key, std::int64_t& samples,
                          std::int64_t width) {
  const std::string field = json.field(QLatin1String(key));
  if (!json.has(key)) throw Error(field, "is missing");
  const QJsonValue value = json.value(key);
  std::vector<double> flat;
  if (value.isArray() && !value.toArray().isEmpty() && value.toArray().first().isArray()) {
    const QJsonArray rows = value.toArray();
    if (rows.size() > kMaxSamples) throw Error(field, "has too many rows");
    if (samples >= 0 && rows.size() != samples) {
      throw Error(field, "has " + std::to_string(rows.size()) + " rows, expected " +
                             std::to_string(samples));
    }
    for (qsizetype r = 0; r < rows.size(); ++r) {
      const auto row = readNumbers(rows[r], field + "[" + std::to_string(r) + "]", width);
      flat.insert(flat.end(), row.begin(), row.end());
    }
    samples = rows.size();
  } else {
    if (samples < 0) throw Error(json.field(QStringLiteral("samples")), "is missing");
    flat = readNumbers(value, field, samples * width);
  }
  if (samples < 1) throw Error(field, "has no rows");
  Eigen::MatrixXd m(width, samples);  // one sample per column
  for (std::int64_t s = 0; s < samples; ++s) {
    for (std::int64_t f = 0; f < width; ++f) m(f, s) = flat[std::size_t(s * width + f)];
  }
  return m;
}

core::Dataset datasetFrom(const JsonFields& json, bool allowSource) {
  if (allowSource) {
    json.rejectUnknown({"source", "task", "samples", "features", "outputs", "inputs", "targets",
                        "feature_names", "class_names"});
  } else {
    json.rejectUnknown({"task", "samples", "features", "outputs", "inputs", "targets",
                        "feature_names", "class_names"});
  }
  core::Dataset d;
  const QString task = json.string("task", QStringLiteral("regression"));
  bool known = false;
  for (auto t : {core::TaskKind::Regression, core::TaskKind::Binary, core::TaskKind::MultiClass}) {
    if (task == QLatin1String(taskName(t))) {
      d.task = t;
      known = true;
    }
  }
  if (!known)
    throw Error(json.field(QStringLiteral("task")), "expected regression, binary or multiclass");
  std::int64_t samples = json.integer("samples", -1, 1, kMaxSamples);
  // Widths: given, or from the first row of a hand-written list.
  auto width = [&](const char* key, const char* rowsKey, std::int64_t max) {
    if (json.has(key)) return json.integer(key, 1, 1, max);
    const QJsonValue rows = json.value(rowsKey);
    if (rows.isArray() && !rows.toArray().isEmpty() && rows.toArray().first().isArray()) {
      const std::int64_t n = rows.toArray().first().toArray().size();
      if (n >= 1 && n <= max) return n;
    }
    throw Error(json.field(QLatin1String(key)), "is missing");
  };
  const std::int64_t features = width("features", "inputs", core::kMaxUnits);
  const std::int64_t outputs = width("outputs", "targets", kMaxOutputs);
  if (samples >= 0 && samples * std::max(features, outputs) > 100'000'000) {
    throw Error(json.field(QStringLiteral("samples")), "the data would exceed 100 million values");
  }
  d.inputs = readTable(json, "inputs", samples, features);
  d.targets = readTable(json, "targets", samples, outputs);
  const std::string targets = json.field(QStringLiteral("targets"));
  if (d.task == core::TaskKind::Binary) {
    if (outputs != 1) throw Error(targets, "a binary task has one target column (0 or 1)");
    for (std::int64_t s = 0; s < samples; ++s) {
      const double y = d.targets(0, s);
      if (y != 0.0 && y != 1.0) {
        throw Error(targets, "row " + std::to_string(s) + " is not 0 or 1");
      }
    }
  }
  if (d.task == core::TaskKind::MultiClass) {
    if (outputs < 2) throw Error(targets, "a multiclass task has one column per class (>= 2)");
    for (std::int64_t s = 0; s < samples; ++s) {
      const double sum = d.targets.col(s).sum();
      const bool oneHot =
          sum == 1.0 && (d.targets.col(s).array() == 0.0 || d.targets.col(s).array() == 1.0).all();
      if (!oneHot) throw Error(targets, "row " + std::to_string(s) + " is not one-hot");
    }
  }
  auto names = [&](const char* key, std::int64_t expected) {
    std::vector<std::string> list;
    if (const auto array = json.array(key, expected)) {
      for (qsizetype i = 0; i < array->size(); ++i) {
        if (!(*array)[i].isString()) {
          throw Error(json.field(QLatin1String(key)) + "[" + std::to_string(i) + "]",
                      "expected a name");
        }
        list.push_back((*array)[i].toString().toStdString());
      }
      if (std::int64_t(list.size()) != expected) {
        throw Error(json.field(QLatin1String(key)),
                    "expected " + std::to_string(expected) + " names");
      }
    }
    return list;
  };
  d.featureNames = names("feature_names", features);
  d.classNames = names("class_names", d.task == core::TaskKind::Binary ? 2 : outputs);
  return d;
}

QJsonObject dataJson(const SessionData& data) {
  QJsonObject json;
  switch (data.source) {
    case SessionData::Source::Generator:
      json.insert(QStringLiteral("source"), QStringLiteral("generator"));
      break;
    case SessionData::Source::Embedded:
      json = datasetJson(*data.data);
      json.insert(QStringLiteral("source"), QStringLiteral("embedded"));
      break;
    case SessionData::Source::File:
      json.insert(QStringLiteral("source"), QStringLiteral("file"));
      json.insert(QStringLiteral("path"), data.path);
      json.insert(QStringLiteral("sha256"), QString::fromLatin1(data.sha256.toHex()));
      if (!data.targetColumn.isEmpty()) {
        json.insert(QStringLiteral("target_column"), data.targetColumn);
      }
      if (data.data) json.insert(QStringLiteral("embedded"), datasetJson(*data.data));
      break;
  }
  return json;
}

SessionData dataFrom(const JsonFields& json) {
  SessionData data;
  const QString source = json.string("source", QStringLiteral("generator"));
  if (source == QLatin1String("generator")) {
    json.rejectUnknown({"source"});
  } else if (source == QLatin1String("embedded")) {
    data.source = SessionData::Source::Embedded;
    data.data = datasetFrom(json, true);
  } else if (source == QLatin1String("file")) {
    json.rejectUnknown({"source", "path", "sha256", "target_column", "embedded"});
    data.source = SessionData::Source::File;
    data.path = json.string("path");
    if (data.path.isEmpty()) throw Error(json.field(QStringLiteral("path")), "is missing");
    const QString hex = json.string("sha256");
    data.sha256 = QByteArray::fromHex(hex.toLatin1());
    if (hex.size() != 64 || data.sha256.size() != 32 ||
        data.sha256.toHex() != hex.toLower().toLatin1()) {
      throw Error(json.field(QStringLiteral("sha256")), "expected 64 hexadecimal digits");
    }
    data.targetColumn = json.string("target_column");
    if (const auto embedded = json.object("embedded")) data.data = datasetFrom(*embedded, false);
  } else {
    throw Error(json.field(QStringLiteral("source")), "expected generator, embedded or file");
  }
  return data;
}

// --- LR range test

QJsonObject lrTestJson(const core::LrRangeTestResult& r) {
  QJsonObject json;
  json.insert(QStringLiteral("rates"), encodeArray(r.rates, ArrayPrecision::Float64));
  json.insert(QStringLiteral("losses"), encodeArray(r.losses, ArrayPrecision::Float64));
  json.insert(QStringLiteral("smoothed_losses"),
              encodeArray(r.smoothedLosses, ArrayPrecision::Float64));
  json.insert(QStringLiteral("minimum_loss_rate"), extendedNumber(r.minimumLossRate));
  json.insert(QStringLiteral("steepest_rate"), extendedNumber(r.steepestRate));
  json.insert(QStringLiteral("suggested_max_rate"), extendedNumber(r.suggestedMaxRate));
  json.insert(QStringLiteral("diverged"), r.diverged);
  json.insert(QStringLiteral("rule"), QString::fromStdString(r.rule));
  return json;
}

core::LrRangeTestResult lrTestFrom(const JsonFields& json) {
  json.rejectUnknown({"rates", "losses", "smoothed_losses", "minimum_loss_rate", "steepest_rate",
                      "suggested_max_rate", "diverged", "rule"});
  core::LrRangeTestResult r;
  constexpr std::int64_t kMaxPoints = 1'000'000;
  r.rates = json.numbers("rates", -1, true).value_or(std::vector<double>{});
  if (std::int64_t(r.rates.size()) > kMaxPoints) {
    throw Error(json.field(QStringLiteral("rates")), "too many points");
  }
  const auto n = std::int64_t(r.rates.size());
  r.losses = json.numbers("losses", n, true).value_or(std::vector<double>(r.rates.size(), NAN));
  r.smoothedLosses =
      json.numbers("smoothed_losses", n, true).value_or(std::vector<double>(r.rates.size(), NAN));
  auto extended = [&](const char* key) {
    return json.has(key) ? readExtendedNumber(json.value(key), json.field(QLatin1String(key)))
                         : 0.0;
  };
  r.minimumLossRate = extended("minimum_loss_rate");
  r.steepestRate = extended("steepest_rate");
  r.suggestedMaxRate = extended("suggested_max_rate");
  r.diverged = json.boolean("diverged", false);
  r.rule = json.string("rule").toStdString();
  return r;
}

// --- runs

QJsonObject runJson(const SessionRun& run) {
  QJsonObject json;
  if (!run.label.isEmpty()) json.insert(QStringLiteral("label"), run.label);
  json.insert(QStringLiteral("config"), configJson(run.config));
  json.insert(QStringLiteral("data"), dataJson(run.data));
  if (!run.state.isEmpty()) json.insert(QStringLiteral("state"), run.state);
  if (run.history) json.insert(QStringLiteral("history"), runHistoryToJson(*run.history));
  if (run.lrRangeTest) json.insert(QStringLiteral("lr_range_test"), lrTestJson(*run.lrRangeTest));
  if (run.forkParent >= 0) {
    QJsonObject fork{{QStringLiteral("parent"), run.forkParent},
                     {QStringLiteral("step"), qint64(run.forkStep)}};
    if (run.keptFuture) fork.insert(QStringLiteral("old_future"), true);
    json.insert(QStringLiteral("fork"), fork);
  }
  return json;
}

SessionRun runFrom(const JsonFields& json) {
  json.rejectUnknown({"label", "config", "data", "state", "history", "lr_range_test", "fork"});
  SessionRun run;
  run.label = json.string("label");
  if (run.label.size() > 200) throw Error(json.field(QStringLiteral("label")), "is too long");
  run.config = configFrom(json);
  if (const auto data = json.object("data")) run.data = dataFrom(*data);
  if (json.object("state")) run.state = json.value("state").toObject();
  if (const auto history = json.object("history")) run.history = runHistoryFromJson(*history);
  if (const auto test = json.object("lr_range_test")) run.lrRangeTest = lrTestFrom(*test);
  if (const auto fork = json.object("fork")) {
    fork->rejectUnknown({"parent", "step", "old_future"});
    // The parent must come earlier (checked against the run's index by the caller).
    run.forkParent = int(fork->integer("parent", -1, 0, kMaxRuns - 1));
    run.forkStep = fork->integer("step", -1, 0, kMaxSessionSteps);
    if (run.forkParent < 0) throw Error(fork->field(QStringLiteral("parent")), "is missing");
    if (run.forkStep < 0) throw Error(fork->field(QStringLiteral("step")), "is missing");
    run.keptFuture = fork->boolean("old_future", false);
  }
  return run;
}

// The histories of all runs together, from their declared sizes, before any of their arrays
// is decoded (session_size.h): what opening would replay and what reading would allocate.
void checkHistoryTotals(const QJsonArray& runs) {
  std::int64_t steps = 0, blocks = 0;
  for (qsizetype i = 0; i < runs.size(); ++i) {
    const QJsonObject history = runs[i].toObject().value(QStringLiteral("history")).toObject();
    if (history.isEmpty()) continue;
    const JsonFields h(history, "runs[" + std::to_string(i) + "].history");
    const std::int64_t runSteps = h.integer("steps", 0, 0, kMaxSessionSteps);
    const std::int64_t stride = h.integer("step_stride", 1, 1, kMaxSessionSteps);
    steps += runSteps;
    blocks += (runSteps + stride - 1) / stride;
    if (steps > kMaxSessionSteps) {
      throw Error(h.field(QStringLiteral("steps")), "the runs' histories have more than " +
                                                        std::to_string(kMaxSessionSteps) +
                                                        " steps in all, the most a session holds");
    }
    if (blocks > kMaxSessionStepBlocks) {
      throw Error(h.field(QStringLiteral("step_stride")),
                  "the runs' histories save more than " + std::to_string(kMaxSessionStepBlocks) +
                      " values per step metric in all, the most a session holds");
    }
  }
}

}  // namespace

QJsonObject sessionToJson(const Session& session) {
  QJsonObject json;
  json.insert(QStringLiteral("format"), kSessionFormat);
  json.insert(QStringLiteral("version"), kSessionFormatVersion);
  json.insert(QStringLiteral("name"), session.name);
  json.insert(QStringLiteral("note"), session.note);
  json.insert(QStringLiteral("speed"), session.speed);
  QJsonArray runs;
  for (const SessionRun& run : session.runs) runs.append(runJson(run));
  json.insert(QStringLiteral("runs"), runs);
  if (!session.layout.isEmpty()) {
    json.insert(QStringLiteral("layout"), QString::fromLatin1(session.layout.toBase64()));
  }
  if (!session.landscape.isEmpty()) json.insert(QStringLiteral("landscape"), session.landscape);
  if (!session.views.isEmpty()) json.insert(QStringLiteral("views"), session.views);
  if (!session.eventLog.isEmpty()) {
    json.insert(QStringLiteral("event_log"), QJsonArray::fromStringList(session.eventLog));
  }
  json.insert(QStringLiteral("kernels"),
              QString::fromLatin1(core::kernelLevelName(core::kernelLevel())));
  return json;
}

QJsonObject migrateSession(QJsonObject json) {
  const QJsonValue version = json.value(QStringLiteral("version"));
  if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble())) {
    throw Error("version", "expected a whole number");
  }
  const double v = version.toDouble();
  if (v > kSessionFormatVersion) {
    throw Error("version", "written by a newer GradScope (version " +
                               std::to_string(std::int64_t(std::min(v, 1e15))) +
                               "); this one reads up to version " +
                               std::to_string(kSessionFormatVersion));
  }
  if (v < 1)
    throw Error("version",
                "unknown version (expected 1 to " + std::to_string(kSessionFormatVersion) + ")");
  if (v == 1) {
    // Version 1: one run, its fields at the top level. Version 2 lists runs.
    QJsonObject run;
    for (const char* key : {"config", "data", "state", "history", "lr_range_test"}) {
      const QLatin1String k(key);
      if (json.contains(k)) {
        run.insert(k, json.value(k));
        json.remove(k);
      }
    }
    json.insert(QStringLiteral("runs"), QJsonArray{run});
    json.insert(QStringLiteral("version"), 2);
  }
  // Version 2 -> 3 only added the compressed array forms: nothing to change.
  json.insert(QStringLiteral("version"), kSessionFormatVersion);
  return json;
}

Session sessionFromJson(QJsonObject json) {
  const QJsonValue format = json.value(QStringLiteral("format"));
  if (!format.isString() || format.toString() != kSessionFormat) {
    throw Error("format", "not a GradScope session (expected \"gradscope-session\")");
  }
  json = migrateSession(json);
  const JsonFields top(json, "");
  top.rejectUnknown({"format", "version", "name", "note", "speed", "runs", "layout", "landscape",
                     "event_log", "kernels", "views"});
  Session session;
  session.name = top.string("name");
  session.note = top.string("note");
  if (session.name.size() > 1000) throw Error("name", "is too long");
  if (session.note.size() > kMaxText) throw Error("note", "is longer than a million characters");
  session.speed = top.number("speed", 0.0, 0.0, 1e9);
  // Any name is kept, so that a level added later does not make the file unreadable.
  session.kernels = top.string("kernels").left(40);
  if (const auto runs = top.array("runs", kMaxRuns)) {
    checkHistoryTotals(*runs);
    for (qsizetype i = 0; i < runs->size(); ++i) {
      session.runs.push_back(
          runFrom(JsonFields::of((*runs)[i], "runs[" + std::to_string(i) + "]")));
      if (session.runs.back().forkParent >= i) {
        throw Error("runs[" + std::to_string(i) + "].fork.parent",
                    "must be the index of an earlier run (0 to " + std::to_string(i - 1) + ")");
      }
    }
  } else {
    session.runs.push_back(runFrom(JsonFields(QJsonObject(), "runs[0]")));
  }
  if (session.runs.empty()) throw Error("runs", "a session has at least one run");
  if (top.has("layout")) {
    const auto layout = QByteArray::fromBase64Encoding(top.string("layout").toLatin1(),
                                                       QByteArray::AbortOnBase64DecodingErrors);
    if (!layout) throw Error("layout", "is not valid base64");
    session.layout = *layout;
  }
  if (const auto log = top.array("event_log", kMaxEventLogLines)) {
    for (qsizetype i = 0; i < log->size(); ++i) {
      if (!(*log)[i].isString()) {
        throw Error("event_log[" + std::to_string(i) + "]", "expected a text");
      }
      session.eventLog.append((*log)[i].toString().left(1000));
    }
  }
  if (const auto views = top.object("views")) {
    session.views = json.value(QStringLiteral("views")).toObject();
    for (auto it = session.views.begin(); it != session.views.end(); ++it) {
      if (!it->isObject()) throw Error("views." + it.key().toStdString(), "expected an object");
    }
  }
  if (const auto landscape = top.object("landscape")) {
    session.landscape = json.value(QStringLiteral("landscape")).toObject();
    // Checked now, like everything else, so a bad landscape refuses the file before anything
    // running is touched; the object itself is kept for the view that owns it.
    landscapeStateFromJson(session.landscape);
  }
  return session;
}

}  // namespace gradscope::app
