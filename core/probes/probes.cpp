#include "core/probes/probes.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "core/layers/activation_layer.h"
#include "core/layers/batch_norm_layer.h"
#include "core/layers/dense_layer.h"
#include "core/probes/vector_norm.h"

namespace gradscope::core {

void validate(const ProbeSettings& settings) {
  if (!(settings.saturationThreshold > 0.0 && settings.saturationThreshold < 1.0)) {
    throw Error("probes.saturation_threshold", "must be in (0, 1)");
  }
  if (settings.stride < 1 || settings.stride > 100000) {
    throw Error("probes.stride", "must be in [1, 100000]");
  }
  if (!(settings.budget >= 0.0 && settings.budget <= 1.0)) {
    throw Error("probes.budget", "must be in [0, 1]");
  }
}

std::uint32_t Histogram::total() const {
  std::uint32_t sum = below + above;
  for (auto c : counts) sum += c;
  return sum;
}

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Histogram emptyHistogram(double low, double high, int bins) {
  Histogram h;
  h.low = low;
  h.high = high;
  h.counts.assign(std::size_t(bins), 0);
  return h;
}

void add(Histogram& h, double x) {
  if (!(x >= h.low)) {  // also catches NaN
    ++h.below;
  } else if (x >= h.high) {
    ++h.above;
  } else {
    const std::size_t n = h.counts.size();
    const auto edge = [&h, n](std::size_t k) {
      return h.low + (h.high - h.low) * double(k) / double(n);
    };
    auto bin = std::min(std::size_t((x - h.low) / (h.high - h.low) * double(n)), n - 1);
    // The division rounds, so a value at or within rounding of an edge low + k (high - low) / n
    // could land one bin off; the comparison with the edge itself decides (bins are [a, b)).
    if (bin + 1 < n && x >= edge(bin + 1)) {
      ++bin;
    } else if (bin > 0 && x < edge(bin)) {
      --bin;
    }
    ++h.counts[bin];
  }
}

template <typename T>
Histogram valueHistogram(const T* data, Index n) {
  Histogram h = emptyHistogram(kValueHistogramLow, kValueHistogramHigh, kValueHistogramBins);
  for (Index i = 0; i < n; ++i) add(h, double(data[i]));
  return h;
}

// The bin edges of the gradient histogram as magnitudes: 10^(low + k * width).
const std::vector<double>& gradientEdges() {
  static const std::vector<double> edges = [] {
    std::vector<double> e(std::size_t(kGradientHistogramBins) + 1);
    const double width = (kGradientHistogramHigh - kGradientHistogramLow) / kGradientHistogramBins;
    for (std::size_t k = 0; k < e.size(); ++k) {
      e[k] = std::pow(10.0, kGradientHistogramLow + width * double(k));
    }
    return e;
  }();
  return edges;
}

// Bins log10 |g| without a logarithm per element: log2 |g| from the bits (the binary exponent,
// plus a quadratic in the mantissa accurate to 0.01) gives the bin, and a comparison with the
// exact edges corrects the rare values within 0.01 octave of an edge. The histogram is
// taken over every weight of the layer, so this is the probes' most expensive loop: reading
// only the exponent was off by one bin for a third of the values, and the mispredicted
// corrections (and a call to std::frexp) cost four times more.
template <typename T>
Histogram gradientHistogram(const T* data, Index n) {
  Histogram h =
      emptyHistogram(kGradientHistogramLow, kGradientHistogramHigh, kGradientHistogramBins);
  const std::vector<double>& edges = gradientEdges();
  const int bins = kGradientHistogramBins;
  constexpr double kLog10Of2 = 0.30102999566398120;
  const double binsPerLog2 = kLog10Of2 * bins / (kGradientHistogramHigh - kGradientHistogramLow);
  const double lowLog2 = kGradientHistogramLow / kLog10Of2;
  for (Index i = 0; i < n; ++i) {
    const double g = std::abs(double(data[i]));
    if (!(g >= edges.front())) {  // zero, tiny, or NaN
      ++h.below;
      continue;
    }
    if (g >= edges.back()) {
      ++h.above;
      continue;
    }
    // g = m 2^exponent with m in [1, 2): g is a normal double here.
    const auto bits = std::bit_cast<std::uint64_t>(g);
    const int exponent = int((bits >> 52) & 0x7ff) - 1023;
    const double t =
        std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL) - 1.0;
    // log2(1 + t) by the quadratic through t = 0, 1/2 and 1.
    const double log2g = double(exponent) + t * (1.3398500028846247 - 0.3398500028846247 * t);
    int bin = std::clamp(int((log2g - lowLog2) * binsPerLog2), 0, bins - 1);
    while (bin > 0 && g < edges[std::size_t(bin)]) --bin;
    while (bin < bins - 1 && g >= edges[std::size_t(bin) + 1]) ++bin;
    ++h.counts[std::size_t(bin)];
  }
  return h;
}

