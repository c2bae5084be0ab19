// Every probe quantity against the plainest possible computation. A small network trains a
// few steps; at each one the test recomputes, with loops over the weight and activation
// matrices in double precision, what the probes report and compares exactly (counts) or to
// rounding (sums): per-tensor and per-layer gradient norms (kernel and bias), the global norm
// before and after clipping, weight norms and update ratios, the optimiser-state mean, the
// activation's input and output mean and deviation, saturated, inactive and dead shares (per
// element, per batch, over the last epoch), histogram bins and edges, and BatchNorm's batch
// and moving statistics. Rows cover every activation, BatchNorm absent, before and after the
// activation, and dropout off and on.
//
// The reference owns its forward pass: it reads the parameters by walking the spec (not the
// network's layout) and recomputes every Dense product, BatchNorm and activation. It takes
// only two things from the engine: which units dropout dropped (a random mask) and the
// gradient vector (backpropagation is checked against finite differences in
// tst_gradient_check); the pre-clip gradient comes from a copy of the trainer run without
// clipping.
#include <QtTest>

#include <cmath>
#include <vector>

#include "core/model/experiment_config.h"
#include "core/model/trainer.h"
#include "core/probes/probes.h"

using namespace gradscope::core;

namespace {

using Grid = std::vector<std::vector<double>>;  // [row][column], one sample per column

struct Case {
  ActivationKind activation = ActivationKind::Relu;
  BatchNormPlacement batchNorm = BatchNormPlacement::None;
  double dropout = 0.0;
  TaskKind task = TaskKind::Regression;
  ClipMode clip = ClipMode::None;
};

constexpr Index kInputs = 3;
constexpr Index kWidth = 5;
constexpr Index kSamples = 12;
constexpr Index kBatch = 4;  // three steps per epoch
constexpr int kSteps = 8;    // into the third epoch, so the last-epoch dead share is seen twice
constexpr double kLeakySlope = 0.2;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// f(z) and f'(z) by their textbook formulas (Keras's definitions).
double apply(ActivationKind kind, double z) {
  switch (kind) {
    case ActivationKind::Linear:
      return z;
    case ActivationKind::Sigmoid:
      return sigmoid(z);
    case ActivationKind::Tanh:
      return std::tanh(z);
    case ActivationKind::Relu:
      return z > 0 ? z : 0.0;
    case ActivationKind::LeakyRelu:
      return z > 0 ? z : kLeakySlope * z;
    case ActivationKind::Elu:
      return z > 0 ? z : std::exp(z) - 1.0;
    case ActivationKind::Selu:
      return kSeluScale * (z > 0 ? z : kSeluAlpha * (std::exp(z) - 1.0));
    case ActivationKind::Softmax:
      break;
  }
  return std::nan("");
}

double slope(ActivationKind kind, double z) {
  switch (kind) {
    case ActivationKind::Linear:
      return 1.0;
    case ActivationKind::Sigmoid:
      return sigmoid(z) * (1.0 - sigmoid(z));
    case ActivationKind::Tanh:
      return 1.0 - std::tanh(z) * std::tanh(z);
    case ActivationKind::Relu:
      return z > 0 ? 1.0 : 0.0;
    case ActivationKind::LeakyRelu:
      return z > 0 ? 1.0 : kLeakySlope;
    case ActivationKind::Elu:
      return z > 0 ? 1.0 : std::exp(z);
    case ActivationKind::Selu:
      return z > 0 ? kSeluScale : kSeluScale * kSeluAlpha * std::exp(z);
    case ActivationKind::Softmax:
      break;
  }
  return std::nan("");
}

// The supremum of f'.
double steepest(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::Sigmoid:
    case ActivationKind::Softmax:
      return 0.25;
    case ActivationKind::Selu:
      return kSeluScale * kSeluAlpha;
    default:
      return 1.0;
  }
}

double meanOf(const Grid& g) {
  double sum = 0.0, n = 0.0;
  for (const auto& row : g) {
    for (double v : row) {
      sum += v;
      n += 1.0;
    }
  }
  return sum / n;
}

