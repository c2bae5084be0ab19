// Probes: what GradScope measures inside the network at each training step.
//
// Cheap probes run on every step for every Dense layer: gradient L2 norms (kernel, bias,
// both), pre-activation and activation mean and standard deviation, saturation and, for
// ReLU-like units, the inactive and dead fractions; BatchNorm batch vs moving statistics;
// the global gradient norm before and after clipping. Probes that need a pass over all
// weights or a copy of them (weight norms, the update ratio ||dW|| / ||W||, optimiser state
// magnitudes) and histograms run every `stride` steps.
//
// Pre-activation and activation mean the non-linearity's real input and output wherever
// BatchNorm sits: with BatchNorm before the activation (Dense(linear) -> BatchNorm ->
// Activation) they are BatchNorm's output and the Activation layer's output.
//
// Saturation: a unit's activation in one sample is saturated when f'(z) < threshold * max f'
// (threshold 0.1 by default), so it means the same for sigmoid (max f' = 1/4), tanh, ELU and
// SELU. For ReLU the derivative is 0 or 1, so "saturated" equals "inactive"; a unit is dead
// when it is inactive for every sample of the batch (deadUnits) or of a whole epoch
// (deadUnitsEpoch).
//
// Norms are accumulated in double, so vanished gradients are reported down to the float32
// normal range (~1e-38), far below the 1e-30 the vanishing-gradient demos need.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/model/network.h"
#include "core/model/trainer.h"

namespace gradscope::core {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct ProbeSettings {
  double saturationThreshold = 0.1;  // fraction of the activation's maximum derivative
  int stride = 10;                   // minimum steps between the expensive probes (>= 1)
  bool histograms = true;
  // Cost budget of the expensive probes, as a fraction of the training time: on a network
  // where they cost more, they are taken less often than every `stride` steps (0: off).
  double budget = 0.01;
  bool operator==(const ProbeSettings&) const = default;
};

void validate(const ProbeSettings& settings);

// Fixed bins, the same for every layer and step, so histograms compare directly. Values
// outside [low, high) are counted in `below` / `above`.
struct Histogram {
  double low = 0.0;
  double high = 0.0;
  std::vector<std::uint32_t> counts;
  std::uint32_t below = 0;
  std::uint32_t above = 0;
  std::uint32_t total() const;
  bool operator==(const Histogram&) const = default;
};

// Activations and pre-activations: 60 bins over [-6, 6). Gradients: 70 bins of
// log10 |g| over [-35, 0); exact zeros count as `below`.
inline constexpr double kValueHistogramLow = -6.0;
inline constexpr double kValueHistogramHigh = 6.0;
inline constexpr int kValueHistogramBins = 60;
inline constexpr double kGradientHistogramLow = -35.0;
inline constexpr double kGradientHistogramHigh = 0.0;
inline constexpr int kGradientHistogramBins = 70;

struct LayerHistograms {
  Histogram preActivation;
  Histogram activation;
  Histogram gradientLog10;  // of the kernel gradient's elements
  bool operator==(const LayerHistograms&) const = default;
};

// One Dense layer at one step.
struct LayerProbe {
  int layer = 0;              // index in the network
  double gradientNorm = 0.0;  // kernel and bias together
  double kernelGradientNorm = 0.0;
  double biasGradientNorm = 0.0;
  double preActivationMean = 0.0, preActivationStd = 0.0;
  double activationMean = 0.0, activationStd = 0.0;
  double saturated = 0.0;        // fraction of unit activations with f' < threshold * max f'
  double inactive = kNaN;        // ReLU-like: fraction with f' = 0
  double deadUnits = kNaN;       // ReLU-like: units inactive for the whole batch
  double deadUnitsEpoch = kNaN;  // ReLU-like: units inactive for the whole last epoch
  // Stride probes (NaN between):
  double weightNorm = kNaN;
  double updateRatio = kNaN;     // ||dW|| / ||W|| of the kernel for this step's update
  double optimizerState = kNaN;  // mean of the optimiser's last state vector over the layer
  std::optional<LayerHistograms> histograms;
};

struct BatchNormProbe {
  int layer = 0;
  // Averages over features.
  double batchMean = 0.0, batchVariance = 0.0;
  double movingMean = 0.0, movingVariance = 0.0;
};

// Where a non-finite value first appeared.
struct NonFiniteReport {
  int layer = -1;        // network layer index (-1: the loss itself)
  std::string pass;      // "forward" or "backward"
  std::string quantity;  // e.g. "output", "kernel gradient"
  std::string message;   // a sentence for the user, with the likely cause
};

struct StepProbe {
  StepRecord record;
  std::vector<LayerProbe> layers;  // Dense layers, input to output
  std::vector<BatchNormProbe> batchNorms;
  bool strideStep = false;  // the expensive probes were taken at this step
  std::optional<NonFiniteReport> nonFinite;
};

// Measures the trainer's network around each step: attach with Trainer::setProber().
template <typename T>
class Prober {
 public:
  explicit Prober(const ProbeSettings& settings = {});
  const ProbeSettings& settings() const { return m_settings; }
  void setSettings(const ProbeSettings& settings);

  // Called by the trainer after backward, before clipping and the update. `tensorNorms` are the
  // gradient's per-tensor norms when the caller has them (in layout order), else computed here.
  void afterBackward(const Network<T>& network, const StepRecord& record,
                     std::span<const double> tensorNorms = {});
  // Called by the trainer after the update (and after an epoch ends, if it did).
  void afterUpdate(const Network<T>& network, const Optimizer<T>& optimizer,
                   const StepRecord& record);
  // The probe of the last step.
  const StepProbe& last() const { return m_probe; }
  // Steps between expensive probes at the moment (>= settings().stride).
  int effectiveStride() const { return m_effectiveStride; }
  void reset();

 private:
  void probeLayer(const Network<T>& network, int layerIndex, LayerProbe& probe, bool stride,
                  std::span<const double> tensorNorms);
  // Mean and deviation of z and a, saturation, and the inactive and dead ReLU units.
  void measureActivations(const Network<T>& network, int layerIndex, LayerProbe& probe);
  void findNonFinite(const Network<T>& network);

  ProbeSettings m_settings;
  StepProbe m_probe;
  Vector<T> m_before;  // parameters before the update, on stride steps
  Matrix<T> m_derivative;
  std::vector<std::vector<bool>> m_activeThisEpoch;  // per Dense layer, per unit
  std::vector<double> m_deadLastEpoch;
  std::int64_t m_lastStrideStep = -1;
  int m_effectiveStride = 1;
  double m_stepSeconds = 0.0;    // moving average of a whole step's time
  double m_strideSeconds = 0.0;  // moving average of the expensive probes' own time
  double m_lastCall = -1.0;      // clock at the previous afterBackward
  double m_strideWork = 0.0;     // time spent on expensive probes in the current step
};

extern template class Prober<float>;
extern template class Prober<double>;

}  // namespace gradscope::core
