#include "app/sessions/run_state_json.h"

#include <cmath>

namespace gradscope::app {

using core::Error;
using core::TrainerState;

namespace {

constexpr std::int64_t kMaxCounter = std::int64_t(1) << 52;
constexpr std::int64_t kMaxBuffers = 100'000;

ArrayPrecision arrayPrecision(core::Precision precision) {
  return precision == core::Precision::Float64 ? ArrayPrecision::Float64 : ArrayPrecision::Float32;
}

QJsonObject vectorJson(const Eigen::VectorXd& v, core::Precision precision) {
  return encodeArray(v.data(), v.size(), arrayPrecision(precision));
}

Eigen::VectorXd toVector(const std::vector<double>& values) {
  return Eigen::Map<const Eigen::VectorXd>(values.data(), Eigen::Index(values.size()));
}

QJsonObject rngJson(const core::RngSnapshot& rng) {
  QJsonArray words;
  for (std::uint64_t w : rng.words) {
    words.append(QStringLiteral("%1").arg(qulonglong(w), 16, 16, QLatin1Char('0')));
  }
  QJsonObject json;
  json.insert(QStringLiteral("words"), words);
  json.insert(QStringLiteral("spare_normal"), rng.hasSpare ? QJsonValue(rng.spare) : QJsonValue());
  return json;
}

core::RngSnapshot rngFromJson(const JsonFields& json, core::RngSnapshot rng) {
  json.rejectUnknown({"words", "spare_normal"});
  if (const auto words = json.array("words", 4)) {
    if (words->size() != 4) throw Error(json.field(QStringLiteral("words")), "expected 4 words");
    for (int i = 0; i < 4; ++i) {
      const std::string at = json.field(QStringLiteral("words")) + "[" + std::to_string(i) + "]";
      const QString text = (*words)[i].toString();
      bool ok = false;
      const qulonglong w = text.toULongLong(&ok, 16);
      if (!(*words)[i].isString() || !ok || text.size() != 16) {
        throw Error(at, "expected 16 hexadecimal digits");
      }
      rng.words[std::size_t(i)] = w;
    }
    if (rng.words == core::Rng::State{}) {
      throw Error(json.field(QStringLiteral("words")), "must not all be zero");
    }
  }
  if (json.has("spare_normal")) {
    const QJsonValue spare = json.value("spare_normal");
    rng.hasSpare = !spare.isNull();
    rng.spare = rng.hasSpare ? json.number("spare_normal", 0.0) : 0.0;
  }
  return rng;
}

const char* stopReasonName(core::StopReason reason) {
  switch (reason) {
    case core::StopReason::None:
      return "none";
    case core::StopReason::EpochsCompleted:
      return "epochs_completed";
    case core::StopReason::EarlyStopping:
      return "early_stopping";
  }
  return "none";
}

QJsonObject lastEpochJson(const core::EpochRecord& e) {
  QJsonObject json;
  json.insert(QStringLiteral("epoch"), e.epoch);
  json.insert(QStringLiteral("last_step"), qint64(e.lastStep));
  json.insert(QStringLiteral("loss"), extendedNumber(e.loss));
  json.insert(QStringLiteral("accuracy"), extendedNumber(e.accuracy));
  if (e.validation) {
    json.insert(QStringLiteral("val_loss"), extendedNumber(e.validation->loss));
    json.insert(QStringLiteral("val_accuracy"), extendedNumber(e.validation->accuracy));
  }
  json.insert(QStringLiteral("learning_rate"), extendedNumber(e.learningRate));
  json.insert(QStringLiteral("learning_rate_reduced"), e.learningRateReduced);
  json.insert(QStringLiteral("improved"), e.improved);
  return json;
}

core::EpochRecord lastEpochFromJson(const JsonFields& json) {
  json.rejectUnknown({"epoch", "last_step", "loss", "accuracy", "val_loss", "val_accuracy",
                      "learning_rate", "learning_rate_reduced", "improved"});
  auto extended = [&](const char* key, double fallback) {
    return json.has(key) ? readExtendedNumber(json.value(key), json.field(QLatin1String(key)))
                         : fallback;
  };
  core::EpochRecord e;
  e.epoch = int(json.integer("epoch", 0, 0, core::kMaxEpochs));
  e.lastStep = json.integer("last_step", 0, 0, kMaxCounter);
  e.loss = extended("loss", 0.0);
  e.accuracy = extended("accuracy", std::nan(""));
  if (json.has("val_loss") || json.has("val_accuracy")) {
    e.validation =
        core::Evaluation{extended("val_loss", 0.0), extended("val_accuracy", std::nan(""))};
  }
  e.learningRate = extended("learning_rate", 0.0);
  e.learningRateReduced = json.boolean("learning_rate_reduced", false);
  e.improved = json.boolean("improved", false);
  return e;
}

}  // namespace

QJsonValue extendedNumber(double x) {
  if (std::isnan(x)) return QStringLiteral("nan");
  if (std::isinf(x)) return x > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
  return x;
}

double readExtendedNumber(const QJsonValue& value, const std::string& field) {
  if (value.isDouble()) return value.toDouble();
  if (value.isString()) {
    const QString s = value.toString();
    if (s == QLatin1String("nan")) return std::nan("");
    if (s == QLatin1String("inf")) return HUGE_VAL;
    if (s == QLatin1String("-inf")) return -HUGE_VAL;
  }
  throw Error(field, "expected a number, \"inf\", \"-inf\" or \"nan\"");
}

QJsonObject trainerStateToJson(const TrainerState& s, core::Precision precision) {
  QJsonObject json;
  json.insert(QStringLiteral("parameters"), vectorJson(s.parameters, precision));
  QJsonArray buffers;
  for (const auto& b : s.buffers) {
    QJsonObject buffer;
    buffer.insert(QStringLiteral("layer"), b.layer);
    buffer.insert(QStringLiteral("name"), QString::fromStdString(b.name));
    buffer.insert(QStringLiteral("values"), vectorJson(b.values, precision));
    buffers.append(buffer);
  }
  json.insert(QStringLiteral("buffers"), buffers);

  QJsonObject optimizer;
  optimizer.insert(QStringLiteral("iterations"), qint64(s.optimizer.iterations));
  QJsonObject slotValues;
  for (const auto& slot : s.optimizer.vectors) {
    slotValues.insert(QString::fromStdString(slot.name), vectorJson(slot.values, precision));
  }
  optimizer.insert(QStringLiteral("slots"), slotValues);
  QJsonArray scalars;
  for (double x : s.optimizer.scalars) scalars.append(extendedNumber(x));
  optimizer.insert(QStringLiteral("scalars"), scalars);
  json.insert(QStringLiteral("optimizer"), optimizer);

  json.insert(QStringLiteral("step"), qint64(s.step));
  json.insert(QStringLiteral("epoch"), s.epoch);
  json.insert(QStringLiteral("batch_in_epoch"), qint64(s.batchInEpoch));
  json.insert(QStringLiteral("position_in_epoch"), qint64(s.positionInEpoch));
  // Sample indices below 2^24 are exact in float32, and no data set is that large.
  std::vector<double> order(s.order.begin(), s.order.end());
  json.insert(QStringLiteral("order"), encodeArray(order, ArrayPrecision::Float32));
  json.insert(QStringLiteral("epoch_loss_sum"), s.epochLossSum);
  json.insert(QStringLiteral("epoch_accuracy_sum"), s.epochAccuracySum);
  json.insert(QStringLiteral("epoch_samples"), qint64(s.epochSamples));

  QJsonObject rng;
  rng.insert(QStringLiteral("init"), rngJson(s.initRng));
  rng.insert(QStringLiteral("shuffle"), rngJson(s.shuffleRng));
  rng.insert(QStringLiteral("dropout"), rngJson(s.dropoutRng));
  json.insert(QStringLiteral("rng"), rng);

  json.insert(QStringLiteral("schedule_origin"), qint64(s.scheduleOrigin));
  json.insert(QStringLiteral("learning_rate_scale"), s.learningRateScale);
  json.insert(QStringLiteral("clipped_steps"), qint64(s.clippedSteps));
  if (s.earlyStopping) {
    const auto& e = *s.earlyStopping;
    QJsonObject early;
    early.insert(QStringLiteral("best"), e.best ? extendedNumber(*e.best) : QJsonValue());
    early.insert(QStringLiteral("wait"), qint64(e.wait));
    early.insert(QStringLiteral("best_epoch"), qint64(e.bestEpoch));
    early.insert(QStringLiteral("stopped_epoch"), qint64(e.stoppedEpoch));
    early.insert(QStringLiteral("stopped"), e.stopped);
    early.insert(QStringLiteral("has_best_weights"), e.hasBestWeights);
    json.insert(QStringLiteral("early_stopping"), early);
  }
  if (s.plateau) {
    const auto& p = *s.plateau;
    QJsonObject plateau;
    plateau.insert(QStringLiteral("best"), extendedNumber(p.best));
    plateau.insert(QStringLiteral("wait"), qint64(p.wait));
    plateau.insert(QStringLiteral("cooldown_counter"), qint64(p.cooldownCounter));
    plateau.insert(QStringLiteral("reductions"), qint64(p.reductions));
    plateau.insert(QStringLiteral("last_reduction_epoch"), qint64(p.lastReductionEpoch));
    json.insert(QStringLiteral("plateau"), plateau);
  }
  if (s.bestParameters.size() > 0) {
    json.insert(QStringLiteral("best_parameters"), vectorJson(s.bestParameters, precision));
    QJsonArray best;
    for (const auto& b : s.bestBuffers) best.append(vectorJson(b, precision));
    json.insert(QStringLiteral("best_buffers"), best);
  }
  json.insert(QStringLiteral("stop_reason"), QLatin1String(stopReasonName(s.stopReason)));
  if (s.lastEpoch) json.insert(QStringLiteral("last_epoch"), lastEpochJson(*s.lastEpoch));
  return json;
}

TrainerState trainerStateFromJson(const JsonFields& json, const TrainerState& base) {
  json.rejectUnknown({"parameters",
                      "buffers",
                      "optimizer",
                      "step",
                      "epoch",
                      "batch_in_epoch",
                      "position_in_epoch",
                      "order",
                      "epoch_loss_sum",
                      "epoch_accuracy_sum",
                      "epoch_samples",
                      "rng",
                      "schedule_origin",
                      "learning_rate_scale",
                      "clipped_steps",
                      "early_stopping",
                      "plateau",
                      "best_parameters",
                      "best_buffers",
                      "stop_reason",
                      "last_epoch"});
  TrainerState s = base;
  if (const auto p = json.numbers("parameters", base.parameters.size()))
    s.parameters = toVector(*p);
  if (const auto list = json.array("buffers", kMaxBuffers)) {
    const std::string field = json.field(QStringLiteral("buffers"));
    if (list->size() != qsizetype(base.buffers.size())) {
      throw Error(field, "has " + std::to_string(list->size()) + " buffers, the network has " +
                             std::to_string(base.buffers.size()));
    }
    for (qsizetype i = 0; i < list->size(); ++i) {
      const JsonFields b = JsonFields::of((*list)[i], field + "[" + std::to_string(i) + "]");
      b.rejectUnknown({"layer", "name", "values"});
      core::BufferState& target = s.buffers[std::size_t(i)];
      target.layer = int(b.integer("layer", target.layer, 0, core::kMaxLayers));
      target.name = b.string("name", QString::fromStdString(target.name)).toStdString();
      if (const auto v = b.numbers("values", target.values.size())) target.values = toVector(*v);
    }
  }
  if (const auto o = json.object("optimizer")) {
    o->rejectUnknown({"iterations", "slots", "scalars"});
    s.optimizer.iterations = o->integer("iterations", s.optimizer.iterations, 0, kMaxCounter);
    if (const auto slotValues = o->object("slots")) {
      s.optimizer.vectors.clear();
      const QJsonObject object = o->value("slots").toObject();
      if (object.size() > 8) throw Error(slotValues->path(), "too many optimiser slots");
      for (auto it = object.begin(); it != object.end(); ++it) {
        const auto values =
            readNumbers(it.value(), slotValues->field(it.key()), base.parameters.size());
        s.optimizer.vectors.push_back({it.key().toStdString(), toVector(values)});
      }
    }
    if (const auto scalars = o->array("scalars", 16)) {
      s.optimizer.scalars.clear();
      for (qsizetype i = 0; i < scalars->size(); ++i) {
        s.optimizer.scalars.push_back(readExtendedNumber(
            (*scalars)[i], o->field(QStringLiteral("scalars")) + "[" + std::to_string(i) + "]"));
      }
    }
  }
  s.step = json.integer("step", s.step, 0, kMaxCounter);
  s.epoch = int(json.integer("epoch", s.epoch, 0, core::kMaxEpochs));
  s.batchInEpoch = json.integer("batch_in_epoch", s.batchInEpoch, 0, kMaxCounter);
  s.positionInEpoch = json.integer("position_in_epoch", s.positionInEpoch, 0, kMaxCounter);
  if (const auto order = json.numbers("order", std::int64_t(base.order.size()))) {
    s.order.clear();
    for (std::size_t i = 0; i < order->size(); ++i) {
      const double x = (*order)[i];
      if (std::floor(x) != x) {
        throw Error(json.field(QStringLiteral("order")),
                    "entry " + std::to_string(i) + " is not a whole number");
      }
      // Checked before the conversion: a value beyond int64 (or NaN) has no integer.
      if (!(x >= 0.0 && x < double(order->size()))) {
        throw Error(json.field(QStringLiteral("order")), "entry " + std::to_string(i) +
                                                             " is not a sample index in [0, " +
                                                             std::to_string(order->size()) + ")");
      }
      s.order.push_back(std::int64_t(x));
    }
  }
  s.epochLossSum = json.number("epoch_loss_sum", s.epochLossSum);
  s.epochAccuracySum = json.number("epoch_accuracy_sum", s.epochAccuracySum);
  s.epochSamples = json.integer("epoch_samples", s.epochSamples, 0, kMaxCounter);
  if (const auto rng = json.object("rng")) {
    rng->rejectUnknown({"init", "shuffle", "dropout"});
    if (const auto r = rng->object("init")) s.initRng = rngFromJson(*r, s.initRng);
    if (const auto r = rng->object("shuffle")) s.shuffleRng = rngFromJson(*r, s.shuffleRng);
    if (const auto r = rng->object("dropout")) s.dropoutRng = rngFromJson(*r, s.dropoutRng);
  }
  s.scheduleOrigin = json.integer("schedule_origin", s.scheduleOrigin, 0, kMaxCounter);
  s.learningRateScale = json.number("learning_rate_scale", s.learningRateScale, 0.0);
  s.clippedSteps = json.integer("clipped_steps", s.clippedSteps, 0, kMaxCounter);
  if (const auto e = json.object("early_stopping")) {
    e->rejectUnknown(
        {"best", "wait", "best_epoch", "stopped_epoch", "stopped", "has_best_weights"});
    core::EarlyStoppingState state = s.earlyStopping.value_or(core::EarlyStoppingState{});
    if (e->has("best")) {
      const QJsonValue best = e->value("best");
      state.best = best.isNull() ? std::optional<double>()
                                 : readExtendedNumber(best, e->field(QStringLiteral("best")));
    }
    state.wait = e->integer("wait", state.wait, 0, kMaxCounter);
    state.bestEpoch = e->integer("best_epoch", state.bestEpoch, 0, kMaxCounter);
    state.stoppedEpoch = e->integer("stopped_epoch", state.stoppedEpoch, 0, kMaxCounter);
    state.stopped = e->boolean("stopped", state.stopped);
    state.hasBestWeights = e->boolean("has_best_weights", state.hasBestWeights);
    s.earlyStopping = state;
  }
  if (const auto p = json.object("plateau")) {
    p->rejectUnknown({"best", "wait", "cooldown_counter", "reductions", "last_reduction_epoch"});
    core::PlateauState state = s.plateau.value_or(core::PlateauState{});
    if (p->has("best")) {
      state.best = readExtendedNumber(p->value("best"), p->field(QStringLiteral("best")));
      if (std::isnan(state.best)) throw Error(p->field(QStringLiteral("best")), "must not be nan");
    }
    state.wait = p->integer("wait", state.wait, 0, kMaxCounter);
    state.cooldownCounter = p->integer("cooldown_counter", state.cooldownCounter, 0, kMaxCounter);
    state.reductions = p->integer("reductions", state.reductions, 0, kMaxCounter);
    state.lastReductionEpoch =
        p->integer("last_reduction_epoch", state.lastReductionEpoch, -1, kMaxCounter);
    s.plateau = state;
  }
  if (const auto best = json.numbers("best_parameters", base.parameters.size())) {
    s.bestParameters = toVector(*best);
  }
  if (const auto list = json.array("best_buffers", kMaxBuffers)) {
    s.bestBuffers.clear();
    const std::string field = json.field(QStringLiteral("best_buffers"));
    if (list->size() != qsizetype(base.buffers.size())) {
      throw Error(field, "has " + std::to_string(list->size()) + " buffers, the network has " +
                             std::to_string(base.buffers.size()));
    }
    for (qsizetype i = 0; i < list->size(); ++i) {
      s.bestBuffers.push_back(
          toVector(readNumbers((*list)[i], field + "[" + std::to_string(i) + "]",
                               base.buffers[std::size_t(i)].values.size())));
    }
  }
  if (json.has("stop_reason")) {
    const QString reason = json.string("stop_reason");
    bool known = false;
    for (auto r : {core::StopReason::None, core::StopReason::EpochsCompleted,
                   core::StopReason::EarlyStopping}) {
      if (reason == QLatin1String(stopReasonName(r))) {
        s.stopReason = r;
        known = true;
      }
    }
    if (!known) {
      throw Error(json.field(QStringLiteral("stop_reason")),
                  "expected none, epochs_completed or early_stopping");
    }
  }
  if (const auto e = json.object("last_epoch")) s.lastEpoch = lastEpochFromJson(*e);
  return s;
}

}  // namespace gradscope::app