double deviationOf(const Grid& g) {
  const double mean = meanOf(g);
  double sum = 0.0, n = 0.0;
  for (const auto& row : g) {
    for (double v : row) {
      sum += (v - mean) * (v - mean);
      n += 1.0;
    }
  }
  return std::sqrt(sum / n);
}

// Bin counts by comparing each value with the edges low + k (high - low) / bins.
Histogram binByEdges(const std::vector<double>& values, double low, double high, int bins) {
  Histogram h;
  h.low = low;
  h.high = high;
  h.counts.assign(std::size_t(bins), 0);
  for (double v : values) {
    if (!(v >= low)) {
      ++h.below;
      continue;
    }
    if (v >= high) {
      ++h.above;
      continue;
    }
    for (int k = 0; k < bins; ++k) {
      if (v < low + (high - low) * double(k + 1) / double(bins)) {
        ++h.counts[std::size_t(k)];
        break;
      }
    }
  }
  return h;
}

std::vector<double> flatten(const Grid& g) {
  std::vector<double> out;
  for (const auto& row : g) out.insert(out.end(), row.begin(), row.end());
  return out;
}

// What one Dense layer's probe should say, recomputed.
struct ExpectedLayer {
  int layer = 0;
  double kernelNorm = 0.0, biasNorm = 0.0;
  Grid z, a;  // the non-linearity's input and output
  ActivationKind activation = ActivationKind::Linear;
  std::vector<double> kernelGradient;
  double weightNorm = 0.0, updateRatio = 0.0, optimizerState = 0.0;
};

struct ExpectedBatchNorm {
  int layer = 0;
  std::vector<double> batchMean, batchVariance;
};

// Where each layer's tensors sit in the flat vector, by walking the spec: a Dense layer holds
// its kernel (inputs x units, column-major: element (k, u) at k + u * inputs) then its bias; a
// BatchNorm layer gamma then beta.
struct Offsets {
  std::vector<Index> kernel, bias, gamma, beta;
  Index total = 0;
};

Offsets offsetsOf(const NetworkSpec& spec) {
  Offsets o;
  Index width = spec.inputs, at = 0;
  for (const LayerSpec& layer : spec.layers) {
    o.kernel.push_back(-1);
    o.bias.push_back(-1);
    o.gamma.push_back(-1);
    o.beta.push_back(-1);
    if (layer.kind == LayerKind::Dense) {
      o.kernel.back() = at;
      at += width * layer.units;
      if (layer.useBias) {
        o.bias.back() = at;
        at += layer.units;
      }
      width = layer.units;
    } else if (layer.kind == LayerKind::BatchNormalization) {
      o.gamma.back() = at;
      at += width;
      o.beta.back() = at;
      at += width;
    }
  }
  o.total = at;
  return o;
}

Dataset makeData(TaskKind task, std::uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.task = task;
  d.inputs.resize(kInputs, kSamples);
  for (Index i = 0; i < d.inputs.size(); ++i) d.inputs(i) = 1.5 * rng.normal();
  const Index outputs = task == TaskKind::MultiClass ? 3 : 1;
  d.targets.setZero(outputs, kSamples);
  for (Index j = 0; j < kSamples; ++j) {
    const double s = d.inputs.col(j).sum();
    if (task == TaskKind::Regression) d.targets(0, j) = 0.5 * s;
    if (task == TaskKind::Binary) d.targets(0, j) = s > 0 ? 1.0 : 0.0;
    if (task == TaskKind::MultiClass) d.targets(j % 3, j) = 1.0;
  }
  return d;
}

bool close(double got, double want) {
  if (std::isnan(want)) return std::isnan(got);
  return std::abs(got - want) <= 1e-10 * std::max(1.0, std::abs(want));
}

#define COMPARE_CLOSE(got, want, what)                                                       \
  QVERIFY2(close((got), (want)), qPrintable(QStringLiteral("step %1 layer %2 %3: probe %4, " \
                                                           "reference %5")                   \
                                                .arg(step)                                   \
                                                .arg(layerIndex)                             \
                                                .arg(what)                                   \
                                                .arg((got), 0, 'g', 17)                      \
                                                .arg((want), 0, 'g', 17)))

