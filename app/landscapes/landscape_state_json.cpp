#include "app/landscapes/landscape_state_json.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QSet>
#include <QStringList>

#include <cmath>
#include <string>

#include "core/model/types.h"

namespace gradscope::app {

namespace {

using core::Error;

QString name(std::string_view text) {
  return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// Reads the fields of one JSON object, naming each as "<prefix>.<key>" in errors, and
// refuses keys nobody asked about (a typo would otherwise be ignored silently).
class FieldReader {
 public:
  FieldReader(const QJsonObject& object, std::string prefix)
      : m_object(object), m_prefix(std::move(prefix)) {}

  std::string field(const QString& key) const { return m_prefix + "." + key.toStdString(); }
  bool has(const QString& key) {
    m_known.insert(key);
    return m_object.contains(key);
  }
  QJsonValue value(const QString& key) { return has(key) ? m_object.value(key) : QJsonValue(); }

  void number(const QString& key, double& out) {
    if (!has(key)) return;
    const QJsonValue v = m_object.value(key);
    if (!v.isDouble() || !std::isfinite(v.toDouble())) {
      throw Error(field(key), "expected a finite number");
    }
    out = v.toDouble();
  }
  void number(const QString& key, double& out, double lo, double hi, const char* range) {
    number(key, out);
    if (has(key) && (out < lo || out > hi)) throw Error(field(key), range);
  }
  template <typename Int>
  void integer(const QString& key, Int& out, double lo, double hi) {
    double v = double(out);
    number(key, v);
    if (!has(key)) return;
    if (v != std::floor(v) || v < lo || v > hi) {
      throw Error(field(key), "expected a whole number in [" + QString::number(lo).toStdString() +
                                  ", " + QString::number(hi).toStdString() + "]");
    }
    out = Int(v);
  }
  void boolean(const QString& key, bool& out) {
    if (!has(key)) return;
    const QJsonValue v = m_object.value(key);
    if (!v.isBool()) throw Error(field(key), "expected true or false");
    out = v.toBool();
  }
  QString string(const QString& key) {
    if (!has(key)) return {};
    const QJsonValue v = m_object.value(key);
    if (!v.isString()) throw Error(field(key), "expected a string");
    return v.toString();
  }
  QJsonObject object(const QString& key) {
    if (!has(key)) return {};
    const QJsonValue v = m_object.value(key);
    if (!v.isObject()) throw Error(field(key), "expected an object");
    return v.toObject();
  }
  std::vector<double> numbers(const QString& key, std::vector<double> fallback) {
    if (!has(key)) return fallback;
    const QJsonValue v = m_object.value(key);
    if (!v.isArray()) throw Error(field(key), "expected a list of numbers");
    std::vector<double> out;
    const QJsonArray array = v.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
      if (!array[i].isDouble() || !std::isfinite(array[i].toDouble())) {
        throw Error(field(key) + "[" + std::to_string(i) + "]", "expected a finite number");
      }
      out.push_back(array[i].toDouble());
    }
    return out;
  }
  // Every key of the object must have been asked for.
  void finish() const {
    for (const QString& key : m_object.keys()) {
      if (!m_known.contains(key)) throw Error(field(key), "unknown field");
    }
  }

 private:
  QJsonObject m_object;
  std::string m_prefix;
  QSet<QString> m_known;
};

QJsonArray toArray(const std::vector<double>& values) {
  QJsonArray array;
  for (double v : values) array.append(v);
  return array;
}

QJsonObject scheduleToJson(const core::ScheduleSettings& s) {
  // The initial and peak rates are each optimiser's own learning rate (RaceSettings).
  return {{"type", name(core::toString(s.kind))},
          {"boundaries", toArray(s.boundaries)},
          {"values", toArray(s.values)},
          {"decay_steps", s.decaySteps},
          {"decay_rate", s.decayRate},
          {"power", s.power},
          {"staircase", s.staircase},
          {"alpha", s.alpha},
          {"warmup_steps", s.warmupSteps},
          {"warmup_target", s.warmupTarget},
          {"total_steps", double(s.totalSteps)},
          {"shape", name(core::toString(s.shape))},
          {"start_divisor", s.startDivisor},
          {"last_rate", s.lastRate},
          {"pct_start", s.pctStart},
          {"final_divisor", s.finalDivisor},
          {"cycle_momentum", s.cycleMomentum},
          {"max_momentum", s.maxMomentum},
          {"min_momentum", s.minMomentum}};
}

core::ScheduleSettings scheduleFromJson(const QJsonObject& json) {
  core::ScheduleSettings s;
  FieldReader r(json, "landscape.schedule");
  if (r.has("type")) {
    const auto kind = core::scheduleKindFromString(r.string("type").toStdString());
    if (!kind) throw Error(r.field("type"), "unknown schedule");
    s.kind = *kind;
  }
  s.boundaries = r.numbers("boundaries", s.boundaries);
  s.values = r.numbers("values", s.values);
  r.number("decay_steps", s.decaySteps);
  r.number("decay_rate", s.decayRate);
  r.number("power", s.power);
  r.boolean("staircase", s.staircase);
  r.number("alpha", s.alpha);
  r.number("warmup_steps", s.warmupSteps);
  r.number("warmup_target", s.warmupTarget);
  r.integer("total_steps", s.totalSteps, 0, 1e9);
  if (r.has("shape")) {
    const auto shape = core::oneCycleShapeFromString(r.string("shape").toStdString());
    if (!shape) throw Error(r.field("shape"), "expected \"linear\" or \"cosine\"");
    s.shape = *shape;
  }
  r.number("start_divisor", s.startDivisor);
  r.number("last_rate", s.lastRate);
  r.number("pct_start", s.pctStart);
  r.number("final_divisor", s.finalDivisor);
  r.boolean("cycle_momentum", s.cycleMomentum);
  r.number("max_momentum", s.maxMomentum);
  r.number("min_momentum", s.minMomentum);
  r.finish();
  return s;
}

}  // namespace

QJsonObject landscapeStateToJson(const LandscapeState& state) {
  const core::RaceSettings& race = state.race;
  QJsonArray optimizers;
  for (core::OptimizerKind kind : race.optimizers) optimizers.append(name(core::toString(kind)));
  QJsonObject rates;
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    rates.insert(name(core::toString(kind)), race.learningRate(kind));
  }
  const QJsonObject function{{"type", name(core::toString(race.landscape.kind))},
                             {"condition_number", race.landscape.conditionNumber},
                             {"rotation_degrees", race.landscape.rotationDegrees}};
  return {{"version", kLandscapeStateVersion},
          {"function", function},
          {"start", QJsonArray{race.start.x(), race.start.y()}},
          {"optimizers", optimizers},
          {"learning_rates", rates},
          {"momentum", race.momentum},
          {"rho", race.rho},
          {"beta_1", race.beta1},
          {"beta_2", race.beta2},
          {"epsilon", race.epsilon},
          {"clip", QJsonObject{{"mode", name(core::toString(race.clip.mode))},
                               {"threshold", race.clip.threshold}}},
          {"schedule", scheduleToJson(race.schedule)},
          {"steps", race.steps},
          {"cursor", state.cursor},
          {"speed", state.speed}};
}

