#include "probes.h"

#include <cmath>

#include "batch_norm_layer.h"
#include "dense_layer.h"

namespace gradscope::core {

void validate(const ProbeSettings& settings) {
  if (!(settings.saturationThreshold > 0.0 && settings.saturationThreshold < 1.0)) {
    throw Error("probes.saturation_threshold", "must be in (0, 1)");
  }
  if (settings.stride < 1 || settings.stride > 100000) {
    throw Error("probes.stride", "must be in [1, 100000]");
  }
}

std::uint32_t Histogram::total() const {
  std::uint32_t sum = below + above;
  for (auto c : counts) sum += c;
  return sum;
}

namespace {

template <typename Derived>
double norm(const Eigen::DenseBase<Derived>& values) {
  double sum = 0.0;
  for (Index i = 0; i < values.size(); ++i) {
    const double v = double(values.derived().data()[i]);
    sum += v * v;
  }
  return std::sqrt(sum);
}

template <typename T>
void meanStd(const Matrix<T>& m, double& mean, double& stddev) {
  double sum = 0.0, sumSq = 0.0;
  const T* data = m.data();
  for (Index i = 0; i < m.size(); ++i) {
    const double v = double(data[i]);
    sum += v;
    sumSq += v * v;
  }
  const double n = std::max<double>(1.0, double(m.size()));
  mean = sum / n;
  stddev = std::sqrt(std::max(0.0, sumSq / n - mean * mean));
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
    const auto bin = std::size_t((x - h.low) / (h.high - h.low) * double(h.counts.size()));
    ++h.counts[std::min(bin, h.counts.size() - 1)];
  }
}

template <typename T>
Histogram valueHistogram(const T* data, Index n) {
  Histogram h = emptyHistogram(kValueHistogramLow, kValueHistogramHigh, kValueHistogramBins);
  for (Index i = 0; i < n; ++i) add(h, double(data[i]));
  return h;
}

template <typename T>
Histogram gradientHistogram(const T* data, Index n) {
  Histogram h =
      emptyHistogram(kGradientHistogramLow, kGradientHistogramHigh, kGradientHistogramBins);
  for (Index i = 0; i < n; ++i) {
    const double g = std::abs(double(data[i]));
    if (g == 0.0) {
      ++h.below;
    } else {
      add(h, std::log10(g));
    }
  }
  return h;
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
  m_activeThisEpoch.clear();
  m_deadLastEpoch.clear();
}

template <typename T>
void Prober<T>::afterBackward(const Network<T>& network, const StepRecord& record) {
  m_probe = StepProbe{};
  m_probe.record = record;
  m_probe.strideStep = record.step % m_settings.stride == 0;
  if (!std::isfinite(record.loss.total())) {
    findNonFinite(network);
    return;
  }
  for (int i = 0; i < network.layerCount(); ++i) {
    if (network.template layerAs<DenseLayer<T>>(i)) {
      LayerProbe probe;
      probe.layer = i;
      probeLayer(network, i, probe, m_probe.strideStep);
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
  if (m_probe.strideStep) m_before = network.parameters();
}

template <typename T>
void Prober<T>::probeLayer(const Network<T>& network, int layerIndex, LayerProbe& probe,
                           bool stride) {
  const auto& dense = *network.template layerAs<DenseLayer<T>>(layerIndex);
  double kernelSq = 0.0, biasSq = 0.0;
  for (const ParameterTensor& tensor : network.layout()) {
    if (tensor.layer != layerIndex) continue;
    const double n = norm(network.gradients().segment(tensor.offset, tensor.size));
    (tensor.role == TensorRole::Kernel ? kernelSq : biasSq) += n * n;
  }
  probe.kernelGradientNorm = std::sqrt(kernelSq);
  probe.biasGradientNorm = std::sqrt(biasSq);
  probe.gradientNorm = std::sqrt(kernelSq + biasSq);

  const Matrix<T>& z = dense.preActivation();
  const Matrix<T>& a = network.layerOutput(layerIndex);
  meanStd(z, probe.preActivationMean, probe.preActivationStd);
  meanStd(a, probe.activationMean, probe.activationStd);

  const Activation<T>& activation = dense.activation();
  activation.derivative(z, a, m_derivative);
  const T threshold = T(m_settings.saturationThreshold * activation.maxDerivative());
  probe.saturated = double((m_derivative.array() < threshold).count()) /
                    std::max<double>(1.0, double(m_derivative.size()));

  if (activation.hasDeadZone()) {
    const auto inactive = (m_derivative.array() == T(0));
    probe.inactive = double(inactive.count()) / std::max<double>(1.0, double(inactive.size()));
    const auto activeUnits = (m_derivative.array() > T(0)).rowwise().any();
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

  if (stride && m_settings.histograms) {
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
  }
}

template <typename T>
void Prober<T>::afterUpdate(const Network<T>& network, const Optimizer<T>& optimizer,
                            const StepRecord& record) {
  m_probe.record = record;
  if (m_probe.strideStep && record.finite && m_before.size() == network.parameterCount()) {
    const OptimizerState<T> state = optimizer.state();
    const Vector<T>* lastState = state.vectors.empty() ? nullptr : &state.vectors.back().values;
    for (LayerProbe& probe : m_probe.layers) {
      for (const ParameterTensor& tensor : network.layout()) {
        if (tensor.layer != probe.layer || tensor.role != TensorRole::Kernel) continue;
        const auto after = network.parameters().segment(tensor.offset, tensor.size);
        const auto before = m_before.segment(tensor.offset, tensor.size);
        const double weightNorm = norm(before);
        probe.weightNorm = norm(after);
        double deltaSq = 0.0;
        for (Index i = 0; i < tensor.size; ++i) {
          const double d = double(after(i)) - double(before(i));
          deltaSq += d * d;
        }
        probe.updateRatio = weightNorm > 0.0 ? std::sqrt(deltaSq) / weightNorm : kNaN;
        if (lastState && lastState->size() == network.parameterCount()) {
          double sum = 0.0;
          for (Index i = 0; i < tensor.size; ++i) sum += double((*lastState)(tensor.offset + i));
          probe.optimizerState = sum / double(tensor.size);
        }
      }
    }
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