// Where a Dense layer's non-linearity really acts: its input z, its output a and the function.
// Usually the layer's own pre-activation and output; but with BatchNorm before the activation
// the network is Dense(linear) -> BatchNorm -> Activation, and the activation's input is
// BatchNorm's output, not the Dense product (measuring the product showed negative "ReLU
// activations" and no inactive units).
template <typename T>
struct ActivationSite {
  const Matrix<T>* z;
  const Matrix<T>* a;
  const Activation<T>* activation;
};

template <typename T>
ActivationSite<T> activationSite(const Network<T>& network, int denseIndex) {
  const auto& dense = *network.template layerAs<DenseLayer<T>>(denseIndex);
  if (dense.activation().kind() == ActivationKind::Linear) {
    for (int j = denseIndex + 1; j < network.layerCount(); ++j) {
      if (network.template layerAs<DenseLayer<T>>(j)) break;
      if (const auto* layer = network.template layerAs<ActivationLayer<T>>(j)) {
        return {&network.layerOutput(j - 1), &network.layerOutput(j), &layer->activation()};
      }
    }
  }
  return {&dense.preActivation(), &network.layerOutput(denseIndex), &dense.activation()};
}

}  // namespace

template <typename T>
Prober<T>::Prober(const ProbeSettings& settings) : m_settings(settings) {
  validate(settings);
}

template <typename T>
void Prober<T>::setSettings(const ProbeSettings& settings) {
  validate(settings);
  m_settings = settings;
}

template <typename T>
void Prober<T>::reset() {
  m_probe = StepProbe{};
  m_lastStrideStep = -1;
  m_effectiveStride = m_settings.stride;
  m_stepSeconds = m_strideSeconds = 0.0;
  m_lastCall = -1.0;
  m_activeThisEpoch.clear();
  m_deadLastEpoch.clear();
}

template <typename T>
void Prober<T>::afterBackward(const Network<T>& network, const StepRecord& record,
                              std::span<const double> tensorNorms) {
  // The cost budget: the expensive probes' share of the time between two steps stays below
  // settings.budget by spacing them out (never closer than settings.stride).
  const double start = now();
  if (m_lastCall >= 0.0) {
    const double step = start - m_lastCall;
    m_stepSeconds = m_stepSeconds == 0.0 ? step : 0.9 * m_stepSeconds + 0.1 * step;
  }
  m_lastCall = start;
  m_effectiveStride = m_settings.stride;
  if (m_settings.budget > 0.0 && m_stepSeconds > 0.0 && m_strideSeconds > 0.0) {
    const double needed = m_strideSeconds / (m_settings.budget * m_stepSeconds);
    m_effectiveStride = int(std::clamp(std::ceil(needed), double(m_settings.stride), 1e5));
  }
  m_probe.layers.clear();
  m_probe.batchNorms.clear();
  m_probe.nonFinite.reset();
  m_probe.record = record;
  m_probe.strideStep = m_lastStrideStep < 0 || record.step < m_lastStrideStep ||
                       record.step - m_lastStrideStep >= m_effectiveStride;
  if (m_probe.strideStep) {
    m_lastStrideStep = record.step;
  }
  if (!std::isfinite(record.loss.total())) {
    findNonFinite(network);
    return;
  }
  for (int i = 0; i < network.layerCount(); ++i) {
    if (network.template layerAs<DenseLayer<T>>(i)) {
      LayerProbe probe;
      probe.layer = i;
      probeLayer(network, i, probe, m_probe.strideStep, tensorNorms);
      m_probe.layers.push_back(std::move(probe));
    } else if (const auto* bn = network.template layerAs<BatchNormLayer<T>>(i)) {
      BatchNormProbe probe;
      probe.layer = i;
      probe.batchMean = double(bn->batchMean().mean());
      probe.batchVariance = double(bn->batchVariance().mean());
      probe.movingMean = double(bn->movingMean().mean());
      probe.movingVariance = double(bn->movingVariance().mean());
      m_probe.batchNorms.push_back(probe);
    }
  }
  for (const LayerProbe& probe : m_probe.layers) {
    if (!std::isfinite(probe.gradientNorm)) {
      findNonFinite(network);
      break;
    }
  }
  if (m_probe.strideStep) {
    const double copyStart = now();
    m_before = network.parameters();
    m_strideWork += now() - copyStart;
  }
}

