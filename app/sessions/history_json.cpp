#include "app/sessions/history_json.h"

#include <cmath>

#include "app/sessions/run_state_json.h"
#include "app/sessions/session_size.h"
#include "core/model/network_spec.h"
#include "core/model/training_settings.h"

namespace gradscope::app {

using core::Error;

namespace {

constexpr std::int64_t kMaxSteps = std::int64_t(1) << 40;
constexpr std::int64_t kMaxFrames = 1'000'000;
constexpr std::int64_t kMaxEvents = 10'000'000;
constexpr int kMaxBins = 10'000;

bool exactStepMetric(StepMetric m) {
  return m == StepMetric::Loss || m == StepMetric::DataLoss || m == StepMetric::LearningRate;
}

constexpr EventKind kEventKinds[] = {EventKind::SettingChanged, EventKind::LearningRateReduced,
                                     EventKind::ClippingBurst,  EventKind::EarlyStop,
                                     EventKind::Diverged,       EventKind::Finished,
                                     EventKind::Reset};

QJsonObject histogramJson(const core::Histogram& h) {
  QJsonObject json;
  json.insert(QStringLiteral("low"), h.low);
  json.insert(QStringLiteral("high"), h.high);
  json.insert(QStringLiteral("below"), qint64(h.below));
  json.insert(QStringLiteral("above"), qint64(h.above));
  std::vector<double> counts(h.counts.begin(), h.counts.end());
  bool small = true;
  for (double c : counts) small = small && c < double(1 << 24);
  json.insert(QStringLiteral("counts"),
              encodeArray(counts, small ? ArrayPrecision::Float32 : ArrayPrecision::Float64));
  return json;
}

core::Histogram histogramFromJson(const JsonFields& json) {
  json.rejectUnknown({"low", "high", "below", "above", "counts"});
  core::Histogram h;
  h.low = json.number("low", 0.0);
  h.high = json.number("high", 0.0);
  h.below = std::uint32_t(json.integer("below", 0, 0, 0xffffffffLL));
  h.above = std::uint32_t(json.integer("above", 0, 0, 0xffffffffLL));
  if (const auto counts = json.numbers("counts")) {
    if (counts->size() > std::size_t(kMaxBins)) {
      throw Error(json.field(QStringLiteral("counts")),
                  "more than " + std::to_string(kMaxBins) + " bins");
    }
    for (std::size_t i = 0; i < counts->size(); ++i) {
      const double c = (*counts)[i];
      if (c < 0 || c > 4294967295.0 || std::floor(c) != c) {
        throw Error(json.field(QStringLiteral("counts")),
                    "bin " + std::to_string(i) + " is not a count");
      }
      h.counts.push_back(std::uint32_t(c));
    }
  }
  return h;
}

double extended(const JsonFields& json, const char* key, double fallback) {
  return json.has(key) ? readExtendedNumber(json.value(key), json.field(QLatin1String(key)))
                       : fallback;
}

}  // namespace

const char* eventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::SettingChanged:
      return "setting_changed";
    case EventKind::LearningRateReduced:
      return "learning_rate_reduced";
    case EventKind::ClippingBurst:
      return "clipping_burst";
    case EventKind::EarlyStop:
      return "early_stop";
    case EventKind::Diverged:
      return "diverged";
    case EventKind::Finished:
      return "finished";
    case EventKind::Reset:
      return "reset";
  }
  return "setting_changed";
}

