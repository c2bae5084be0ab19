// One training step of a small network, written out the way the lecture does it by hand:
// every unit's pre-activation z and activation a, the loss, every unit's δ = ∂L/∂z layer by
// layer, every weight's gradient as the product of the upstream δ and the local input, the
// sum over paths for each first-layer weight, and every weight's update old -> new.
//
// Every number is the engine's own, read from its forward pass, backward pass and optimiser
// step (BackpropTracer); the chain-rule factors the view multiplies for display (f'(z), the
// weighted sum of the next layer's δ, the path products) are checked against the engine's
// δ and gradients, and the largest relative difference is part of the trace.
//
// Values are per sample (one column per sample of the mini-batch); gradients and updates
// are those of the whole mini-batch (the loss is the batch mean, so each sample's δ already
// carries the 1/N and the weight gradient is the sum over the samples of δ · input).
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gradscope::core {

// The largest network the trace draws: Dense layers only, at most this many (hidden and
// output), and at most this many units per layer (inputs included).
inline constexpr int kBackpropMaxLayers = 4;
inline constexpr int kBackpropMaxUnits = 4;

struct BackpropTraceLayer {
  int networkLayer = 0;    // index of the Dense layer in the network
  std::string activation;  // Keras name, e.g. "tanh"
  bool output = false;
  // units x samples
  Eigen::MatrixXd z;           // pre-activation z = K^T a_prev + b
  Eigen::MatrixXd a;           // activation a = f(z)
  Eigen::MatrixXd derivative;  // f'(z) (softmax: its Jacobian's diagonal a(1 - a))
  // ∂L/∂a: the loss's gradient for the output layer (NaN when the loss is fused with the
  // output activation and gives ∂L/∂z directly), Σ_k w_jk δ_k for a hidden unit.
  Eigen::MatrixXd upstream;
  Eigen::MatrixXd delta;  // δ = ∂L/∂z, the engine's
  // inputs x units (Keras layout: row i, column j is the weight from input i to unit j)
  Eigen::MatrixXd kernelBefore;
  Eigen::MatrixXd kernelGradient;  // the engine's ∂L/∂K, before clipping (L2 term included)
  Eigen::MatrixXd kernelApplied;   // the gradient the optimiser received (after clipping)
  Eigen::MatrixXd kernelAfter;
  // units; empty without a bias
  Eigen::VectorXd biasBefore, biasGradient, biasApplied, biasAfter;
  double l2 = 0.0;  // the kernel's L2 factor: its gradient adds 2 l2 w
};

// One path from a first-layer weight to an output unit: the first layer's unit, then one unit
// of every later Dense layer. Its contribution is input · f'(z) · w · f'(z) · ... · w · δ_out,
// summed over the mini-batch; the contributions of all paths add up to the weight's gradient
// (without the L2 term).
struct BackpropPath {
  std::vector<int> units;  // one per Dense layer, first layer first
  double contribution = 0.0;
};

struct BackpropPathSum {
  int input = 0;  // the weight from this input ...
  int unit = 0;   // ... to this unit of the first Dense layer
  std::vector<BackpropPath> paths;
  double sum = 0.0;             // Σ of the paths' contributions (+ 2 l2 w)
  double engineGradient = 0.0;  // the engine's ∂L/∂w
};

struct BackpropTrace {
  std::int64_t step = 0;  // the run's step this trace is of (0-based)
  int epoch = 0;
  int samples = 0;                  // in the mini-batch
  Eigen::MatrixXd inputs;           // features x samples
  Eigen::MatrixXd targets;          // outputs x samples
  std::string loss;                 // e.g. "binary_crossentropy"
  bool fusedLoss = false;           // the loss gives ∂L/∂z of the output layer directly
  double dataLoss = 0.0;            // the batch mean, as the step logs it
  double regularizationLoss = 0.0;  // Σ l2 ‖K‖²
  std::string optimizer;            // display name, e.g. "Adam"
  std::string optimizerKey;         // e.g. "adam"
  std::string updateRule;           // the optimiser's rule in plain text
  double learningRate = 0.0;
  bool clipped = false;                    // clipping changed the gradient
  bool applied = true;                     // false: loss or gradient not finite, no update
  std::string precision;                   // "float32" or "float64": the engine's arithmetic
  std::vector<BackpropTraceLayer> layers;  // the Dense layers, input side first
  std::vector<BackpropPathSum> paths;      // every first-layer weight, input-major
  // The largest relative difference |displayed - engine| / max(|engine|, tiny) over every δ
  // recomputed from its chain-rule factors, every weight gradient recomputed as Σ δ · input
  // (+ 2 l2 w), and every path sum.
  double largestChainRuleDifference = 0.0;

  int inputCount() const { return int(inputs.rows()); }
  const BackpropPathSum* pathSum(int input, int unit) const;
};

using BackpropTracePtr = std::shared_ptr<const BackpropTrace>;

// The plain-text update rule of an optimiser key ("sgd", "adam", ...), with momentum > 0
// choosing SGD's momentum form.
std::string backpropUpdateRule(const std::string& optimizerKey, double momentum);

}  // namespace gradscope::core