template <typename T>
void Prober<T>::probeLayer(const Network<T>& network, int layerIndex, LayerProbe& probe,
                           bool stride, std::span<const double> tensorNorms) {
  double kernelSq = 0.0, biasSq = 0.0;
  const ParameterLayout& layout = network.layout();
  const bool given = tensorNorms.size() == layout.size();
  for (std::size_t k = 0; k < layout.size(); ++k) {
    const ParameterTensor& tensor = layout[k];
    if (tensor.layer != layerIndex) continue;
    const double n =
        given ? tensorNorms[k] : l2Norm(network.gradients().data() + tensor.offset, tensor.size);
    (tensor.role == TensorRole::Kernel ? kernelSq : biasSq) += n * n;
  }
  probe.kernelGradientNorm = std::sqrt(kernelSq);
  probe.biasGradientNorm = std::sqrt(biasSq);
  probe.gradientNorm = std::sqrt(kernelSq + biasSq);

  measureActivations(network, layerIndex, probe);

  if (stride && m_settings.histograms) {
    const ActivationSite<T> site = activationSite(network, layerIndex);
    const Matrix<T>& z = *site.z;
    const Matrix<T>& a = *site.a;
    const double histogramStart = now();
    LayerHistograms h;
    h.preActivation = valueHistogram(z.data(), z.size());
    h.activation = valueHistogram(a.data(), a.size());
    for (const ParameterTensor& tensor : network.layout()) {
      if (tensor.layer == layerIndex && tensor.role == TensorRole::Kernel) {
        h.gradientLog10 =
            gradientHistogram(network.gradients().data() + tensor.offset, tensor.size);
      }
    }
    probe.histograms = std::move(h);
    m_strideWork += now() - histogramStart;
  }
}

template <typename T>
void Prober<T>::measureActivations(const Network<T>& network, int layerIndex, LayerProbe& probe) {
  const ActivationSite<T> site = activationSite(network, layerIndex);
  const Matrix<T>& z = *site.z;
  const Matrix<T>& a = *site.a;
  const Activation<T>& activation = *site.activation;
  const T threshold = T(m_settings.saturationThreshold * activation.maxDerivative());
  const ActivationSums sums = activation.sums(z, a, threshold, m_derivative);
  probe.preActivationMean = sums.zMean();
  probe.preActivationStd = sums.zStd();
  probe.activationMean = sums.aMean();
  probe.activationStd = sums.aStd();
  const double cells = std::max<double>(1.0, double(z.size()));
  probe.saturated = double(sums.derivativeBelow) / cells;

  if (activation.hasDeadZone()) {
    // For ReLU f'(z) = 0 exactly where z <= 0 and 1 elsewhere; the threshold lies strictly
    // between (validate(ProbeSettings)), so the saturated elements are the inactive ones.
    probe.inactive = probe.saturated;
    const auto activeUnits = (z.array() > T(0)).rowwise().any();
    probe.deadUnits = 1.0 - double(activeUnits.count()) / double(z.rows());
    // Track which units fired at least once this epoch.
    const std::size_t slot = std::size_t(layerIndex);
    if (m_activeThisEpoch.size() <= slot) m_activeThisEpoch.resize(slot + 1);
    auto& active = m_activeThisEpoch[slot];
    if (active.size() != std::size_t(z.rows())) active.assign(std::size_t(z.rows()), false);
    for (Index u = 0; u < z.rows(); ++u) {
      if (activeUnits(u)) active[std::size_t(u)] = true;
    }
    if (m_deadLastEpoch.size() > slot) probe.deadUnitsEpoch = m_deadLastEpoch[slot];
  }
}

