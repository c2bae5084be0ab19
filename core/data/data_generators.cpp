// The synthetic data sets of data_generators.h.
#include "core/data/data_generators.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/model/number_text.h"
#include "core/model/random.h"

namespace gradscope::core {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// Circle: the inner class fills radius [0, 0.5], the outer class the ring [0.7, 1], as the
// TensorFlow Playground's circle scaled to unit radius.
constexpr double kCircleInnerRadius = 0.5;
constexpr double kCircleOuterMin = 0.7;
constexpr double kCircleOuterMax = 1.0;
// Xor: points keep this distance from both axes, so the quadrant (the label) is unambiguous
// without noise (the Playground's padding of 0.3 on its range of 5).
constexpr double kXorPadding = 0.05;
// Blobs: class centres sit evenly on a circle; each blob is an isotropic Gaussian.
constexpr double kBlobCentreRadius = 0.7;
constexpr double kBlobSpread = 0.12;
// Spirals: each arm turns 1.75 times while its radius grows from 0 to 1 (Playground).
constexpr double kSpiralTurns = 1.75;
// Teacher: hidden weights ~ N(0, gain^2 / fan_in). A gain above 1 puts the tanh network just
// past the order-to-chaos boundary (Poole et al. 2016, "Exponential expressivity in deep neural
// networks through transient chaos"), so each extra teacher layer folds the decision surface
// further instead of collapsing it to a nearly linear map.
constexpr double kTeacherGain = 1.5;
constexpr double kTeacherBiasStd = 0.1;
// Teacher samples are pushed through the network in chunks, so a million samples never need
// a million-column activation matrix.
constexpr Index kTeacherChunk = 4096;

template <typename T>
void checkRange(const char* field, T value, T low, T high, const std::string& context = {}) {
  if (value >= low && value <= high) return;
  throw Error(field, "must be between " + formatNumber(double(low)) + " and " +
                         formatNumber(double(high)) + context + ", got " +
                         formatNumber(double(value)));
}

std::vector<std::string> numberedNames(const std::string& prefix, Index count, int first) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count));
  for (Index i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i + first));
  return names;
}

// Targets for class labels: one 0/1 row for two classes, one-hot rows otherwise.
Eigen::MatrixXd classTargets(const std::vector<int>& labels, int classes) {
  const Index n = static_cast<Index>(labels.size());
  if (classes == 2) {
    Eigen::MatrixXd targets(1, n);
    for (Index i = 0; i < n; ++i) targets(0, i) = labels[static_cast<std::size_t>(i)];
    return targets;
  }
  Eigen::MatrixXd targets = Eigen::MatrixXd::Zero(classes, n);
  for (Index i = 0; i < n; ++i) targets(labels[static_cast<std::size_t>(i)], i) = 1.0;
  return targets;
}

Dataset classificationSet(Eigen::MatrixXd inputs, const std::vector<int>& labels, int classes,
                          std::vector<std::string> classNames) {
  Dataset data;
  data.inputs = std::move(inputs);
  data.targets = classTargets(labels, classes);
  data.task = classes == 2 ? TaskKind::Binary : TaskKind::MultiClass;
  data.featureNames = numberedNames("x", data.inputs.rows(), 1);
  data.classNames = std::move(classNames);
  return data;
}

