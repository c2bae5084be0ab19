#include "app/loss_surface/loss_surface_json.h"

#include <QJsonArray>

#include <cmath>
#include <limits>
#include <string>

#include "core/model/types.h"

namespace gradscope::app {

namespace {

QJsonObject pointToJson(const core::Point2& p) {
  return QJsonObject{{QStringLiteral("x"), p.x()}, {QStringLiteral("y"), p.y()}};
}

core::Point2 pointFromJson(const JsonFields& fields) {
  fields.rejectUnknown({"x", "y"});
  return {fields.number("x", 0.0), fields.number("y", 0.0)};
}

// A finite, non-empty range.
core::ViewRect rectFromJson(const JsonFields& fields) {
  fields.rejectUnknown({"x_min", "x_max", "y_min", "y_max"});
  core::ViewRect r{fields.number("x_min", -1.0), fields.number("x_max", 1.0),
                   fields.number("y_min", -1.0), fields.number("y_max", 1.0)};
  if (!(r.xMax > r.xMin)) throw core::Error(fields.field("x_max"), "must be above x_min");
  if (!(r.yMax > r.yMin)) throw core::Error(fields.field("y_max"), "must be above y_min");
  return r;
}

}  // namespace

QJsonObject lossSurfaceToJson(const core::LossSurface& s) {
  QJsonObject o{{QStringLiteral("mode"), QString::fromUtf8(core::toString(s.mode).data())},
                {QStringLiteral("step"), qint64(s.step)},
                {QStringLiteral("samples"), qint64(s.samples)},
                {QStringLiteral("current_loss"), s.currentLoss}};
  if (s.mode == core::LossSurfaceMode::Interpolation) {
    o.insert(QStringLiteral("line_alpha"), encodeArray(s.lineAlpha, ArrayPrecision::Float64));
    o.insert(QStringLiteral("line_loss"), encodeArray(s.lineLoss, ArrayPrecision::Float64));
    o.insert(QStringLiteral("initial_step"), qint64(s.initialStep));
    return o;
  }
  const core::SurfaceGrid& g = s.map.grid;
  const core::SurfaceScale& scale = s.map.scale;
  o.insert(QStringLiteral("rect"), QJsonObject{{QStringLiteral("x_min"), g.rect.xMin},
                                               {QStringLiteral("x_max"), g.rect.xMax},
                                               {QStringLiteral("y_min"), g.rect.yMin},
                                               {QStringLiteral("y_max"), g.rect.yMax}});
  o.insert(QStringLiteral("columns"), g.columns);
  o.insert(QStringLiteral("rows"), g.rows);
  o.insert(QStringLiteral("values"), encodeArray(g.values, ArrayPrecision::Float64));
  o.insert(QStringLiteral("scale"), QJsonObject{{QStringLiteral("log"), scale.log},
                                                {QStringLiteral("minimum"), scale.minimum},
                                                {QStringLiteral("lo"), scale.lo},
                                                {QStringLiteral("hi"), scale.hi},
                                                {QStringLiteral("dense_log"), scale.denseLog}});
  if (s.mode == core::LossSurfaceMode::RandomSlice) {
    o.insert(QStringLiteral("curvature"),
             QJsonObject{{QStringLiteral("alpha"), s.curvature.alpha},
                         {QStringLiteral("beta"), s.curvature.beta},
                         {QStringLiteral("at"), pointToJson(s.curvature.at)}});
  } else {
    QJsonArray path;
    for (const core::Point2& p : s.path) path.append(pointToJson(p));
    QJsonArray steps;
    for (const std::int64_t step : s.pathSteps) steps.append(qint64(step));
    o.insert(QStringLiteral("path"), path);
    o.insert(QStringLiteral("path_steps"), steps);
    o.insert(QStringLiteral("explained"), QJsonArray{s.explained1, s.explained2});
  }
  return o;
}

core::LossSurface lossSurfaceFromJson(const JsonFields& f) {
  f.rejectUnknown({"mode", "step", "samples", "current_loss", "line_alpha", "line_loss",
                   "initial_step", "rect", "columns", "rows", "values", "scale", "curvature",
                   "path", "path_steps", "explained"});
  core::LossSurface s;
  const QString mode = f.string("mode");
  const auto kind = core::lossSurfaceModeFromString(mode.toStdString());
  if (!kind) {
    throw core::Error(f.field("mode"),
                      "must be random_slice, pca_trajectory or interpolation, not \"" +
                          mode.toStdString() + "\"");
  }
  s.mode = *kind;
  s.step = f.integer("step", 0, 0, std::numeric_limits<std::int64_t>::max());
  s.samples = f.integer("samples", 0, 1, std::numeric_limits<std::int32_t>::max());
  s.currentLoss = f.number("current_loss", 0.0);
  if (s.mode == core::LossSurfaceMode::Interpolation) {
    const auto alpha = f.numbers("line_alpha");
    if (!alpha || alpha->size() < 2) throw core::Error(f.field("line_alpha"), "needs 2 values");
    const auto loss = f.numbers("line_loss", std::int64_t(alpha->size()), true);
    if (!loss) throw core::Error(f.field("line_loss"), "is missing");
    s.lineAlpha = *alpha;
    s.lineLoss = *loss;
    s.initialStep = f.integer("initial_step", 0, 0, s.step);
    return s;
  }
  core::SurfaceGrid grid;
  const auto rect = f.object("rect");
  if (!rect) throw core::Error(f.field("rect"), "is missing");
  grid.rect = rectFromJson(*rect);
  constexpr int kMax = core::LossSurfaceSettings::kMaxResolution;
  grid.columns = int(f.integer("columns", 0, 2, kMax));
  grid.rows = int(f.integer("rows", 0, 2, kMax));
  // Loss may be infinite or NaN where the network diverges: kept as computed.
  const auto values = f.numbers("values", std::int64_t(grid.columns) * grid.rows, true);
  if (!values) throw core::Error(f.field("values"), "is missing");
  grid.values = *values;
  bool any = false;
  for (const double v : grid.values) {
    if (!std::isfinite(v)) continue;
    grid.minValue = any ? std::min(grid.minValue, v) : v;
    grid.maxValue = any ? std::max(grid.maxValue, v) : v;
    any = true;
  }
  const auto scaleFields = f.object("scale");
  if (!scaleFields) throw core::Error(f.field("scale"), "is missing");
  scaleFields->rejectUnknown({"log", "minimum", "lo", "hi", "dense_log"});
  core::SurfaceScale scale;
  scale.log = scaleFields->boolean("log", false);
  scale.minimum = scaleFields->number("minimum", 0.0);
  scale.lo = scaleFields->number("lo", 0.0);
  scale.hi = scaleFields->number("hi", 1.0);
  scale.denseLog = scaleFields->boolean("dense_log", false);
  if (!(scale.hi > scale.lo)) throw core::Error(scaleFields->field("hi"), "must be above lo");
  if (scale.log && !(scale.lo > 0.0)) {
    throw core::Error(scaleFields->field("lo"), "must be positive on a log scale");
  }
  s.map = core::mapSurface(std::move(grid), scale);
  if (s.mode == core::LossSurfaceMode::RandomSlice) {
    const auto curvature = f.object("curvature");
    if (!curvature) throw core::Error(f.field("curvature"), "is missing");
    curvature->rejectUnknown({"alpha", "beta", "at"});
    s.curvature.alpha = curvature->number("alpha", 0.0);
    s.curvature.beta = curvature->number("beta", 0.0);
    if (const auto at = curvature->object("at")) s.curvature.at = pointFromJson(*at);
    return s;
  }
  const auto path = f.array("path", kMaxArrayValues);
  const auto steps = f.array("path_steps", kMaxArrayValues);
  if (!path || !steps) throw core::Error(f.field(path ? "path_steps" : "path"), "is missing");
  if (steps->size() != path->size()) {
    throw core::Error(f.field("path_steps"),
                      "must have one step per path point (" + std::to_string(path->size()) + ")");
  }
  for (qsizetype i = 0; i < path->size(); ++i) {
    s.path.push_back(pointFromJson(
        JsonFields::of(path->at(i), f.field("path") + "[" + std::to_string(i) + "]")));
    const QJsonValue step = steps->at(i);
    if (!step.isDouble() || step.toDouble() < 0 || step.toDouble() != std::floor(step.toDouble()))
      throw core::Error(f.field("path_steps") + "[" + std::to_string(i) + "]",
                        "must be a step number");
    s.pathSteps.push_back(std::int64_t(step.toDouble()));
  }
  const auto explained = f.numbers("explained", 2);
  if (explained) {
    s.explained1 = (*explained)[0];
    s.explained2 = (*explained)[1];
  }
  return s;
}

}  // namespace gradscope::app
