// Signal propagation at initialisation: "will it train?" before the first step.
//
// For the hidden Dense layers of a network at its current weights and a batch of data, the
// MEASURED per-layer quantities of the mean-field theory (see mean_field.h):
//   q^l  the length of the activation function's input, (1/N) sum_i z_i^2, averaged over samples
//   c^l  the correlation z_a . z_b / (|z_a| |z_b|) of pairs of inputs, averaged over the pairs
//        (each of the first samples with its most similar sample in the batch, so that a pair
//        starts correlated: depth pulls it together in the ordered phase, apart in chaos)
//   ||dL/dz^l||  the norm of the backward signal at the pre-activation, over the batch
// from one forward and backward pass of the engine (on a copy, in training mode, as the first
// step sees it); and their PREDICTED values, from the recursions started at the same inputs
// with each layer's (sigma_w^2, sigma_b^2) taken from its initialisers (the weights' variance
// times the fan-in; the biases' variance):
//   q_a^1 = sigma_w^2 |x_a|^2 / N_0 + sigma_b^2,   q_a^{l+1} = V(q_a^l)         per sample
//   c_ab^1 = (sigma_w^2 x_a.x_b / N_0 + sigma_b^2) / sqrt(q_a^1 q_b^1), then the correlation map
//   ||dL/dz_a^l||^2 = chi(q_a^l) ||dL/dz_a^{l+1}||^2, from the last hidden layer's measurement.
// The mean field assumes independent layers of wide Gaussian pre-activations: with BatchNorm
// (which couples the samples) only the measurement is given.
//
// Then, for a typical hidden layer (the second, whose fan-in is a hidden width), the fixed
// point and depth scales, the phase diagram around it and a verdict in words.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/model/loss.h"
#include "core/model/network.h"
#include "core/signal/mean_field.h"
#include "core/signal/phase_diagram.h"

namespace gradscope::core {

struct SignalLayer {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  int layer = 0;  // index of the Dense layer in the network
  Index units = 0;
  ActivationSpec activation;  // the non-linearity applied to this layer's z
  SignalVariances variances;  // of this layer's weights and biases, from its initialisers
  double measuredLength = kNaN;
  double measuredCorrelation = kNaN;
  double measuredGradient = kNaN;  // ||dL/dz^l|| over the batch
  double kernelGradient = kNaN;    // ||dL/dK^l||
  double predictedLength = kNaN;
  double predictedCorrelation = kNaN;
  double predictedGradient = kNaN;
};

struct SignalOptions {
  Index samples = 128;  // of the batch (fewer when the data has fewer)
  Index pairs = 64;
  int diagramColumns = 40;
  int diagramRows = 21;
};

struct SignalPropagation {
  std::vector<SignalLayer> layers;  // the hidden Dense layers, input side first
  int samples = 0;
  int pairs = 0;
  bool meanFieldApplies = false;
  std::string note;  // why the mean field is not drawn, or what to keep in mind
  // The typical hidden layer: its activation, variances, fixed point and phase diagram.
  ActivationSpec activation;
  SignalVariances variances;
  MeanFieldFixedPoint fixedPoint;
  PhaseDiagram diagram;
  std::string verdict;
  std::int64_t measuredAtStep = 0;  // the training step of the weights measured (set by the caller)

  int depth() const { return int(layers.size()); }
};

// The depth a gradient crosses while its squared norm changes by at most e^6: 6 xi_grad, after
// Schoenholz et al.'s finding that networks train up to about 6 depth scales.
inline constexpr double kTrainableDepthScales = 6.0;
// "Gradients will vanish / explode: they propagate through about N layers (6 xi), the network
// has L." or "Gradients will propagate through about N layers (6 xi), enough for L." (UTF-8).
std::string signalVerdict(const MeanFieldFixedPoint& fixedPoint, int depth);

// sigma_w^2 and sigma_b^2 of a Dense layer from its initialisers.
SignalVariances denseVariances(const LayerSpec& dense, Index inputs);

// `inputs` and `targets`: one sample per column (the batch). Throws Error when they do not
// fit the network.
template <typename T>
SignalPropagation analyseSignalPropagation(const Network<T>& network, const Matrix<T>& inputs,
                                           const Matrix<T>& targets, LossKind loss,
                                           const SignalOptions& options = {});

}  // namespace gradscope::core