QJsonObject runHistoryToJson(const RunHistory& h) {
  QJsonObject json;
  json.insert(QStringLiteral("first_step"), qint64(h.firstStep));
  json.insert(QStringLiteral("steps"), qint64(h.steps));
  if (h.stepStride > 1) json.insert(QStringLiteral("step_stride"), qint64(h.stepStride));
  QJsonObject steps;
  for (int m = 0; m < kStepMetricCount; ++m) {
    steps.insert(QLatin1String(metricName(StepMetric(m))),
                 encodeArray(h.stepValues[std::size_t(m)], exactStepMetric(StepMetric(m))
                                                               ? ArrayPrecision::Float64
                                                               : ArrayPrecision::Float32));
  }
  json.insert(QStringLiteral("step_metrics"), steps);
  json.insert(QStringLiteral("layers"), h.layers);
  json.insert(QStringLiteral("layer_stride"), qint64(h.layerStride));
  if (h.layers > 0) {
    QJsonObject layers;
    for (int m = 0; m < kLayerMetricCount; ++m) {
      layers.insert(QLatin1String(metricName(LayerMetric(m))),
                    encodeFloatArray(h.layerValues[std::size_t(m)]));
    }
    json.insert(QStringLiteral("layer_metrics"), layers);
  }
  QJsonArray frames;
  for (const HistogramFrame& frame : h.histograms) {
    QJsonObject f;
    f.insert(QStringLiteral("step"), qint64(frame.step));
    QJsonArray layers;
    for (const core::LayerHistograms& l : frame.layers) {
      QJsonObject layer;
      layer.insert(QStringLiteral("preactivation"), histogramJson(l.preActivation));
      layer.insert(QStringLiteral("activation"), histogramJson(l.activation));
      layer.insert(QStringLiteral("gradient_log10"), histogramJson(l.gradientLog10));
      layers.append(layer);
    }
    f.insert(QStringLiteral("layers"), layers);
    frames.append(f);
  }
  json.insert(QStringLiteral("histograms"), frames);
  QJsonArray epochs;
  for (const EpochSample& e : h.epochs) {
    QJsonObject epoch;
    epoch.insert(QStringLiteral("epoch"), e.epoch);
    epoch.insert(QStringLiteral("last_step"), qint64(e.lastStep));
    epoch.insert(QStringLiteral("loss"), extendedNumber(e.loss));
    epoch.insert(QStringLiteral("accuracy"), extendedNumber(e.accuracy));
    epoch.insert(QStringLiteral("val_loss"), extendedNumber(e.valLoss));
    epoch.insert(QStringLiteral("val_accuracy"), extendedNumber(e.valAccuracy));
    epoch.insert(QStringLiteral("learning_rate"), extendedNumber(e.learningRate));
    epoch.insert(QStringLiteral("learning_rate_reduced"), e.learningRateReduced);
    epoch.insert(QStringLiteral("improved"), e.improved);
    epochs.append(epoch);
  }
  json.insert(QStringLiteral("epochs"), epochs);
  QJsonArray events;
  for (const Event& e : h.events) {
    QJsonObject event;
    event.insert(QStringLiteral("step"), qint64(e.step));
    event.insert(QStringLiteral("kind"), QLatin1String(eventKindName(e.kind)));
    event.insert(QStringLiteral("text"), e.text);
    events.append(event);
  }
  json.insert(QStringLiteral("events"), events);
  if (!h.regionCounts.empty()) {
    // Three columns of integers: the step, the count and the grid it was counted on.
    QJsonArray steps, regions, grids;
    for (const RegionCountSample& c : h.regionCounts) {
      steps.append(qint64(c.step));
      regions.append(c.regions);
      grids.append(c.resolution);
    }
    json.insert(QStringLiteral("region_counts"), QJsonObject{{QStringLiteral("steps"), steps},
                                                             {QStringLiteral("regions"), regions},
                                                             {QStringLiteral("grid"), grids}});
  }
  if (!h.sharpness.empty()) {
    QJsonArray sharpness;
    for (const SharpnessSample& e : h.sharpness) {
      QJsonObject sample;
      sample.insert(QStringLiteral("step"), qint64(e.step));
      sample.insert(QStringLiteral("lambda_max"), extendedNumber(e.lambdaMax));
      sample.insert(QStringLiteral("threshold"), extendedNumber(e.threshold));
      sample.insert(QStringLiteral("preconditioned"), e.preconditioned);
      sample.insert(QStringLiteral("formula"), e.formula);
      sharpness.append(sample);
    }
    json.insert(QStringLiteral("sharpness"), sharpness);
  }
  return json;
}

