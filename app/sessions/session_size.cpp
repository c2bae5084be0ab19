#include "app/sessions/session_size.h"

#include <cstdio>

#include "app/worker/training_run.h"  // networkFor
#include "core/optimizers/optimizer.h"

namespace gradscope::app {

namespace {

// Base64 of `bytes` bytes, as the writer emits an array that does not compress.
std::int64_t base64Bytes(std::int64_t bytes) { return (bytes + 2) / 3 * 4; }

// Each array's key, braces, tag and indentation; and the state's scalars, RNG words, callback
// state and last epoch, which do not grow with the network.
constexpr std::int64_t kArrayOverhead = 128;
constexpr std::int64_t kFixedStateBytes = 16 << 10;

}  // namespace

std::string describeBytes(std::int64_t bytes) {
  char text[32];
  if (bytes >= (std::int64_t(1) << 30) && bytes % (std::int64_t(1) << 30) == 0) {
    std::snprintf(text, sizeof text, "%lld GiB", static_cast<long long>(bytes >> 30));
  } else if (bytes >= (std::int64_t(1) << 20) && bytes % (std::int64_t(1) << 20) == 0) {
    std::snprintf(text, sizeof text, "%lld MiB", static_cast<long long>(bytes >> 20));
  } else if (bytes >= 1'000'000'000) {
    std::snprintf(text, sizeof text, "%.2f GB", double(bytes) / 1e9);
  } else {
    std::snprintf(text, sizeof text, "%.0f MB", double(bytes) / 1e6);
  }
  return text;
}

NetworkCounts countNetwork(const core::NetworkSpec& spec) {
  NetworkCounts counts;
  std::int64_t width = spec.inputs;
  for (const core::LayerSpec& layer : spec.layers) {
    switch (layer.kind) {
      case core::LayerKind::Dense:
        counts.parameters += width * layer.units + (layer.useBias ? layer.units : 0);
        width = layer.units;
        break;
      case core::LayerKind::BatchNormalization:
        counts.parameters += (layer.center ? width : 0) + (layer.scale ? width : 0);
        counts.bufferValues += 4 * width;  // moving mean and variance; gamma and beta when frozen
        break;
      case core::LayerKind::Activation:
      case core::LayerKind::Dropout:
      case core::LayerKind::AlphaDropout:
        break;
    }
  }
  return counts;
}

int optimizerVectorCount(const core::OptimizerSettings& settings) {
  // The optimisers allocate their state lazily on the first step: one step on one parameter
  // shows how many vectors this kind, with these settings, keeps.
  const auto optimizer = core::makeOptimizer<double>(settings);
  core::Vector<double> parameter = core::Vector<double>::Constant(1, 0.5);
  const core::Vector<double> gradient = core::Vector<double>::Constant(1, 0.25);
  optimizer->step(parameter, gradient, 1e-3);
  return int(optimizer->state().vectors.size());
}

std::int64_t stateBytesBound(const core::ExperimentConfig& config, const core::NetworkSpec& spec,
                             core::Index trainingSamples) {
  const NetworkCounts counts = countNetwork(spec);
  const std::int64_t width = config.precision == core::Precision::Float64 ? 8 : 4;
  const bool best =
      config.training.earlyStopping && config.training.earlyStopping->restoreBestWeights;
  const std::int64_t vectors = optimizerVectorCount(config.optimizer);
  const std::int64_t copies = 1 + (best ? 1 : 0);
  std::int64_t bytes = kFixedStateBytes;
  // Weights (and the best weights), each optimiser vector, the buffers (and their best copy).
  bytes += (copies + vectors) * (base64Bytes(counts.parameters * width) + kArrayOverhead);
  bytes += copies * (base64Bytes(counts.bufferValues * width) + kArrayOverhead * 4 * 2);
  bytes += base64Bytes(std::int64_t(trainingSamples) * 4) + kArrayOverhead;  // the batch order
  return bytes;
}

void checkStateFitsSession(const core::ExperimentConfig& config, const core::NetworkSpec& spec,
                           core::Index trainingSamples, std::int64_t otherRunsBytes,
                           const std::string& prefix) {
  const std::int64_t bytes = stateBytesBound(config, spec, trainingSamples);
  if (bytes + otherRunsBytes <= kMaxSessionStateBytes) return;
  const NetworkCounts counts = countNetwork(spec);
  const int vectors = optimizerVectorCount(config.optimizer);
  const std::string setting = config.network ? "layers" : "model.width";
  char parameters[32];
  std::snprintf(parameters, sizeof parameters, "%.1f million", double(counts.parameters) / 1e6);
  std::string reason = "a network of " + std::string(parameters) + " " +
                       std::string(core::toString(config.precision)) + " parameters with " +
                       std::string(core::toString(config.optimizer.kind)) + " (" +
                       std::to_string(vectors) + " optimiser vector" + (vectors == 1 ? "" : "s") +
                       ") has a training state of up to " + describeBytes(bytes);
  if (otherRunsBytes > 0) {
    reason += ", " + describeBytes(otherRunsBytes) + " with the other runs";
  }
  reason += "; a session holds at most " + describeBytes(kMaxSessionStateBytes) +
            " of it, so it could not be saved: use fewer or narrower layers, float32 or an "
            "optimiser with less state";
  throw core::Error(prefix + setting, reason);
}

void checkComparisonFitsSession(const std::vector<core::ExperimentConfig>& configs) {
  if (configs.size() < 2) return;  // one run is checked when it is built
  std::int64_t before = 0;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const core::ExperimentConfig& c = configs[i];
    core::validate(c);
    const core::TaskKind task = c.data.task();
    const core::Index outputs = task == core::TaskKind::MultiClass ? c.data.classCount() : 1;
    const core::NetworkSpec spec = networkFor(c, c.data.inputCount(), outputs, task);
    checkStateFitsSession(c, spec, c.data.samples, before, "runs[" + std::to_string(i) + "].");
    before += stateBytesBound(c, spec, c.data.samples);
  }
}

}  // namespace gradscope::app
