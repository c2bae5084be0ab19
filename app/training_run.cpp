#include "training_run.h"

#include <sstream>

namespace gradscope::app {

using namespace gradscope::core;

NetworkSpec networkFor(const ExperimentConfig& config, Index inputs, Index outputs, TaskKind task) {
  if (config.network) return *config.network;
  return buildNetworkSpec(config.model, inputs, outputs, task);
}

namespace {

std::string describe(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

template <typename T>
class TypedRun final : public TrainingRun {
 public:
  explicit TypedRun(const ExperimentConfig& config) : TrainingRun(config) {
    validate(config);
    m_data = makeData(config);
    m_trainer = makeTrainer(config, m_data);
    m_trainer->setProber(&m_prober);
  }

  std::vector<std::string> apply(const ExperimentConfig& next) override {
    validate(next);
    std::vector<std::string> changes;
    const ExperimentConfig& now = m_config;
    const bool dataChanged = next.data != now.data || next.split != now.split;
    SplitData data = dataChanged ? makeData(next) : SplitData{};
    const SplitData& d = dataChanged ? data : m_data;
    const NetworkSpec nextSpec =
        networkFor(next, d.train.featureCount(), d.train.outputCount(), d.train.task);
    const NetworkSpec spec = m_trainer->network().spec();  // a copy: the trainer may be replaced

    if (dataChanged || !sameStructure(nextSpec, spec)) {
      // A new network continues the run; every weight that still fits is carried over.
      auto trainer = makeTrainer(next, d, nextSpec);
      const int carried = trainer->continueFrom(*m_trainer);
      trainer->setProber(&m_prober);
      m_trainer = std::move(trainer);
      if (dataChanged) {
        m_data = std::move(data);
        changes.push_back("data: " + std::string(toString(next.data.kind)) + ", " +
                          std::to_string(next.data.samples) + " samples, noise " +
                          describe(next.data.noise));
      }
      if (!sameStructure(nextSpec, spec)) {
        changes.push_back("network rebuilt (" + std::to_string(carried) + " weight tensors kept)");
      }
    } else {
      for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        if (spec.layers[i].activation != nextSpec.layers[i].activation) {
          changes.push_back("layer " + std::to_string(i + 1) + " activation: " +
                            std::string(toString(spec.layers[i].activation.kind)) + " -> " +
                            std::string(toString(nextSpec.layers[i].activation.kind)));
          m_trainer->setActivation(int(i), nextSpec.layers[i].activation);
        }
      }
      if (next.optimizer != now.optimizer) {
        const bool fresh = next.optimizer.kind != now.optimizer.kind;
        m_trainer->setOptimizerSettings(next.optimizer);
        changes.push_back(fresh
                              ? "optimiser: " + std::string(toString(now.optimizer.kind)) + " -> " +
                                    std::string(toString(next.optimizer.kind)) + " (fresh state)"
                              : "optimiser hyper-parameters (state kept), learning rate " +
                                    describe(next.optimizer.learningRate));
      }
      if (next.schedule != now.schedule) {
        m_trainer->setSchedule(next.schedule);
        changes.push_back("schedule: " + std::string(toString(next.schedule.kind)) + " from step " +
                          std::to_string(m_trainer->stepCount()));
      }
      const TrainingSettings& a = now.training;
      const TrainingSettings& b = next.training;
      if (a.batchSize != b.batchSize) {
        m_trainer->setBatchSize(b.batchSize);
        changes.push_back("batch size: " + std::to_string(b.batchSize));
      }
      if (a.epochs != b.epochs) {
        m_trainer->setEpochs(b.epochs);
        changes.push_back("epochs: " + std::to_string(b.epochs));
      }
      if (a.shuffle != b.shuffle) {
        m_trainer->setShuffle(b.shuffle);
        changes.push_back(b.shuffle ? "shuffling on" : "shuffling off");
      }
      if (a.clip != b.clip) {
        m_trainer->setClip(b.clip);
        changes.push_back("clipping: " + std::string(toString(b.clip.mode)) +
                          (b.clip.mode == ClipMode::None ? "" : " " + describe(b.clip.threshold)));
      }
      if (a.earlyStopping != b.earlyStopping) {
        m_trainer->setEarlyStopping(b.earlyStopping);
        changes.push_back(b.earlyStopping ? "early stopping: patience " +
                                                std::to_string(b.earlyStopping->patience)
                                          : "early stopping off");
      }
      if (a.plateau != b.plateau) {
        m_trainer->setPlateau(b.plateau);
        changes.push_back(b.plateau ? "reduce on plateau: factor " + describe(b.plateau->factor)
                                    : "reduce on plateau off");
      }
    }
    if (next.model.initializer != now.model.initializer) {
      changes.push_back("initialiser: " + std::string(toString(next.model.initializer.kind)) +
                        " (takes effect at reset)");
    }
    if (next.training.seed != now.training.seed) {
      changes.push_back("seed: " + std::to_string(next.training.seed) + " (takes effect at reset)");
    }
    m_config = next;
    return changes;
  }

  const StepProbe& step() override {
    m_trainer->step();
    return m_prober.last();
  }

  void reset() override {
    // A reset rebuilds from the configuration, so a changed seed or initialiser applies.
    m_trainer = makeTrainer(m_config, m_data);
    m_trainer->setProber(&m_prober);
    m_prober.reset();
  }

  std::int64_t stepCount() const override { return m_trainer->stepCount(); }
  int epoch() const override { return m_trainer->epoch(); }
  Index stepsPerEpoch() const override { return m_trainer->stepsPerEpoch(); }
  std::int64_t plannedSteps() const override { return m_trainer->plannedSteps(); }
  double currentLearningRate() const override { return m_trainer->currentLearningRate(); }
  StopReason stopReason() const override { return m_trainer->stopReason(); }
  std::string stopMessage() const override { return m_trainer->stopMessage(); }
  const std::optional<EpochRecord>& lastEpoch() const override { return m_trainer->lastEpoch(); }
  int denseLayerCount() const override {
    return int(denseLayerIndices(m_trainer->network().spec()).size());
  }
  LrRangeTestResult lrRangeTest(const LrRangeTestSettings& s) const override {
    return runLrRangeTest(*m_trainer, s);
  }
  void setProbeSettings(const ProbeSettings& settings) override { m_prober.setSettings(settings); }
  Eigen::VectorXd parameters() const override {
    return m_trainer->network().parameters().template cast<double>();
  }

 private:
  static SplitData makeData(const ExperimentConfig& config) {
    return splitData(generate(config.data), config.split);
  }

  static std::unique_ptr<Trainer<T>> makeTrainer(const ExperimentConfig& config,
                                                 const SplitData& data,
                                                 std::optional<NetworkSpec> spec = {}) {
    const NetworkSpec network = spec ? *spec
                                     : networkFor(config, data.train.featureCount(),
                                                  data.train.outputCount(), data.train.task);
    return std::make_unique<Trainer<T>>(network, lossFor(data.train.task), data.train,
                                        data.validation, config.optimizer, config.schedule,
                                        config.training);
  }

  // Equal up to activations, which change in place.
  static bool sameStructure(NetworkSpec a, NetworkSpec b) {
    if (a.layers.size() != b.layers.size()) return false;
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
      a.layers[i].activation = b.layers[i].activation;
      // Initialisers act only at a reset.
      a.layers[i].kernelInitializer = b.layers[i].kernelInitializer;
      a.layers[i].biasInitializer = b.layers[i].biasInitializer;
    }
    return a == b;
  }

  SplitData m_data;
  std::unique_ptr<Trainer<T>> m_trainer;
  Prober<T> m_prober;
};

}  // namespace

std::unique_ptr<TrainingRun> TrainingRun::create(const ExperimentConfig& config) {
  if (config.precision == Precision::Float64) return std::make_unique<TypedRun<double>>(config);
  return std::make_unique<TypedRun<float>>(config);
}

}  // namespace gradscope::app