// One clean 2-D point of class `label`, drawn with `shape`.
std::array<double, 2> planePoint(const DataSpec& spec, int label, Rng& shape) {
  switch (spec.kind) {
    case DatasetKind::Circle: {
      const double radius = label == 0 ? shape.uniform(0.0, kCircleInnerRadius)
                                       : shape.uniform(kCircleOuterMin, kCircleOuterMax);
      const double angle = shape.uniform(0.0, kTwoPi);
      return {radius * std::cos(angle), radius * std::sin(angle)};
    }
    case DatasetKind::Xor: {
      // Class 1 = same signs (x * y > 0), as the Playground's xor.
      const double signX = shape.below(2) == 0 ? -1.0 : 1.0;
      const double signY = label == 1 ? signX : -signX;
      return {signX * shape.uniform(kXorPadding, 1.0), signY * shape.uniform(kXorPadding, 1.0)};
    }
    case DatasetKind::Blobs: {
      const double angle = kTwoPi * label / spec.classes;
      return {kBlobCentreRadius * std::cos(angle) + kBlobSpread * shape.normal(),
              kBlobCentreRadius * std::sin(angle) + kBlobSpread * shape.normal()};
    }
    case DatasetKind::Spirals: {
      const double t = shape.uniform();
      const double angle = kSpiralTurns * kTwoPi * t + kTwoPi * label / spec.classes;
      return {t * std::cos(angle), t * std::sin(angle)};
    }
    case DatasetKind::Moons: {
      // scikit-learn's make_moons, (x - 0.5) / 1.5 and (y - 0.25) / 1.5 so x spans [-1, 1].
      const double angle = shape.uniform(0.0, std::numbers::pi);
      const double x = label == 0 ? std::cos(angle) : 1.0 - std::cos(angle);
      const double y = label == 0 ? std::sin(angle) : 0.5 - std::sin(angle);
      return {(x - 0.5) / 1.5, (y - 0.25) / 1.5};
    }
    default:
      break;
  }
  throw Error("kind", "not a 2-D classification data set");
}

std::vector<std::string> planeClassNames(const DataSpec& spec) {
  switch (spec.kind) {
    case DatasetKind::Circle:
      return {"inner", "outer"};
    case DatasetKind::Xor:
      return {"opposite signs", "same signs"};
    case DatasetKind::Moons:
      return {"upper moon", "lower moon"};
    default:
      return numberedNames("class ", spec.classes, 0);
  }
}

Dataset generatePlane(const DataSpec& spec, Rng& shape, Rng& jitter) {
  const int classes = spec.classCount();
  Eigen::MatrixXd inputs(2, spec.samples);
  std::vector<int> labels(static_cast<std::size_t>(spec.samples));
  for (Index i = 0; i < spec.samples; ++i) {
    const int label = static_cast<int>(i % classes);
    labels[static_cast<std::size_t>(i)] = label;
    const auto [x, y] = planePoint(spec, label, shape);
    inputs(0, i) = x;
    inputs(1, i) = y;
  }
  if (spec.noise > 0.0)
    for (Index i = 0; i < spec.samples; ++i)
      for (Index r = 0; r < 2; ++r) inputs(r, i) += spec.noise * jitter.normal();
  return classificationSet(std::move(inputs), labels, classes, planeClassNames(spec));
}

Dataset generateRegression(const DataSpec& spec, Rng& shape, Rng& jitter) {
  const Index inputs = spec.kind == DatasetKind::Sine ? 1 : 2;
  Dataset data;
  data.task = TaskKind::Regression;
  data.inputs.resize(inputs, spec.samples);
  data.targets.resize(1, spec.samples);
  for (Index i = 0; i < spec.samples; ++i) {
    for (Index r = 0; r < inputs; ++r) data.inputs(r, i) = shape.uniform(-1.0, 1.0);
    // Sine: one full period over [-1, 1]. Plane: the Playground's (x1 + x2) / 2 scaled plane.
    data.targets(0, i) = spec.kind == DatasetKind::Sine
                             ? std::sin(std::numbers::pi * data.inputs(0, i))
                             : 0.5 * (data.inputs(0, i) + data.inputs(1, i));
  }
  if (spec.noise > 0.0)
    for (Index i = 0; i < spec.samples; ++i) data.targets(0, i) += spec.noise * jitter.normal();
  data.featureNames = inputs == 1 ? std::vector<std::string>{"x"} : numberedNames("x", 2, 1);
  return data;
}