// The probes take the deviation in one pass, sqrt(E[x^2] - mean^2) (activation_sums.h): its
// rounding is relative to E[x^2], not to the variance, so the variances are compared to
// rounding of the mean square.
bool closeDeviation(double got, double want, double mean) {
  return std::abs(got * got - want * want) <= 1e-12 * (mean * mean + want * want) + 1e-300;
}

#define COMPARE_DEVIATION(got, want, mean, what)                                    \
  QVERIFY2(closeDeviation((got), (want), (mean)),                                   \
           qPrintable(QStringLiteral("step %1 layer %2 %3: probe %4, reference %5") \
                          .arg(step)                                                \
                          .arg(layerIndex)                                          \
                          .arg(what)                                                \
                          .arg((got), 0, 'g', 17)                                   \
                          .arg((want), 0, 'g', 17)))

}  // namespace

class TestProbeReference : public QObject {
  Q_OBJECT
 private slots:
  void everyProbeMatchesTheReference_data() {
    QTest::addColumn<int>("activation");
    QTest::addColumn<int>("batchNorm");
    QTest::addColumn<double>("dropout");
    QTest::addColumn<int>("task");
    QTest::addColumn<int>("clip");
    const ActivationKind activations[] = {ActivationKind::Linear,    ActivationKind::Sigmoid,
                                          ActivationKind::Tanh,      ActivationKind::Relu,
                                          ActivationKind::LeakyRelu, ActivationKind::Elu,
                                          ActivationKind::Selu};
    const BatchNormPlacement placements[] = {BatchNormPlacement::None,
                                             BatchNormPlacement::BeforeActivation,
                                             BatchNormPlacement::AfterActivation};
    const ClipMode clips[] = {ClipMode::None, ClipMode::Value, ClipMode::Norm,
                              ClipMode::GlobalNorm};
    int row = 0;
    for (ActivationKind activation : activations) {
      for (BatchNormPlacement placement : placements) {
        for (double dropout : {0.0, 0.25}) {
          const QString name = QStringLiteral("%1 bn=%2 dropout=%3")
                                   .arg(QString::fromUtf8(toString(activation).data()))
                                   .arg(QString::fromUtf8(toString(placement).data()))
                                   .arg(dropout);
          QTest::newRow(qPrintable(name)) << int(activation) << int(placement) << dropout
                                          << int(TaskKind::Regression) << int(clips[row++ % 4]);
        }
      }
    }
    // Softmax and sigmoid outputs.
    QTest::newRow("softmax output, relu bn=before dropout")
        << int(ActivationKind::Relu) << int(BatchNormPlacement::BeforeActivation) << 0.25
        << int(TaskKind::MultiClass) << int(ClipMode::GlobalNorm);
    QTest::newRow("sigmoid output, tanh bn=after")
        << int(ActivationKind::Tanh) << int(BatchNormPlacement::AfterActivation) << 0.0
        << int(TaskKind::Binary) << int(ClipMode::Norm);
  }

