#include "core/backprop/backprop_tracer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/layers/dense_layer.h"
#include "core/model/step_observer.h"

namespace gradscope::core {

std::optional<std::string> backpropRefusal(const NetworkSpec& spec) {
  std::string shape = std::to_string(spec.inputs);
  bool denseOnly = true;
  bool tooWide = spec.inputs > kBackpropMaxUnits;
  int dense = 0;
  for (const LayerSpec& layer : spec.layers) {
    if (layer.kind != LayerKind::Dense) {
      denseOnly = false;
      continue;
    }
    ++dense;
    shape += "-" + std::to_string(layer.units);
    if (layer.units > kBackpropMaxUnits) tooWide = true;
  }
  const std::string takes = "The Backprop view draws networks of Dense layers only, at most " +
                            std::to_string(kBackpropMaxLayers) + " of them with at most " +
                            std::to_string(kBackpropMaxUnits) + " units each and at most " +
                            std::to_string(kBackpropMaxUnits) +
                            " inputs (e.g. 2-3-1, 3-4-2 or 4-4-4-4-2)";
  if (!denseOnly) return takes + "; this network has BatchNorm, dropout or activation layers.";
  if (tooWide || dense > kBackpropMaxLayers) return takes + "; this one is " + shape + ".";
  if (dense == 0) return takes + "; this network has no Dense layer.";
  return std::nullopt;
}

namespace {

// |value - reference| relative to the reference, with a floor of 1e-9 of the largest
// magnitude among the compared values, so that an entry that cancels to nearly zero in
// float32 is judged against the scale of its neighbours rather than against itself.
double largestRelativeDifference(const Eigen::MatrixXd& value, const Eigen::MatrixXd& reference) {
  if (value.size() == 0) return 0.0;
  const double floor =
      std::max(1e-9 * reference.cwiseAbs().maxCoeff(), std::numeric_limits<double>::min());
  double largest = 0.0;
  for (Eigen::Index i = 0; i < value.size(); ++i) {
    const double ref = reference.data()[i];
    const double difference = std::abs(value.data()[i] - ref) / std::max(std::abs(ref), floor);
    largest = std::max(largest, std::isnan(difference) ? 0.0 : difference);
  }
  return largest;
}

template <typename T>
class TraceObserver final : public StepObserver<T> {
 public:
  TraceObserver(BackpropTrace& trace, bool fusedLoss) : m_trace(trace), m_fused(fusedLoss) {}

  void afterBackward(const Network<T>& network, const Matrix<T>& inputs, const Matrix<T>& targets,
                     const StepRecord& record) override {
    m_trace.inputs = inputs.template cast<double>();
    m_trace.targets = targets.template cast<double>();
    m_trace.samples = int(inputs.cols());
    m_trace.dataLoss = record.loss.data;
    m_trace.regularizationLoss = record.loss.regularization;
    const int last = network.layerCount() - 1;
    for (int i = 0; i <= last; ++i) {
      const auto* dense = network.template layerAs<DenseLayer<T>>(i);
      BackpropTraceLayer layer;
      layer.networkLayer = i;
      layer.output = i == last;
      layer.activation = std::string(toString(dense->spec().activation.kind));
      layer.l2 = dense->spec().l2;
      layer.z = dense->preActivation().template cast<double>();
      layer.a = network.layerOutput(i).template cast<double>();
      Matrix<T> derivative;
      dense->activation().derivative(dense->preActivation(), network.layerOutput(i), derivative);
      layer.derivative = derivative.template cast<double>();
      // The engine's δ: the loss hands it to the output layer when fused with its activation,
      // every other Dense layer computes it from ∂L/∂a in its backward pass.
      const bool fromLoss = layer.output && m_fused;
      layer.delta = (fromLoss ? network.lossGradient() : dense->preActivationGradient())
                        .template cast<double>();
      if (fromLoss) {
        layer.upstream.setConstant(layer.z.rows(), layer.z.cols(),
                                   std::numeric_limits<double>::quiet_NaN());
      } else if (layer.output) {
        layer.upstream = network.lossGradient().template cast<double>();
      }
      for (const ParameterTensor& tensor : network.layout()) {
        if (tensor.layer != i) continue;
        const auto gradient =
            network.gradients().segment(tensor.offset, tensor.size).template cast<double>();
        if (tensor.role == TensorRole::Kernel) {
          layer.kernelBefore = network.tensorValue(tensor);
          layer.kernelGradient = gradient.reshaped(tensor.rows, tensor.cols);
        } else {
          layer.biasBefore = network.tensorValue(tensor).col(0);
          layer.biasGradient = gradient;
        }
      }
      m_trace.layers.push_back(std::move(layer));
    }
  }

  void afterUpdate(const Network<T>& network, const StepRecord& record) override {
    m_trace.learningRate = record.learningRate;
    m_trace.clipped = record.clip.clipped;
    m_trace.applied = record.finite;
    for (BackpropTraceLayer& layer : m_trace.layers) {
      for (const ParameterTensor& tensor : network.layout()) {
        if (tensor.layer != layer.networkLayer) continue;
        // The optimiser reads the (clipped) gradient without changing it.
        const auto applied =
            network.gradients().segment(tensor.offset, tensor.size).template cast<double>();
        if (tensor.role == TensorRole::Kernel) {
          layer.kernelApplied = applied.reshaped(tensor.rows, tensor.cols);
          layer.kernelAfter = network.tensorValue(tensor);
        } else {
          layer.biasApplied = applied;
          layer.biasAfter = network.tensorValue(tensor).col(0);
        }
      }
    }
  }