Eigen::MatrixXd normalMatrix(Index rows, Index cols, double stddev, Rng& rng) {
  Eigen::MatrixXd m(rows, cols);
  // Column-major fill: the order is part of the determinism contract.
  for (Index c = 0; c < cols; ++c)
    for (Index r = 0; r < rows; ++r) m(r, c) = stddev * rng.normal();
  return m;
}

// The teacher: x ~ N(0, I) in `features` dimensions, then `teacherDepth` hidden layers
// h = tanh(W h + b), then a linear read-out with `outputs` units. Each output row is
// standardised over the data set (mean 0, std 1) and `noise` * N(0, 1) is added. Labels:
//  - 2 classes: output above its median -> class 1 (so the classes are exactly balanced);
//  - k > 2 classes: argmax over the k standardised outputs (roughly balanced);
//  - regression: the standardised output itself.
Dataset generateTeacher(const DataSpec& spec, Rng& network, Rng& shape, Rng& jitter) {
  const int classes = spec.classCount();
  const Index outputs = classes > 2 ? classes : 1;
  const Index n = spec.samples;

  std::vector<Eigen::MatrixXd> weights;
  std::vector<Eigen::VectorXd> biases;
  Index fanIn = spec.features;
  for (int layer = 0; layer <= spec.teacherDepth; ++layer) {
    const bool readOut = layer == spec.teacherDepth;
    const Index units = readOut ? outputs : spec.teacherWidth;
    const double gain = readOut ? 1.0 : kTeacherGain;
    weights.push_back(normalMatrix(units, fanIn, gain / std::sqrt(double(fanIn)), network));
    biases.push_back(readOut ? Eigen::VectorXd::Zero(units)
                             : Eigen::VectorXd(normalMatrix(units, 1, kTeacherBiasStd, network)));
    fanIn = units;
  }

  Eigen::MatrixXd inputs = normalMatrix(spec.features, n, 1.0, shape);
  Eigen::MatrixXd scores(outputs, n);
  for (Index start = 0; start < n; start += kTeacherChunk) {
    const Index count = std::min(kTeacherChunk, n - start);
    Eigen::MatrixXd h = inputs.middleCols(start, count);
    for (std::size_t layer = 0; layer < weights.size(); ++layer) {
      Eigen::MatrixXd z = weights[layer] * h;
      z.colwise() += biases[layer];
      h = layer + 1 < weights.size() ? Eigen::MatrixXd(z.array().tanh()) : z;
    }
    scores.middleCols(start, count) = h;
  }
  for (Index r = 0; r < outputs; ++r) {
    const double mean = scores.row(r).mean();
    const double var = (scores.row(r).array() - mean).square().mean();
    // A degenerate (constant) teacher output is only centred, never divided by zero.
    const double scale = var > 0.0 ? 1.0 / std::sqrt(var) : 1.0;
    scores.row(r) = (scores.row(r).array() - mean) * scale;
  }
  if (spec.noise > 0.0)
    for (Index i = 0; i < n; ++i)
      for (Index r = 0; r < outputs; ++r) scores(r, i) += spec.noise * jitter.normal();

  if (spec.teacherRegression) {
    Dataset data;
    data.task = TaskKind::Regression;
    data.inputs = std::move(inputs);
    data.targets = std::move(scores);
    data.featureNames = numberedNames("x", spec.features, 1);
    return data;
  }
  std::vector<int> labels(static_cast<std::size_t>(n));
  if (classes == 2) {
    std::vector<double> sorted(scores.data(), scores.data() + n);
    const auto middle = sorted.begin() + n / 2;
    std::nth_element(sorted.begin(), middle, sorted.end());
    for (Index i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = scores(0, i) >= *middle;
  } else {
    for (Index i = 0; i < n; ++i) {
      Index best = 0;
      scores.col(i).maxCoeff(&best);
      labels[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
  }
  return classificationSet(std::move(inputs), labels, classes, numberedNames("class ", classes, 0));
}

constexpr std::array<std::string_view, 8> kKindNames = {"circle", "xor",  "blobs", "spirals",
                                                        "moons",  "sine", "plane", "teacher"};

}  // namespace

std::string_view toString(DatasetKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

std::optional<DatasetKind> datasetKindFromString(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == name) return static_cast<DatasetKind>(i);
  return std::nullopt;
}

bool isBuiltinDataset(std::string_view name) {
  for (const std::string_view known : kBuiltinDatasets)
    if (name == known) return true;
  return false;
}

void DataSpec::validate() const {
  if (!builtin.empty() && !isBuiltinDataset(builtin))
    throw Error("builtin", "unknown built-in data set '" + builtin + "'");
  if (static_cast<std::size_t>(kind) >= kKindNames.size())
    throw Error("kind", "unknown data set kind " + std::to_string(static_cast<int>(kind)));
  checkRange("samples", samples, kMinSamples, kMaxSamples);
  // The negated test also refuses NaN.
  if (!(noise >= 0.0 && noise <= kMaxNoise))
    throw Error("noise", "must be between 0 and " + formatNumber(kMaxNoise) + ", got " +
                             formatNumber(noise));
  if (!(secondFeatureScale >= kMinFeatureScale && secondFeatureScale <= kMaxFeatureScale))
    throw Error("secondFeatureScale", "must be between " + formatNumber(kMinFeatureScale) +
                                          " and " + formatNumber(kMaxFeatureScale) + ", got " +
                                          formatNumber(secondFeatureScale));
  if (kind == DatasetKind::Blobs || kind == DatasetKind::Spirals)
    checkRange("classes", classes, 2, kMaxPlaneClasses,
               std::string(" for ") + std::string(toString(kind)));
  if (kind != DatasetKind::Teacher) return;
  if (!teacherRegression)
    checkRange("classes", classes, 2, kMaxTeacherClasses, std::string(" for teacher"));
  checkRange("features", features, 1, kMaxFeatures);
  checkRange("teacherDepth", teacherDepth, 1, kMaxTeacherDepth);
  checkRange("teacherWidth", teacherWidth, 1, kMaxTeacherWidth);
  if (samples * features > kMaxTeacherValues)
    throw Error("features", "samples x features must not exceed " +
                                std::to_string(kMaxTeacherValues) + " (got " +
                                std::to_string(samples) + " x " + std::to_string(features) +
                                "); reduce samples or features");
}

TaskKind DataSpec::task() const {
  const int k = classCount();
  return k == 0 ? TaskKind::Regression : k == 2 ? TaskKind::Binary : TaskKind::MultiClass;
}

int DataSpec::classCount() const {
  switch (kind) {
    case DatasetKind::Sine:
    case DatasetKind::Plane:
      return 0;
    case DatasetKind::Blobs:
    case DatasetKind::Spirals:
      return classes;
    case DatasetKind::Teacher:
      return teacherRegression ? 0 : classes;
    default:
      return 2;
  }
}

Index DataSpec::inputCount() const {
  switch (kind) {
    case DatasetKind::Sine:
      return 1;
    case DatasetKind::Teacher:
      return features;
    default:
      return 2;
  }
}

Dataset generate(const DataSpec& spec) {
  spec.validate();
  // Independent streams: the network, the clean points and the noise never share draws, so
  // changing the noise leaves the clean data set (and the teacher) unchanged.
  Rng root(spec.seed);
  Rng network = root.split();
  Rng shape = root.split();
  Rng jitter = root.split();
  Dataset data = [&] {
    switch (spec.kind) {
      case DatasetKind::Sine:
      case DatasetKind::Plane:
        return generateRegression(spec, shape, jitter);
      case DatasetKind::Teacher:
        return generateTeacher(spec, network, shape, jitter);
      default:
        return generatePlane(spec, shape, jitter);
    }
  }();
  // After the targets: the same problem, only seen through a stretched second feature.
  if (spec.secondFeatureScale != 1.0 && data.inputs.rows() >= 2) {
    data.inputs.row(1) *= spec.secondFeatureScale;
  }
  return data;
}

}  // namespace gradscope::core
