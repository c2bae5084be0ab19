#include "core/signal/signal_propagation.h"

#include <algorithm>
#include <cmath>

#include "core/layers/dense_layer.h"
#include "core/model/experiment_config.h"

namespace gradscope::core {

namespace {

// One MeanField per activation met (hidden layers may differ).
class MeanFieldCache {
 public:
  const MeanField& of(const ActivationSpec& spec) {
    for (const auto& [key, field] : m_fields) {
      if (key == spec) return field;
    }
    m_fields.emplace_back(spec, MeanField(spec));
    return m_fields.back().second;
  }

 private:
  std::vector<std::pair<ActivationSpec, MeanField>> m_fields;
};

// Where a hidden Dense layer's non-linearity takes its input: the Dense's own z, or (Dense
// linear, then BatchNorm / Activation) the input of the first Activation layer of its block.
struct Block {
  int dense = 0;
  int activationLayer = -1;  // -1: the Dense applies its activation itself
  ActivationSpec activation;
};

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const double norm = a.norm() * b.norm();
  return norm > 0 ? a.dot(b) / norm : 0.0;
}

}  // namespace

std::string signalVerdict(const MeanFieldFixedPoint& p, int depth) {
  if (depth == 0) return "No hidden layer: there is no depth for the signal to cross.";
  if (std::isinf(p.xiGradient) || p.xiGradient > 1e4) {
    return "Gradients will propagate through any depth: the edge of chaos (\u03c7\u2081 = 1).";
  }
  const double reach = kTrainableDepthScales * p.xiGradient;
  const std::string about =
      reach > 1000 ? "more than 1000" : std::to_string(std::max(1L, std::lround(reach)));
  const std::string layers = depth == 1 ? "1" : std::to_string(depth);
  if (reach >= depth) {
    return "Gradients will propagate through about " + about + " layers (6\u03be), enough for " +
           layers + ".";
  }
  const std::string way = p.chi1 < 1 ? "vanish" : "explode";
  return "Gradients will " + way + ": they propagate through about " + about +
         " layers (6\u03be), the network has " + layers + ".";
}

SignalVariances denseVariances(const LayerSpec& dense, Index inputs) {
  SignalVariances v;
  const Fans fans = kernelFans(inputs, dense.units);
  v.weight = makeInitializer(dense.kernelInitializer)->variance(fans) * fans.in;
  v.bias = dense.useBias ? makeInitializer(dense.biasInitializer)->variance(vectorFans(dense.units))
                         : 0.0;
  return v;
}