  void everyProbeMatchesTheReference() {
    QFETCH(int, activation);
    QFETCH(int, batchNorm);
    QFETCH(double, dropout);
    QFETCH(int, task);
    QFETCH(int, clip);
    const TaskKind taskKind = TaskKind(task);

    ModelConfig model;
    model.hiddenLayers = 2;
    model.width = kWidth;
    model.hiddenActivation = {ActivationKind(activation)};
    model.batchNorm = BatchNormPlacement(batchNorm);
    model.dropoutRate = dropout;
    const Dataset data = makeData(taskKind, 7);
    const NetworkSpec spec = buildNetworkSpec(model, kInputs, data.outputCount(), taskKind);
    const Offsets at = offsetsOf(spec);

    OptimizerSettings optimizer = OptimizerSettings::defaultsFor(OptimizerKind::Momentum);
    optimizer.learningRate = 0.005;
    TrainingSettings training;
    training.batchSize = kBatch;
    training.epochs = 10;
    training.shuffle = false;
    training.clip = {ClipMode(clip), 0.3};
    Trainer<double> trainer(spec, lossFor(taskKind), data, Dataset{}, optimizer, ScheduleSettings{},
                            training);
    QCOMPARE(trainer.network().parameterCount(), at.total);

    // Wide weights, so that sigmoid and tanh saturate; for ReLU, unit 0 of every hidden layer held
    // off (a very negative bias, or BatchNorm beta when BatchNorm feeds the activation) and unit 1
    // held on, so that dead and live units both occur.
    {
      Rng rng(11);
      Vector<double>& p = trainer.network().parameters();
      const bool saturating = model.hiddenActivation.kind == ActivationKind::Sigmoid ||
                              model.hiddenActivation.kind == ActivationKind::Tanh;
      const double scale = saturating ? 1.5 : 0.5;
      for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec& layer = spec.layers[i];
        if (layer.kind == LayerKind::BatchNormalization && saturating) {
          // BatchNorm's output lies within +-sqrt(batch - 1) of beta: gamma 3 reaches the tails.
          for (Index f = 0; f < kWidth; ++f) p(at.gamma[i] + f) = 3.0;
        }
        if (layer.kind != LayerKind::Dense) continue;
        const Index inputs = i == 0 ? kInputs : kWidth;
        for (Index k = 0; k < inputs * layer.units; ++k) {
          p(at.kernel[i] + k) = scale * rng.normal();
        }
        for (Index u = 0; u < layer.units; ++u) p(at.bias[i] + u) = 0.3 * rng.normal();
        const bool hidden = i + 1 < spec.layers.size();
        if (!hidden || model.hiddenActivation.kind != ActivationKind::Relu) continue;
        const bool bnNext = i + 1 < spec.layers.size() &&
                            spec.layers[i + 1].kind == LayerKind::BatchNormalization &&
                            model.batchNorm == BatchNormPlacement::BeforeActivation;
        const Index off = bnNext ? at.beta[i + 1] : at.bias[i];
        p(off + 0) = -50.0;
        p(off + 1) = 50.0;
      }
    }

    ProbeSettings settings;
    settings.stride = 1;    // every step takes the expensive probes too
    settings.budget = 0.0;  // and never thins them out by time
    Prober<double> prober(settings);
    trainer.setProber(&prober);