 private:
  BackpropTrace& m_trace;
  bool m_fused;
};

// The chain-rule factors the view shows, from the engine's values: ∂L/∂a of every hidden
// unit as Σ_k w_jk δ_k of the next layer; and how far the products of the factors are from
// the engine's own δ and gradients.
void addChainRuleFactors(BackpropTrace& trace) {
  double largest = 0.0;
  for (std::size_t l = 0; l < trace.layers.size(); ++l) {
    BackpropTraceLayer& layer = trace.layers[l];
    if (!layer.output) {
      const BackpropTraceLayer& next = trace.layers[l + 1];
      layer.upstream = next.kernelBefore * next.delta;
    }
    // δ = f'(z) ⊙ ∂L/∂a for an element-wise activation (softmax's δ comes from the loss).
    if (layer.activation != "softmax" && !layer.upstream.hasNaN()) {
      largest = std::max(largest, largestRelativeDifference(
                                      layer.derivative.cwiseProduct(layer.upstream), layer.delta));
    }
    const Eigen::MatrixXd& input = l == 0 ? trace.inputs : trace.layers[l - 1].a;
    Eigen::MatrixXd kernel = input * layer.delta.transpose();
    if (layer.l2 != 0.0) kernel += 2.0 * layer.l2 * layer.kernelBefore;
    largest = std::max(largest, largestRelativeDifference(kernel, layer.kernelGradient));
    if (layer.biasGradient.size() > 0) {
      largest = std::max(
          largest, largestRelativeDifference(layer.delta.rowwise().sum(), layer.biasGradient));
    }
  }
  trace.largestChainRuleDifference = largest;
}

// Every path from first-layer weight (i, j) to the outputs: unit j, then one unit of each
// later layer. Its contribution for one sample is x_i · Π (f'(z) · w) · δ_out.
void addPathSums(BackpropTrace& trace) {
  const auto& layers = trace.layers;
  const int depth = int(layers.size());
  const BackpropTraceLayer& first = layers.front();
  double largest = trace.largestChainRuleDifference;
  for (int i = 0; i < trace.inputCount(); ++i) {
    for (int j = 0; j < int(first.z.rows()); ++j) {
      BackpropPathSum sum;
      sum.input = i;
      sum.unit = j;
      sum.engineGradient = first.kernelGradient(i, j);
      std::vector<int> units{j};
      // Depth-first over the units of layers 1 .. depth-1.
      auto visit = [&](auto& self) -> void {
        const int l = int(units.size());  // the next layer to choose a unit in
        if (l == depth) {
          BackpropPath path;
          path.units = units;
          for (int s = 0; s < trace.samples; ++s) {
            double product = trace.inputs(i, s);
            for (int k = 0; k + 1 < depth; ++k) {
              product *= layers[std::size_t(k)].derivative(units[std::size_t(k)], s) *
                         layers[std::size_t(k + 1)].kernelBefore(units[std::size_t(k)],
                                                                 units[std::size_t(k + 1)]);
            }
            product *= layers.back().delta(units.back(), s);
            path.contribution += product;
          }
          sum.sum += path.contribution;
          sum.paths.push_back(std::move(path));
          return;
        }
        for (int k = 0; k < int(layers[std::size_t(l)].z.rows()); ++k) {
          units.push_back(k);
          self(self);
          units.pop_back();
        }
      };
      visit(visit);
      if (first.l2 != 0.0) sum.sum += 2.0 * first.l2 * first.kernelBefore(i, j);
      trace.paths.push_back(std::move(sum));
    }
  }
  for (const BackpropPathSum& sum : trace.paths) {
    // Judged against the scale of the whole first-layer gradient (see the floor above).
    const double scale = first.kernelGradient.cwiseAbs().maxCoeff();
    const double difference =
        std::abs(sum.sum - sum.engineGradient) /
        std::max({std::abs(sum.engineGradient), 1e-9 * scale, std::numeric_limits<double>::min()});
    largest = std::max(largest, difference);
  }
  trace.largestChainRuleDifference = largest;
}

}  // namespace

template <typename T>
BackpropTrace traceNextStep(const Trainer<T>& trainer) {
  if (auto refusal = backpropRefusal(trainer.network().spec())) throw Error("network", *refusal);
  BackpropTrace trace;
  trace.step = trainer.stepCount();
  trace.epoch = trainer.epoch();
  trace.loss = std::string(toString(trainer.lossKind()));
  trace.fusedLoss = makeLoss<T>(trainer.lossKind())->gradientIsWrtLogits();
  trace.optimizer = trainer.optimizer().name();
  const OptimizerSettings& settings = trainer.optimizer().settings();
  trace.optimizerKey = std::string(toString(settings.kind));
  trace.updateRule = backpropUpdateRule(trace.optimizerKey, settings.momentum);
  if (settings.weightDecay != 0.0) trace.updateRule = "w ← w − η·λ·w, then " + trace.updateRule;
  trace.precision = std::is_same_v<T, float> ? "float32" : "float64";

  Trainer<T> copy(trainer);
  TraceObserver<T> observer(trace, trace.fusedLoss);
  copy.setStepObserver(&observer);
  copy.step();
  addChainRuleFactors(trace);
  addPathSums(trace);
  return trace;
}

template BackpropTrace traceNextStep<float>(const Trainer<float>&);
template BackpropTrace traceNextStep<double>(const Trainer<double>&);

}  // namespace gradscope::core