template <typename T>
SignalPropagation analyseSignalPropagation(const Network<T>& network, const Matrix<T>& inputs,
                                           const Matrix<T>& targets, LossKind lossKind,
                                           const SignalOptions& options) {
  if (inputs.rows() != network.inputSize()) {
    throw Error("inputs", "have " + std::to_string(inputs.rows()) + " features, the network " +
                              std::to_string(network.inputSize()));
  }
  SignalPropagation result;
  const NetworkSpec& spec = network.spec();
  const std::vector<int> dense = denseLayerIndices(spec);
  std::vector<Block> blocks;
  bool batchNorm = false, dropout = false;
  for (const LayerSpec& layer : spec.layers) {
    batchNorm |= layer.kind == LayerKind::BatchNormalization;
    dropout |= layer.kind == LayerKind::Dropout || layer.kind == LayerKind::AlphaDropout;
  }
  for (std::size_t d = 0; d + 1 < dense.size(); ++d) {
    Block block{dense[d], -1, spec.layers[std::size_t(dense[d])].activation};
    if (block.activation.kind == ActivationKind::Linear) {
      for (int i = dense[d] + 1; i < dense[d + 1]; ++i) {
        if (spec.layers[std::size_t(i)].kind == LayerKind::Activation) {
          block.activationLayer = i;
          block.activation = spec.layers[std::size_t(i)].activation;
          break;
        }
      }
    }
    blocks.push_back(block);
  }
  const Index samples = std::min<Index>(inputs.cols(), std::max<Index>(options.samples, 2));
  result.samples = int(samples);
  if (blocks.empty() || samples < 2) {
    result.verdict = signalVerdict({}, 0);
    result.note = blocks.empty() ? "the network has no hidden layer" : "too few samples";
    return result;
  }

  // The pairs: each of the first samples with its most similar sample (input cosine).
  const Eigen::MatrixXd x = inputs.leftCols(samples).template cast<double>();
  std::vector<std::pair<Index, Index>> pairs;
  for (Index a = 0; a < std::min(samples, options.pairs); ++a) {
    Index best = a == 0 ? 1 : 0;
    for (Index b = 0; b < samples; ++b) {
      if (b != a && cosine(x.col(a), x.col(b)) > cosine(x.col(a), x.col(best))) best = b;
    }
    pairs.emplace_back(a, best);
  }
  result.pairs = int(pairs.size());

  // One forward and backward pass of the engine, on a copy so the run is untouched.
  Network<T> net(network);
  Rng rng(0);
  const Matrix<T> batch = inputs.leftCols(samples);
  const Matrix<T> batchTargets = targets.leftCols(samples);
  net.forward(batch, Mode::Training, rng);
  bool haveGradients = true;
  try {
    net.backward(*makeLoss<T>(lossKind), batchTargets);
  } catch (const Error&) {
    haveGradients = false;  // a loss that does not fit the output: forward quantities only
  }

  for (const Block& block : blocks) {
    SignalLayer layer;
    layer.layer = block.dense;
    const LayerSpec& ls = spec.layers[std::size_t(block.dense)];
    layer.units = ls.units;
    layer.activation = block.activation;
    layer.variances = denseVariances(ls, net.layer(block.dense).inputSize());
    const auto* denseLayer = net.template layerAs<DenseLayer<T>>(block.dense);
    const Eigen::MatrixXd z =
        block.activationLayer < 0
            ? denseLayer->preActivation().template cast<double>().eval()
            : net.layerOutput(block.activationLayer - 1).template cast<double>().eval();
    layer.measuredLength = z.squaredNorm() / double(z.size());
    double sum = 0.0;
    for (const auto& [a, b] : pairs) sum += cosine(z.col(a), z.col(b));
    layer.measuredCorrelation = sum / double(pairs.size());
    if (haveGradients) {
      const Matrix<T>& gradZ = denseLayer->preActivationGradient();
      if (gradZ.cols() == samples) layer.measuredGradient = gradZ.template cast<double>().norm();
      const std::string kernel = "layers[" + std::to_string(block.dense) + "].kernel";
      if (const ParameterTensor* t = net.findTensor(kernel)) {
        layer.kernelGradient =
            net.gradients().segment(t->offset, t->size).template cast<double>().norm();
      }
    }
    result.layers.push_back(layer);
  }

  // The typical layer: the second hidden one (the first's fan-in is the input width).
  const SignalLayer& typical = result.layers[result.layers.size() > 1 ? 1 : 0];
  result.activation = typical.activation;
  result.variances = typical.variances;
  bool elementWise = true;
  for (const SignalLayer& layer : result.layers) {
    elementWise &= layer.activation.kind != ActivationKind::Softmax;
  }
  if (!elementWise) {
    result.note = "softmax is not element-wise: the mean field does not describe it";
    result.verdict = "No prediction for a softmax hidden layer.";
    return result;
  }
  MeanFieldCache fields;
  const MeanField& field = fields.of(typical.activation);
  result.fixedPoint = field.fixedPoint(typical.variances);
  result.verdict = signalVerdict(result.fixedPoint, result.depth());
  const double weightMax = std::max(4.0, 1.25 * typical.variances.weight);
  const double biasMax = std::max(0.5, 1.25 * typical.variances.bias);
  const MeanField coarse(typical.activation, 40, 2);  // the diagram needs only chi_1 (1-D)
  result.diagram =
      computePhaseDiagram(coarse, weightMax, biasMax, options.diagramColumns, options.diagramRows);

  result.meanFieldApplies = !batchNorm;
  if (batchNorm) {
    result.note =
        "BatchNorm normalises every layer over the batch: the mean field of "
        "independent layers does not apply, only the measurement is shown";
    return result;
  }
  if (dropout) result.note = "dropout is on: the measurement includes its masks";

  // The recursions, per sample and per pair, from the batch's inputs.
  const double n0 = double(x.rows());
  const SignalVariances first = result.layers.front().variances;
  std::vector<double> q(static_cast<std::size_t>(samples));
  for (Index a = 0; a < samples; ++a) {
    q[std::size_t(a)] = first.weight * x.col(a).squaredNorm() / n0 + first.bias;
  }
  std::vector<double> c;
  for (const auto& [a, b] : pairs) {
    const double q12 = first.weight * x.col(a).dot(x.col(b)) / n0 + first.bias;
    const double norm = std::sqrt(q[std::size_t(a)] * q[std::size_t(b)]);
    c.push_back(norm > 0 ? std::clamp(q12 / norm, -1.0, 1.0) : 1.0);
  }
  std::vector<std::vector<double>> lengths;  // per layer, per sample
  for (std::size_t l = 0; l < result.layers.size(); ++l) {
    SignalLayer& layer = result.layers[l];
    if (l > 0) {
      const MeanField& previous = fields.of(result.layers[l - 1].activation);
      const std::vector<double>& before = lengths.back();
      for (std::size_t p = 0; p < pairs.size(); ++p) {
        c[p] = previous.correlationMap(before[std::size_t(pairs[p].first)],
                                       before[std::size_t(pairs[p].second)], c[p], layer.variances);
      }
      for (double& value : q) value = previous.lengthMap(value, layer.variances);
    }
    lengths.push_back(q);
    double total = 0.0;
    for (double value : q) total += value;
    layer.predictedLength = total / double(q.size());
    total = 0.0;
    for (double value : c) total += value;
    layer.predictedCorrelation = total / double(c.size());
  }
  // Backwards from the last hidden layer's measured signal, sample by sample.
  const auto* last = net.template layerAs<DenseLayer<T>>(result.layers.back().layer);
  const Matrix<T>& lastGrad = last->preActivationGradient();
  if (haveGradients && lastGrad.cols() == samples) {
    std::vector<double> g(static_cast<std::size_t>(samples));
    for (Index a = 0; a < samples; ++a) {
      g[std::size_t(a)] = lastGrad.col(a).template cast<double>().squaredNorm();
    }
    for (std::size_t l = result.layers.size(); l-- > 0;) {
      if (l + 1 < result.layers.size()) {
        const MeanField& here = fields.of(result.layers[l].activation);
        for (Index a = 0; a < samples; ++a) {
          g[std::size_t(a)] *=
              here.chi1(lengths[l][std::size_t(a)], result.layers[l + 1].variances);
        }
      }
      double total = 0.0;
      for (double value : g) total += value;
      result.layers[l].predictedGradient = std::sqrt(total);
    }
  }
  return result;
}

template SignalPropagation analyseSignalPropagation<float>(const Network<float>&,
                                                           const Matrix<float>&,
                                                           const Matrix<float>&, LossKind,
                                                           const SignalOptions&);
template SignalPropagation analyseSignalPropagation<double>(const Network<double>&,
                                                            const Matrix<double>&,
                                                            const Matrix<double>&, LossKind,
                                                            const SignalOptions&);

}  // namespace gradscope::core