    const Matrix<double> inputs = data.inputs;
    std::vector<std::vector<double>> movingMean(spec.layers.size()),
        movingVariance(spec.layers.size());
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
      movingMean[i].assign(std::size_t(kWidth), 0.0);
      movingVariance[i].assign(std::size_t(kWidth), 1.0);
    }
    std::vector<std::vector<bool>> firedThisEpoch(spec.layers.size(),
                                                  std::vector<bool>(std::size_t(kWidth), false));
    std::vector<double> deadLastEpoch(spec.layers.size(), std::nan(""));
    int checkedDead = 0, checkedSaturated = 0;

    for (int step = 0; step < kSteps; ++step) {
      const Index first = trainer.batchInEpoch() * kBatch;
      const Vector<double> before = trainer.network().parameters();
      Trainer<double> unclipped(trainer);
      unclipped.setClip({});
      unclipped.step();
      const Vector<double>& gradient = unclipped.network().gradients();
      const StepRecord record = trainer.step();
      QVERIFY2(record.finite, "the run must stay finite for the probes to measure it");
      const Vector<double>& after = trainer.network().parameters();
      const Network<double>& net = trainer.network();
      const StepProbe& probe = prober.last();
      int layerIndex = -1;

      // --- forward, from the batch and the parameters before the update
      Grid x(static_cast<std::size_t>(kInputs),
             std::vector<double>(static_cast<std::size_t>(kBatch)));
      for (Index k = 0; k < kInputs; ++k) {
        for (Index s = 0; s < kBatch; ++s) x[std::size_t(k)][std::size_t(s)] = inputs(k, first + s);
      }
      std::vector<ExpectedLayer> dense;
      std::vector<ExpectedBatchNorm> norms;
      for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec& layer = spec.layers[i];
        const std::size_t in = x.size();
        Grid y;
        if (layer.kind == LayerKind::Dense) {
          y.assign(std::size_t(layer.units), std::vector<double>(std::size_t(kBatch), 0.0));
          for (Index u = 0; u < layer.units; ++u) {
            for (Index s = 0; s < kBatch; ++s) {
              double z = before(at.bias[i] + u);
              for (std::size_t k = 0; k < in; ++k) {
                z += x[k][std::size_t(s)] * before(at.kernel[i] + Index(k) + u * Index(in));
              }
              y[std::size_t(u)][std::size_t(s)] = z;
            }
          }
          ExpectedLayer e;
          e.layer = int(i);
          e.activation = layer.activation.kind;
          e.z = y;
          if (e.activation == ActivationKind::Softmax) {
            for (Index s = 0; s < kBatch; ++s) {
              double top = -INFINITY, sum = 0.0;
              for (Index u = 0; u < layer.units; ++u) top = std::max(top, y[u][s]);
              for (Index u = 0; u < layer.units; ++u) sum += std::exp(y[u][s] - top);
              for (Index u = 0; u < layer.units; ++u) y[u][s] = std::exp(y[u][s] - top) / sum;
            }
          } else {
            for (auto& row : y) {
              for (double& v : row) v = apply(e.activation, v);
            }
          }
          e.a = y;
          // Gradient norms from the unclipped gradient, element by element.
          double kernel = 0.0, bias = 0.0;
          for (Index k = 0; k < Index(in) * layer.units; ++k) {
            const double g = gradient(at.kernel[i] + k);
            kernel += g * g;
            e.kernelGradient.push_back(g);
          }
          for (Index u = 0; u < layer.units; ++u) bias += std::pow(gradient(at.bias[i] + u), 2);
          e.kernelNorm = std::sqrt(kernel);
          e.biasNorm = std::sqrt(bias);
          double w = 0.0, w0 = 0.0, dw = 0.0, state = 0.0;
          const OptimizerState<double> state0 = trainer.optimizer().state();
          const Vector<double>& slotValues = state0.vectors.back().values;
          for (Index k = 0; k < Index(in) * layer.units; ++k) {
            const Index j = at.kernel[i] + k;
            w += after(j) * after(j);
            w0 += before(j) * before(j);
            dw += (after(j) - before(j)) * (after(j) - before(j));
            state += slotValues(j);
          }
          e.weightNorm = std::sqrt(w);
          e.updateRatio = std::sqrt(dw) / std::sqrt(w0);
          e.optimizerState = state / double(Index(in) * layer.units);
          dense.push_back(std::move(e));
        } else if (layer.kind == LayerKind::BatchNormalization) {
          ExpectedBatchNorm e;
          e.layer = int(i);
          y = x;
          for (std::size_t f = 0; f < in; ++f) {
            double mean = 0.0, variance = 0.0;
            for (double v : x[f]) mean += v / double(kBatch);
            for (double v : x[f]) variance += (v - mean) * (v - mean) / double(kBatch);
            e.batchMean.push_back(mean);
            e.batchVariance.push_back(variance);
            movingMean[i][f] = 0.99 * movingMean[i][f] + 0.01 * mean;
            movingVariance[i][f] = 0.99 * movingVariance[i][f] + 0.01 * variance;
            const double gamma = before(at.gamma[i] + Index(f)),
                         beta = before(at.beta[i] + Index(f));
            for (Index s = 0; s < kBatch; ++s) {
              y[f][std::size_t(s)] =
                  gamma * (x[f][std::size_t(s)] - mean) / std::sqrt(variance + 1e-3) + beta;
            }
          }
          norms.push_back(std::move(e));
        } else if (layer.kind == LayerKind::Activation) {
          // BatchNorm before the activation: the Dense layer above was linear; the
          // non-linearity acts here, on BatchNorm's output.
          ExpectedLayer& owner = dense.back();
          owner.activation = layer.activation.kind;
          owner.z = x;
          y = x;
          for (auto& row : y) {
            for (double& v : row) v = apply(owner.activation, v);
          }
          owner.a = y;
        } else if (layer.kind == LayerKind::Dropout) {
          // The engine's random mask: a kept unit is non-zero (or was zero already).
          const Matrix<double>& kept = net.layerOutput(int(i));
          y = x;
          for (std::size_t f = 0; f < in; ++f) {
            for (Index s = 0; s < kBatch; ++s) {
              y[f][std::size_t(s)] =
                  kept(Index(f), s) != 0.0 ? x[f][std::size_t(s)] / (1.0 - layer.rate) : 0.0;
            }
          }
        }
        // The reference forward reproduces the engine's (else every comparison below is moot).
        const Matrix<double>& engine = net.layerOutput(int(i));
        for (std::size_t r = 0; r < y.size(); ++r) {
          for (Index s = 0; s < kBatch; ++s) {
            QVERIFY2(close(engine(Index(r), s), y[r][std::size_t(s)]),
                     qPrintable(QStringLiteral("step %1: forward of layer %2").arg(step).arg(i)));
          }
        }
        x = y;
      }

      // --- the global norm before and after clipping
      double total = 0.0, clippedTotal = 0.0;
      for (Index j = 0; j < gradient.size(); ++j) total += gradient(j) * gradient(j);
      const Vector<double>& clipped = net.gradients();
      for (Index j = 0; j < clipped.size(); ++j) clippedTotal += clipped(j) * clipped(j);
      COMPARE_CLOSE(record.clip.normBefore, std::sqrt(total), "global norm before clipping");
      COMPARE_CLOSE(record.clip.normAfter, std::sqrt(clippedTotal), "global norm after clipping");
      COMPARE_CLOSE(probe.record.clip.normBefore, std::sqrt(total), "probe's norm before");
      COMPARE_CLOSE(probe.record.clip.normAfter, std::sqrt(clippedTotal), "probe's norm after");
      if (ClipMode(clip) == ClipMode::GlobalNorm) {
        const double factor = std::min(1.0, 0.3 / std::sqrt(total));
        COMPARE_CLOSE(record.clip.normAfter, factor * std::sqrt(total), "global clip");
      }

      // --- per Dense layer
      QCOMPARE(probe.layers.size(), dense.size());
      QVERIFY(probe.strideStep);
      for (std::size_t d = 0; d < dense.size(); ++d) {
        const ExpectedLayer& e = dense[d];
        const LayerProbe& p = probe.layers[d];
        layerIndex = e.layer;
        QCOMPARE(p.layer, e.layer);
        COMPARE_CLOSE(p.kernelGradientNorm, e.kernelNorm, "kernel gradient norm");
        COMPARE_CLOSE(p.biasGradientNorm, e.biasNorm, "bias gradient norm");
        COMPARE_CLOSE(p.gradientNorm, std::hypot(e.kernelNorm, e.biasNorm), "gradient norm");
        COMPARE_CLOSE(p.preActivationMean, meanOf(e.z), "pre-activation mean");
        COMPARE_DEVIATION(p.preActivationStd, deviationOf(e.z), meanOf(e.z),
                          "pre-activation deviation");
        COMPARE_CLOSE(p.activationMean, meanOf(e.a), "activation mean");
        COMPARE_DEVIATION(p.activationStd, deviationOf(e.a), meanOf(e.a), "activation deviation");

        // Saturation: elements (unit, sample) with f' < 0.1 max f'.
        const double threshold = settings.saturationThreshold * steepest(e.activation);
        int saturated = 0, inactive = 0, cells = 0, deadInBatch = 0;
        for (std::size_t u = 0; u < e.z.size(); ++u) {
          bool fired = false;
          for (std::size_t s = 0; s < e.z[u].size(); ++s) {
            const double z = e.z[u][s];
            const double derivative = e.activation == ActivationKind::Softmax
                                          ? e.a[u][s] * (1.0 - e.a[u][s])
                                          : slope(e.activation, z);
            saturated += derivative < threshold;
            inactive += z <= 0.0;
            fired = fired || z > 0.0;
            ++cells;
          }
          deadInBatch += !fired;
          if (fired) firedThisEpoch[std::size_t(e.layer)][u] = true;
        }
        COMPARE_CLOSE(p.saturated, double(saturated) / cells, "saturated share");
        checkedSaturated += saturated > 0;
        if (e.activation == ActivationKind::Relu) {
          COMPARE_CLOSE(p.inactive, double(inactive) / cells, "inactive share");
          COMPARE_CLOSE(p.deadUnits, double(deadInBatch) / double(e.z.size()), "dead in batch");
          COMPARE_CLOSE(p.deadUnitsEpoch, deadLastEpoch[std::size_t(e.layer)],
                        "dead over the last epoch");
          checkedDead += deadInBatch > 0 && std::isfinite(p.deadUnitsEpoch);
        } else {
          QVERIFY(std::isnan(p.inactive));
          QVERIFY(std::isnan(p.deadUnits));
          QVERIFY(std::isnan(p.deadUnitsEpoch));
        }

        COMPARE_CLOSE(p.weightNorm, e.weightNorm, "weight norm");
        COMPARE_CLOSE(p.updateRatio, e.updateRatio, "update ratio");
        COMPARE_CLOSE(p.optimizerState, e.optimizerState, "optimiser state mean");

        QVERIFY(p.histograms.has_value());
        const Histogram z = binByEdges(flatten(e.z), -6.0, 6.0, 60);
        const Histogram a = binByEdges(flatten(e.a), -6.0, 6.0, 60);
        QCOMPARE(p.histograms->preActivation, z);
        QCOMPARE(p.histograms->activation, a);
        // log10 |g| in 70 bins over [-35, 0): compare |g| with the edges 10^(-35 + k / 2).
        Histogram g;
        g.low = -35.0;
        g.high = 0.0;
        g.counts.assign(70, 0);
        for (double v : e.kernelGradient) {
          const double m = std::abs(v);
          if (!(m >= std::pow(10.0, -35.0))) {
            ++g.below;
          } else if (m >= 1.0) {
            ++g.above;
          } else {
            int k = 0;
            while (m >= std::pow(10.0, -35.0 + 0.5 * (k + 1))) ++k;
            ++g.counts[std::size_t(k)];
          }
        }
        QCOMPARE(p.histograms->gradientLog10, g);
      }

      // --- BatchNorm: averages over features of the batch and moving statistics
      QCOMPARE(probe.batchNorms.size(), norms.size());
      for (std::size_t b = 0; b < norms.size(); ++b) {
        const ExpectedBatchNorm& e = norms[b];
        const BatchNormProbe& p = probe.batchNorms[b];
        layerIndex = e.layer;
        QCOMPARE(p.layer, e.layer);
        double mean = 0.0, variance = 0.0, mm = 0.0, mv = 0.0;
        const double n = double(e.batchMean.size());
        for (std::size_t f = 0; f < e.batchMean.size(); ++f) {
          mean += e.batchMean[f] / n;
          variance += e.batchVariance[f] / n;
          mm += movingMean[std::size_t(e.layer)][f] / n;
          mv += movingVariance[std::size_t(e.layer)][f] / n;
        }
        COMPARE_CLOSE(p.batchMean, mean, "batch mean");
        COMPARE_CLOSE(p.batchVariance, variance, "batch variance");
        COMPARE_CLOSE(p.movingMean, mm, "moving mean");
        COMPARE_CLOSE(p.movingVariance, mv, "moving variance");
      }

      // An epoch ended: its dead share is what the next epoch's steps report.
      if (record.epochEnd) {
        for (std::size_t layer = 0; layer < firedThisEpoch.size(); ++layer) {
          int dead = 0;
          for (bool fired : firedThisEpoch[layer]) dead += !fired;
          deadLastEpoch[layer] = double(dead) / double(kWidth);
          firedThisEpoch[layer].assign(std::size_t(kWidth), false);
        }
      }
    }
    // The rows exercise what they claim: dead ReLU units over a finished epoch, saturation.
    if (ActivationKind(activation) == ActivationKind::Relu) QVERIFY(checkedDead > 0);
    if (ActivationKind(activation) == ActivationKind::Sigmoid) QVERIFY(checkedSaturated > 0);
  }
};

QTEST_GUILESS_MAIN(TestProbeReference)
#include "tst_probe_reference.moc"