RunHistory runHistoryFromJson(const JsonFields& json) {
  json.rejectUnknown({"first_step", "steps", "step_stride", "step_metrics", "layers",
                      "layer_stride", "layer_metrics", "histograms", "epochs", "events",
                      "region_counts", "sharpness"});
  RunHistory h;
  h.firstStep = json.integer("first_step", 0, 0, kMaxSteps);
  // Restoring a history replays every step into the live history: a claim beyond what a
  // session holds is refused before anything is read.
  h.steps = json.integer("steps", 0, 0, kMaxSessionSteps);
  h.stepStride = json.integer("step_stride", 1, 1, kMaxSessionSteps);
  h.layers = int(json.integer("layers", 0, 0, core::kMaxLayers));
  h.layerStride = json.integer("layer_stride", 1, 1, kMaxSteps);
  const auto steps = json.object("step_metrics");
  if (steps) {
    QStringList known;
    for (int m = 0; m < kStepMetricCount; ++m) known << QLatin1String(metricName(StepMetric(m)));
    steps->rejectUnknown(known);
  }
  for (int m = 0; m < kStepMetricCount; ++m) {
    const char* name = metricName(StepMetric(m));
    std::vector<double>& values = h.stepValues[std::size_t(m)];
    if (steps && steps->has(name)) {
      values = *steps->numbers(name, h.stepBlocks(), true);
    } else {
      values.assign(std::size_t(h.stepBlocks()), std::nan(""));  // not measured
    }
  }
  const std::int64_t blocks = h.blocks();
  const auto layers = json.object("layer_metrics");
  if (layers) {
    QStringList known;
    for (int m = 0; m < kLayerMetricCount; ++m) known << QLatin1String(metricName(LayerMetric(m)));
    layers->rejectUnknown(known);
  }
  for (int m = 0; m < kLayerMetricCount && h.layers > 0; ++m) {
    const char* name = metricName(LayerMetric(m));
    std::vector<float>& values = h.layerValues[std::size_t(m)];
    if (layers && layers->has(name)) {
      // The claim blocks x layers is checked against the text before anything is decoded.
      const auto read = *layers->numbers(name, blocks * h.layers, true);
      values.assign(read.begin(), read.end());
    } else {
      values.assign(std::size_t(blocks * h.layers), std::numeric_limits<float>::quiet_NaN());
    }
  }
  if (const auto frames = json.array("histograms", kMaxFrames)) {
    const std::string field = json.field(QStringLiteral("histograms"));
    std::int64_t previous = -1;
    for (qsizetype i = 0; i < frames->size(); ++i) {
      const std::string at = field + "[" + std::to_string(i) + "]";
      const JsonFields f = JsonFields::of((*frames)[i], at);
      f.rejectUnknown({"step", "layers"});
      HistogramFrame frame;
      frame.step = f.integer("step", 0, 0, kMaxSteps * 2);
      if (frame.step <= previous) throw Error(at + ".step", "frames must be in increasing steps");
      previous = frame.step;
      if (const auto list = f.array("layers", h.layers)) {
        for (qsizetype l = 0; l < list->size(); ++l) {
          const JsonFields layer = JsonFields::of(
              (*list)[l], f.field(QStringLiteral("layers")) + "[" + std::to_string(l) + "]");
          layer.rejectUnknown({"preactivation", "activation", "gradient_log10"});
          core::LayerHistograms lh;
          if (const auto x = layer.object("preactivation"))
            lh.preActivation = histogramFromJson(*x);
          if (const auto x = layer.object("activation")) lh.activation = histogramFromJson(*x);
          if (const auto x = layer.object("gradient_log10"))
            lh.gradientLog10 = histogramFromJson(*x);
          frame.layers.push_back(std::move(lh));
        }
      }
      h.histograms.push_back(std::move(frame));
    }
  }
  if (const auto epochs = json.array("epochs", core::kMaxEpochs + 1)) {
    const std::string field = json.field(QStringLiteral("epochs"));
    for (qsizetype i = 0; i < epochs->size(); ++i) {
      const JsonFields e = JsonFields::of((*epochs)[i], field + "[" + std::to_string(i) + "]");
      e.rejectUnknown({"epoch", "last_step", "loss", "accuracy", "val_loss", "val_accuracy",
                       "learning_rate", "learning_rate_reduced", "improved"});
      EpochSample s;
      s.epoch = int(e.integer("epoch", 0, 0, core::kMaxEpochs));
      s.lastStep = e.integer("last_step", 0, 0, kMaxSteps * 2);
      s.loss = extended(e, "loss", std::nan(""));
      s.accuracy = extended(e, "accuracy", std::nan(""));
      s.valLoss = extended(e, "val_loss", std::nan(""));
      s.valAccuracy = extended(e, "val_accuracy", std::nan(""));
      s.learningRate = extended(e, "learning_rate", std::nan(""));
      s.learningRateReduced = e.boolean("learning_rate_reduced", false);
      s.improved = e.boolean("improved", false);
      h.epochs.push_back(s);
    }
  }
  if (const auto events = json.array("events", kMaxEvents)) {
    const std::string field = json.field(QStringLiteral("events"));
    for (qsizetype i = 0; i < events->size(); ++i) {
      const JsonFields e = JsonFields::of((*events)[i], field + "[" + std::to_string(i) + "]");
      e.rejectUnknown({"step", "kind", "text"});
      Event event;
      event.step = e.integer("step", 0, 0, kMaxSteps * 2);
      const QString kind = e.string("kind", QStringLiteral("setting_changed"));
      bool known = false;
      for (EventKind k : kEventKinds) {
        if (kind == QLatin1String(eventKindName(k))) {
          event.kind = k;
          known = true;
        }
      }
      if (!known) throw Error(e.field(QStringLiteral("kind")), "unknown event kind");
      event.text = e.string("text");
      h.events.push_back(event);
    }
  }
  if (const auto counts = json.object("region_counts")) {
    counts->rejectUnknown({"steps", "regions", "grid"});
    const auto steps = counts->array("steps", kMaxEvents);
    const auto regions = counts->array("regions", kMaxEvents);
    const auto grids = counts->array("grid", kMaxEvents);
    const qsizetype n = steps ? steps->size() : 0;
    if ((regions ? regions->size() : 0) != n || (grids ? grids->size() : 0) != n) {
      throw Error(counts->field(QStringLiteral("regions")),
                  "steps, regions and grid must have the same length");
    }
    for (qsizetype i = 0; i < n; ++i) {
      auto integer = [&](const QJsonArray& list, const char* key, double hi) {
        const QJsonValue v = list[i];
        if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() > hi ||
            v.toDouble() != std::floor(v.toDouble())) {
          throw Error(counts->field(QLatin1String(key)) + "[" + std::to_string(i) + "]",
                      "expected a whole number in [0, " + std::to_string(std::int64_t(hi)) + "]");
        }
        return std::int64_t(v.toDouble());
      };
      RegionCountSample c;
      c.step = integer(*steps, "steps", double(kMaxSteps * 2));
      c.regions = int(integer(*regions, "regions", 1e9));
      c.resolution = int(integer(*grids, "grid", 1e5));
      h.regionCounts.push_back(c);
    }
  }
  if (const auto sharpness = json.array("sharpness", kMaxSessionSteps)) {
    const std::string field = json.field(QStringLiteral("sharpness"));
    std::int64_t previous = -1;
    for (qsizetype i = 0; i < sharpness->size(); ++i) {
      const JsonFields e = JsonFields::of((*sharpness)[i], field + "[" + std::to_string(i) + "]");
      e.rejectUnknown({"step", "lambda_max", "threshold", "preconditioned", "formula"});
      SharpnessSample sample;
      sample.step = e.integer("step", 0, 0, kMaxSteps * 2);
      if (sample.step <= previous)
        throw Error(e.field(QStringLiteral("step")), "must be after the previous estimate's");
      previous = sample.step;
      sample.lambdaMax = extended(e, "lambda_max", std::nan(""));
      sample.threshold = extended(e, "threshold", std::nan(""));
      sample.preconditioned = e.boolean("preconditioned", false);
      sample.formula = e.string("formula");
      h.sharpness.push_back(sample);
    }
  }
  return h;
}

}  // namespace gradscope::app