LandscapeState landscapeStateFromJson(const QJsonObject& json) {
  LandscapeState state;
  core::RaceSettings& race = state.race;
  FieldReader r(json, "landscape");
  if (r.has("version")) {
    double version = 0;
    r.number("version", version);
    if (version != kLandscapeStateVersion) {
      throw Error(r.field("version"), "this version of GradScope reads version 1");
    }
  }

  if (r.has("function")) {
    FieldReader f(r.object("function"), "landscape.function");
    if (f.has("type")) {
      const auto kind = core::landscapeKindFromString(f.string("type").toStdString());
      if (!kind) throw Error(f.field("type"), "unknown function");
      race.landscape.kind = *kind;
    }
    f.number("condition_number", race.landscape.conditionNumber, 1.0, 1e4,
             "must lie in [1, 10000]");
    f.number("rotation_degrees", race.landscape.rotationDegrees, -360.0, 360.0,
             "must lie in [-360, 360]");
    f.finish();
  }

  if (r.has("start")) {
    const QJsonValue v = r.value("start");
    const QJsonArray a = v.toArray();
    if (!v.isArray() || a.size() != 2 || !a[0].isDouble() || !a[1].isDouble() ||
        !std::isfinite(a[0].toDouble()) || !std::isfinite(a[1].toDouble())) {
      throw Error(r.field("start"), "expected [x, y] with two finite numbers");
    }
    race.start = core::Point2(a[0].toDouble(), a[1].toDouble());
  }

  if (r.has("optimizers")) {
    const QJsonValue v = r.value("optimizers");
    if (!v.isArray()) throw Error(r.field("optimizers"), "expected a list of optimiser names");
    race.optimizers.clear();
    const QJsonArray a = v.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
      const std::string field = r.field("optimizers") + "[" + std::to_string(i) + "]";
      const auto kind = a[i].isString()
                            ? core::optimizerKindFromString(a[i].toString().toStdString())
                            : std::nullopt;
      if (!kind) {
        std::string names;
        for (core::OptimizerKind k : core::allOptimizerKinds()) {
          names += (names.empty() ? "" : ", ") + std::string(core::toString(k));
        }
        throw Error(field, "expected one of " + names);
      }
      for (core::OptimizerKind seen : race.optimizers) {
        if (seen == *kind) throw Error(field, "names an optimiser twice");
      }
      race.optimizers.push_back(*kind);
    }
  }

  if (r.has("learning_rates")) {
    FieldReader rates(r.object("learning_rates"), "landscape.learning_rates");
    for (core::OptimizerKind kind : core::allOptimizerKinds()) {
      const QString key = name(core::toString(kind));
      double rate = race.learningRate(kind);
      rates.number(key, rate);
      if (!(rate > 0.0)) throw Error(rates.field(key), "must be positive");
      race.setLearningRate(kind, rate);
    }
    rates.finish();
  }

  r.number("momentum", race.momentum, 0.0, 1.0, "must lie in [0, 1]");
  r.number("rho", race.rho, 0.0, 1.0, "must lie in [0, 1]");
  r.number("beta_1", race.beta1, 0.0, 0.999999, "must lie in [0, 1)");
  r.number("beta_2", race.beta2, 0.0, 0.999999, "must lie in [0, 1)");
  r.number("epsilon", race.epsilon, 1e-300, 1.0, "must lie in (0, 1]");

  if (r.has("clip")) {
    FieldReader c(r.object("clip"), "landscape.clip");
    if (c.has("mode")) {
      const auto mode = core::clipModeFromString(c.string("mode").toStdString());
      if (!mode)
        throw Error(c.field("mode"), "expected none, clipvalue, clipnorm or global_clipnorm");
      race.clip.mode = *mode;
    }
    c.number("threshold", race.clip.threshold);
    c.finish();
  }
  if (r.has("schedule")) race.schedule = scheduleFromJson(r.object("schedule"));
  r.integer("steps", race.steps, 0, 100000);
  r.integer("cursor", state.cursor, 0, 100000);
  r.number("speed", state.speed, 1.0, 100000.0, "must lie in [1, 100000] steps per second");
  r.finish();

  if (state.cursor > race.steps) throw Error(r.field("cursor"), "lies beyond \"steps\"");
  try {
    core::validate(race);
  } catch (const Error& e) {
    // What the checks above leave to the engine (a schedule's ranges, the clip threshold).
    throw Error("landscape." + e.field(), e.reason());
  }
  return state;
}

}  // namespace gradscope::app