template <typename T>
void Prober<T>::afterUpdate(const Network<T>& network, const Optimizer<T>& optimizer,
                            const StepRecord& record) {
  m_probe.record = record;
  const double updateStart = now();
  if (m_probe.strideStep && record.finite && m_before.size() == network.parameterCount()) {
    const OptimizerState<T> state = optimizer.state();
    const Vector<T>* lastState = state.vectors.empty() ? nullptr : &state.vectors.back().values;
    for (LayerProbe& probe : m_probe.layers) {
      for (const ParameterTensor& tensor : network.layout()) {
        if (tensor.layer != probe.layer || tensor.role != TensorRole::Kernel) continue;
        const auto after = network.parameters().segment(tensor.offset, tensor.size);
        const auto before = m_before.segment(tensor.offset, tensor.size);
        const double weightNorm = l2Norm(before.data(), tensor.size);
        probe.weightNorm = l2Norm(after.data(), tensor.size);
        const double delta =
            (after.template cast<double>() - before.template cast<double>()).norm();
        probe.updateRatio = weightNorm > 0.0 ? delta / weightNorm : kNaN;
        if (lastState && lastState->size() == network.parameterCount()) {
          double sum = 0.0;
          for (Index i = 0; i < tensor.size; ++i) sum += double((*lastState)(tensor.offset + i));
          probe.optimizerState = sum / double(tensor.size);
        }
      }
    }
  }
  if (m_probe.strideStep) {
    m_strideWork += now() - updateStart;
    m_strideSeconds =
        m_strideSeconds == 0.0 ? m_strideWork : 0.7 * m_strideSeconds + 0.3 * m_strideWork;
    m_strideWork = 0.0;
  }
  if (record.epochEnd) {
    // Units that never fired during the epoch that just ended are dead for that epoch.
    m_deadLastEpoch.assign(m_activeThisEpoch.size(), kNaN);
    for (std::size_t layer = 0; layer < m_activeThisEpoch.size(); ++layer) {
      auto& active = m_activeThisEpoch[layer];
      if (active.empty()) continue;
      std::size_t dead = 0;
      for (bool fired : active) dead += !fired;
      m_deadLastEpoch[layer] = double(dead) / double(active.size());
      std::fill(active.begin(), active.end(), false);
    }
  }
}

template <typename T>
void Prober<T>::findNonFinite(const Network<T>& network) {
  NonFiniteReport report;
  for (int i = 0; i < network.layerCount(); ++i) {
    if (!network.layerOutput(i).allFinite()) {
      report.layer = i;
      report.pass = "forward";
      report.quantity = "output";
      report.message = "layer " + std::to_string(i + 1) +
                       " produced a non-finite output in the forward pass: activations "
                       "exploded, usually because the learning rate or the initial weights "
                       "are too large. Lower the learning rate, use a smaller initialiser or "
                       "batch normalisation.";
      m_probe.nonFinite = report;
      return;
    }
  }
  // Backward runs from the output to the input: the first non-finite gradient in that order.
  const auto& layout = network.layout();
  for (auto it = layout.rbegin(); it != layout.rend(); ++it) {
    if (!network.gradients().segment(it->offset, it->size).allFinite()) {
      report.layer = it->layer;
      report.pass = "backward";
      report.quantity = it->name;
      report.message = "the gradient of layer " + std::to_string(it->layer + 1) +
                       " became non-finite in the backward pass: exploding gradients. Try "
                       "gradient clipping (clipnorm) or a smaller learning rate.";
      m_probe.nonFinite = report;
      return;
    }
  }
  report.layer = -1;
  report.pass = "forward";
  report.quantity = "loss";
  report.message =
      "the loss is not finite: the predictions left the range the loss can "
      "measure. Lower the learning rate.";
  m_probe.nonFinite = report;
}

template class Prober<float>;
template class Prober<double>;

}  // namespace gradscope::core
