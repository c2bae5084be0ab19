#include "app/worker/training_run.h"

#include "core/backprop/backprop_tracer.h"

#include "app/data/prepared_data.h"
#include "app/worker/model_insight_builder.h"

#include <sstream>

#include "app/sessions/session_size.h"
#include "core/model/settings_schema.h"
#include "core/regions/activation_patterns.h"
#include "core/regions/region_grid.h"
#include "core/regions/region_labeler.h"

namespace gradscope::app {

using namespace gradscope::core;

NetworkSpec networkFor(const ExperimentConfig& config, Index inputs, Index outputs, TaskKind task) {
  if (config.network) return *config.network;
  return buildNetworkSpec(config.model, inputs, outputs, task, config.optimizer.conventions);
}

namespace {

std::string describe(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// What changed between two networks' Dense layers, e.g. "layer 2: 100 -> 50 units", or
// "3 -> 4 Dense layers" when their number changed; empty when every width is kept.
std::string widthChanges(const NetworkSpec& from, const NetworkSpec& to) {
  const std::vector<int> a = denseLayerIndices(from), b = denseLayerIndices(to);
  if (a.size() != b.size()) {
    return std::to_string(a.size()) + " -> " + std::to_string(b.size()) + " Dense layers";
  }
  std::string text;
  for (std::size_t d = 0; d < a.size(); ++d) {
    const Index x = from.layers[std::size_t(a[d])].units, y = to.layers[std::size_t(b[d])].units;
    if (x == y) continue;
    text += (text.empty() ? "" : ", ") + std::string("layer ") + std::to_string(d + 1) + ": " +
            std::to_string(x) + " -> " + std::to_string(y) + " units";
  }
  return text;
}

template <typename T>
class TypedRun final : public TrainingRun {
 public:
  TypedRun(const ExperimentConfig& config, std::optional<Dataset> given)
      : TrainingRun(config), m_given(std::move(given)) {
    validate(config);
    m_prepared = makeData(config, m_given);
    const NetworkSpec spec = networkFor(config, data().train.featureCount(),
                                        data().train.outputCount(), data().train.task);
    // Refused before anything is allocated when its state could not be saved in a session.
    checkStateFitsSession(config, spec, data().train.sampleCount());
    m_trainer = makeTrainer(config, *m_prepared, spec);
    m_trainer->setProber(&m_prober);
    restartHistory();
  }

  std::vector<std::string> apply(const ExperimentConfig& next) override {
    validate(next);
    std::vector<std::string> changes;
    const ExperimentConfig& now = m_config;
    const bool dataChanged = next.data != now.data || next.split != now.split;
    // Given data stays unless the data settings themselves change (then they are generated).
    const bool keepGiven = m_given && next.data == now.data;
    std::shared_ptr<const PreparedData> prepared =
        dataChanged ? makeData(next, keepGiven ? m_given : std::nullopt) : m_prepared;
    const SplitData& d = prepared->split();
    const NetworkSpec nextSpec =
        networkFor(next, d.train.featureCount(), d.train.outputCount(), d.train.task);
    const NetworkSpec spec = m_trainer->network().spec();  // a copy: the trainer may be replaced
    // A wider network or an optimiser with more state must still fit in a session.
    checkStateFitsSession(next, nextSpec, d.train.sampleCount());

    if (dataChanged || !sameStructure(nextSpec, spec)) {
      // A new network continues the run; every weight that still fits is carried over.
      auto trainer = makeTrainer(next, *prepared, nextSpec);
      const int carried = trainer->continueFrom(*m_trainer);
      trainer->setProber(&m_prober);
      m_trainer = std::move(trainer);
      // Weights of another shape live in another space: the trajectory starts again here.
      if (m_history.empty() ||
          m_history.sample(0).size() != m_trainer->network().parameterCount()) {
        restartHistory();
      }
      if (dataChanged) {
        m_prepared = std::move(prepared);
        if (!keepGiven) m_given.reset();
        if (keepGiven || !next.data.builtin.empty()) {
          // A loaded or built-in data set: what the split made of it.
          const std::string name = keepGiven ? m_given->name : next.data.builtin;
          changes.push_back("data: " + name + ", " + std::to_string(data().train.sampleCount()) +
                            " training and " + std::to_string(data().validation.sampleCount()) +
                            " validation samples");
        } else {
          changes.push_back("data: " + std::string(toString(next.data.kind)) + ", " +
                            std::to_string(next.data.samples) + " samples, noise " +
                            describe(next.data.noise));
        }
      }
      if (!sameStructure(nextSpec, spec)) {
        // What changed, from what to what, then what survived.
        std::string what;
        for (const SettingMeta& meta : experimentSettings()) {
          // A layer list's change is said below, layer by layer.
          if (meta.effect != SettingEffect::Rebuild || meta.key == "model.layers") continue;
          const SettingValue before = meta.get(now), after = meta.get(next);
          if (before == after) continue;
          what += (what.empty() ? "" : ", ") + meta.key.substr(meta.key.find('.') + 1) + " " +
                  formatSettingValue(before) + " -> " + formatSettingValue(after);
        }
        // Says what changed and what was kept: a width change redraws only the tensors of the
        // layers whose shape changed.
        const std::string widths = widthChanges(spec, nextSpec);
        if (!widths.empty() && (!now.model.layers.empty() || !next.model.layers.empty()))
          what += (what.empty() ? "" : ", ") + widths;
        changes.push_back("network rebuilt" + (what.empty() ? std::string() : ": " + what) + " (" +
                          std::to_string(carried) + " of " +
                          std::to_string(m_trainer->network().layout().size()) +
                          " weight tensors kept)");
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
                          : next.optimizer.learningRate != now.optimizer.learningRate
                              ? "learning rate: " + describe(now.optimizer.learningRate) + " -> " +
                                    describe(next.optimizer.learningRate) + " (state kept)"
                              : "optimiser hyper-parameters (state kept)");
      }
      if (next.schedule != now.schedule) {
        m_trainer->setSchedule(next.schedule);
        changes.push_back("schedule: " +
                          (next.schedule.kind == now.schedule.kind
                               ? std::string(toString(next.schedule.kind)) + " (new settings)"
                               : std::string(toString(now.schedule.kind)) + " -> " +
                                     std::string(toString(next.schedule.kind))) +
                          " from step " + std::to_string(m_trainer->stepCount()));
      }
      const TrainingSettings& a = now.training;
      const TrainingSettings& b = next.training;
      if (a.batchSize != b.batchSize) {
        m_trainer->setBatchSize(b.batchSize);
        changes.push_back("batch size: " + std::to_string(a.batchSize) + " -> " +
                          std::to_string(b.batchSize));
      }
      if (a.epochs != b.epochs) {
        m_trainer->setEpochs(b.epochs);
        changes.push_back("epochs: " + std::to_string(a.epochs) + " -> " +
                          std::to_string(b.epochs));
      }
      if (a.shuffle != b.shuffle) {
        m_trainer->setShuffle(b.shuffle);
        changes.push_back(b.shuffle ? "shuffling on" : "shuffling off");
      }
      if (a.clip != b.clip) {
        m_trainer->setClip(b.clip);
        auto clip = [&](const ClipSettings& c) {
          return std::string(toString(c.mode)) +
                 (c.mode == ClipMode::None ? "" : " " + describe(c.threshold));
        };
        changes.push_back("clipping: " + clip(a.clip) + " -> " + clip(b.clip));
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
    // The schema says which settings wait for a reset (initialiser, seed).
    for (const SettingMeta* meta : changedSettings(now, next)) {
      if (meta->effect != SettingEffect::AtReset) continue;
      changes.push_back(meta->label + ": " + formatSettingValue(meta->get(next)) +
                        " (takes effect at reset)");
    }
    m_config = next;
    return changes;
  }

  const StepProbe& step() override {
    m_trainer->step();
    if (m_history.due(m_trainer->stepCount()))
      m_history.record(m_trainer->stepCount(), m_trainer->network().parameters());
    return m_prober.last();
  }

  void reset() override {
    // A reset rebuilds from the configuration, so a changed seed or initialiser applies.
    m_trainer = makeTrainer(m_config, *m_prepared);
    m_trainer->setProber(&m_prober);
    m_prober.reset();
    restartHistory();
    m_regionLabeler.reset();
  }

  void reinitialize() override {
    // A different draw than at step 0: the seed is offset by the step count.
    ExperimentConfig config = m_config;
    config.training.seed = m_config.training.seed + std::uint64_t(m_trainer->stepCount()) + 1;
    auto trainer = makeTrainer(config, *m_prepared);
    trainer->continueFrom(*m_trainer, false);
    trainer->setProber(&m_prober);
    m_trainer = std::move(trainer);
    restartHistory();
  }

  std::unique_ptr<WeightSpaceLoss> weightSpaceLoss(Index maxSamples) const override {
    return makeWeightSpaceLoss(*m_trainer, maxSamples, m_config.training.seed);
  }
  const WeightHistory& weightHistory() const override { return m_history; }

  std::int64_t stepCount() const override { return m_trainer->stepCount(); }
  int epoch() const override { return m_trainer->epoch(); }
  Index stepsPerEpoch() const override { return m_trainer->stepsPerEpoch(); }
  std::int64_t plannedSteps() const override { return m_trainer->plannedSteps(); }
  double currentLearningRate() const override { return m_trainer->currentLearningRate(); }
  StopReason stopReason() const override { return m_trainer->stopReason(); }
  std::string stopMessage() const override { return m_trainer->stopMessage(); }
  std::string stopSummary() const override { return m_trainer->stopSummary(); }
  const std::optional<EpochRecord>& lastEpoch() const override { return m_trainer->lastEpoch(); }
  int denseLayerCount() const override {
    return int(denseLayerIndices(m_trainer->network().spec()).size());
  }
  LrRangeTestResult lrRangeTest(const LrRangeTestSettings& s) const override {
    return runLrRangeTest(*m_trainer, s);
  }
  std::unique_ptr<LrRangeTestJob> startLrRangeTest(const LrRangeTestSettings& s) const override {
    return std::make_unique<LrRangeTest<T>>(*m_trainer, s);
  }
  void setProbeSettings(const ProbeSettings& settings) override { m_prober.setSettings(settings); }
  BackpropTrace traceNextStep() const override { return core::traceNextStep(*m_trainer); }
  std::optional<std::string> backpropRefusal() const override {
    return core::backpropRefusal(m_trainer->network().spec());
  }
  Eigen::VectorXd parameters() const override {
    return m_trainer->network().parameters().template cast<double>();
  }
  TrainerState captureState() const override { return m_trainer->captureState(); }
  void restoreState(const TrainerState& state) override {
    m_trainer->restoreState(state);
    restartHistory();
  }
  const std::optional<Dataset>& givenData() const override { return m_given; }
  Eigen::MatrixXd tensor(const std::string& name) const override {
    const Network<T>& network = m_trainer->network();
    const ParameterTensor* found = network.findTensor(name);
    return found ? network.tensorValue(*found) : Eigen::MatrixXd();
  }

  std::vector<DenseWeights> denseWeights() const override {
    const Network<T>& net = m_trainer->network();
    const std::vector<int> dense = denseLayerIndices(net.spec());
    std::vector<DenseWeights> out;
    for (std::size_t d = 0; d < dense.size(); ++d) {
      const LayerSpec& layer = net.spec().layers[std::size_t(dense[d])];
      DenseWeights w;
      w.output = d + 1 == dense.size();
      w.kernelInitializer = layer.kernelInitializer;
      w.biasInitializer = layer.biasInitializer;
      for (const ParameterTensor& t : net.layout()) {
        if (t.layer != dense[d]) continue;
        if (t.role == TensorRole::Kernel) w.kernel = net.tensorValue(t);
        if (t.role == TensorRole::Bias) w.bias = net.tensorValue(t);
      }
      out.push_back(std::move(w));
    }
    return out;
  }

  int adoptWeights(const std::vector<DenseWeights>& source) override {
    Network<T>& net = m_trainer->network();
    const std::vector<DenseWeights> mine = denseWeights();
    const std::vector<int> dense = denseLayerIndices(net.spec());
    int taken = 0;
    for (std::size_t d = 0; d < mine.size(); ++d) {
      // Hidden layers pair by position, the output layer with the output layer.
      const DenseWeights* theirs = nullptr;
      if (mine[d].output && !source.empty() && source.back().output) {
        theirs = &source.back();
      } else if (!mine[d].output && d < source.size() && !source[d].output) {
        theirs = &source[d];
      }
      if (!theirs || theirs->kernelInitializer != mine[d].kernelInitializer ||
          theirs->biasInitializer != mine[d].biasInitializer ||
          theirs->kernel.rows() != mine[d].kernel.rows() ||
          theirs->kernel.cols() != mine[d].kernel.cols() ||
          theirs->bias.size() != mine[d].bias.size()) {
        continue;
      }
      for (const ParameterTensor& t : net.layout()) {
        if (t.layer != dense[d]) continue;
        if (t.role == TensorRole::Kernel) net.setTensorValue(t, theirs->kernel);
        if (t.role == TensorRole::Bias) net.setTensorValue(t, theirs->bias);
      }
      ++taken;
    }
    if (taken > 0) restartHistory();  // the run now starts from these weights
    return taken;
  }

  std::vector<std::int64_t> sampleOrder() const override { return m_trainer->sampleOrder(); }

  std::uint64_t dataFingerprint() const override { return m_prepared->fingerprint(); }

  std::shared_ptr<const DecisionField> decisionField(int resolution) override {
    if (data().train.featureCount() != 2 || resolution < 2) return nullptr;
    auto field = std::make_shared<DecisionField>();
    field->resolution = resolution;
    // The plane spans every point (train and validation) with a 5% margin.
    Eigen::MatrixXd all(2, data().train.sampleCount() + data().validation.sampleCount());
    all << data().standardizer.inverseTransform(data().train.inputs),
        data().validation.sampleCount() > 0
            ? data().standardizer.inverseTransform(data().validation.inputs)
            : Eigen::MatrixXd(2, 0);
    const Eigen::Vector2d lo = all.rowwise().minCoeff(), hi = all.rowwise().maxCoeff();
    const Eigen::Vector2d margin = (hi - lo) * 0.05 + Eigen::Vector2d::Constant(1e-6);
    field->xMin = lo(0) - margin(0);
    field->xMax = hi(0) + margin(0);
    field->yMin = lo(1) - margin(1);
    field->yMax = hi(1) + margin(1);
    const int n = resolution * resolution;
    // Grid points over the square, corners included, row-major from (xMin, yMin), in the
    // network's input coordinates.
    auto planeInputs = [&](int points) {
      Eigen::MatrixXd plane(2, points * points);
      for (int row = 0; row < points; ++row) {
        for (int col = 0; col < points; ++col) {
          plane(0, row * points + col) =
              field->xMin + (field->xMax - field->xMin) * col / (points - 1);
          plane(1, row * points + col) =
              field->yMin + (field->yMax - field->yMin) * row / (points - 1);
        }
      }
      return Matrix<T>(data().standardizer.transform(plane).template cast<T>());
    };
    const Matrix<T> input = planeInputs(resolution);
    Network<T>& net = m_trainer->network();
    Rng unused(0);
    const Matrix<T>& out = net.forward(input, Mode::Inference, unused);
    // Linear regions: from this forward pass when the field's grid is the finest affordable,
    // else from their own finer grid, after the field's values are read.
    const PiecewiseLinearCheck check = checkPiecewiseLinear(net.spec());
    const int regionResolution = regionGridResolution(net.spec(), resolution);
    ActivationPatterns patterns;
    if (!check.piecewiseLinear) {
      field->regionsUnavailable = QString::fromStdString(check.reason);
    } else if (regionResolution == resolution) {
      appendActivationPatterns(net, check, patterns);
    }
    for (Index k = 0; k < out.rows(); ++k) {
      std::vector<float> values(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) values[std::size_t(i)] = float(out(k, i));
      field->outputs.push_back(std::move(values));
    }
    // Network view for small networks: each Dense block's output and its kernel.
    const std::vector<int> dense = denseLayerIndices(net.spec());
    bool small = true;
    for (std::size_t d = 0; d + 1 < dense.size(); ++d) {
      small &= net.spec().layers[std::size_t(dense[d])].units <= DecisionField::kNetworkViewUnits;
    }
    if (small) {
      field->layerWidths.push_back(2);
      for (std::size_t d = 0; d < dense.size(); ++d) {
        const int blockEnd = d + 1 < dense.size() ? dense[d + 1] - 1 : net.layerCount() - 1;
        const Matrix<T>& a = net.layerOutput(blockEnd);
        std::vector<std::vector<float>> units;
        for (Index u = 0; u < a.rows(); ++u) {
          std::vector<float> values(static_cast<std::size_t>(n));
          for (int i = 0; i < n; ++i) values[std::size_t(i)] = float(a(u, i));
          units.push_back(std::move(values));
        }
        field->unitOutputs.push_back(std::move(units));
        const auto* kernel = net.findTensor("layers[" + std::to_string(dense[d]) + "].kernel");
        const Eigen::MatrixXd k = net.tensorValue(*kernel);
        field->kernels.emplace_back(k.data(), k.data() + k.size());
        field->layerWidths.push_back(int(k.cols()));
      }
    }
    if (check.piecewiseLinear) {
      if (regionResolution != resolution)
        patterns = activationPatterns(net, planeInputs(regionResolution));
      const std::vector<int> ids = m_regionLabeler.label(patterns);
      field->regionIds.assign(ids.begin(), ids.end());
      field->regionResolution = regionResolution;
      field->regionCount = m_regionLabeler.regionCount();
      field->patternUnits = check.units;
    }
    return field;
  }

  std::shared_ptr<const ModelInsight> modelInsight() override {
    return buildModelInsight(m_trainer->network(), data());
  }

  std::shared_ptr<const SignalPropagation> signalPropagation() override {
    const Dataset& train = data().train;
    const Index n = std::min<Index>(train.sampleCount(), SignalOptions{}.samples);
    if (n < 2) return nullptr;
    const Matrix<T> x = train.inputs.leftCols(n).template cast<T>();
    const Matrix<T> y = train.targets.leftCols(n).template cast<T>();
    try {
      auto result = std::make_shared<SignalPropagation>(
          analyseSignalPropagation(m_trainer->network(), x, y, lossFor(train.task)));
      result->measuredAtStep = m_trainer->stepCount();
      return result;
    } catch (const Error&) {
      return nullptr;  // data that does not fit the network: nothing to show
    }
  }

  std::shared_ptr<const DataPoints> dataPoints() const override {
    if (data().train.featureCount() != 2) return nullptr;
    auto points = std::make_shared<DataPoints>();
    const TaskKind task = data().train.task;
    points->classification = task != TaskKind::Regression;
    points->classes = task == TaskKind::MultiClass ? int(data().train.outputCount()) : 2;
    for (const Dataset* set : {&data().train, &data().validation}) {
      if (set->sampleCount() == 0) continue;
      const Eigen::MatrixXd x = data().standardizer.inverseTransform(set->inputs);
      for (Index i = 0; i < set->sampleCount(); ++i) {
        points->x.push_back(float(x(0, i)));
        points->y.push_back(float(x(1, i)));
        points->value.push_back(points->classification ? float(set->classOf(i))
                                                       : float(set->targets(0, i)));
        points->validation.push_back(set == &data().validation);
      }
    }
    return points;
  }

  std::shared_ptr<const LearningRatePlan> learningRatePlan(
      int maxPoints, const std::optional<ScheduleSettings>& held) const override {
    auto plan = std::make_shared<LearningRatePlan>();
    const std::int64_t origin = m_trainer->scheduleOrigin();
    const std::int64_t now = m_trainer->stepCount();
    const std::int64_t end = std::max(m_trainer->plannedSteps(), now + 1);
    plan->firstStep = origin;
    plan->stride = std::max<std::int64_t>(1, (end - origin + maxPoints - 1) / maxPoints);
    const Schedule& schedule = m_trainer->schedule();
    const std::unique_ptr<Schedule> next = held ? m_trainer->scheduleFor(*held, now) : nullptr;
    const double scale = m_trainer->learningRateScale();
    bool everyMomentum = true;
    for (std::int64_t t = origin; t < end; t += plan->stride) {
      const bool later = next && t >= now;
      const Schedule& in = later ? *next : schedule;
      const std::int64_t at = t - (later ? now : origin);
      plan->rates.push_back(in.learningRate(at) * scale);
      const auto m = in.momentum(at);
      everyMomentum = everyMomentum && m.has_value();
      if (m) plan->momenta.push_back(*m);
    }
    if (!everyMomentum) plan->momenta.clear();  // one schedule plans it, the other does not
    return plan;
  }

  std::optional<SharpnessMeasurement> measureSharpness() override {
    return m_sharpness.measure(*m_trainer, data().train);
  }

 private:
  static std::shared_ptr<const PreparedData> makeData(const ExperimentConfig& config,
                                                      const std::optional<Dataset>& given) {
    return given ? preparedData(*given, config.split) : preparedData(config.data, config.split);
  }

  static std::unique_ptr<Trainer<T>> makeTrainer(const ExperimentConfig& config,
                                                 const PreparedData& prepared,
                                                 std::optional<NetworkSpec> spec = {}) {
    const SplitData& data = prepared.split();
    const NetworkSpec network = spec ? *spec
                                     : networkFor(config, data.train.featureCount(),
                                                  data.train.outputCount(), data.train.task);
    return std::make_unique<Trainer<T>>(network, lossFor(data.train.task), data.train,
                                        data.validation, config.optimizer, config.schedule,
                                        config.training, prepared.converted<T>());
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

  // The weights now start the history: after a reset, a new draw, adopted or restored weights.
  void restartHistory() {
    m_history.clear();
    m_history.record(m_trainer->stepCount(), m_trainer->network().parameters());
  }

  std::optional<Dataset> m_given;
  std::shared_ptr<const PreparedData> m_prepared;  // shared with runs of the same data
  const SplitData& data() const { return m_prepared->split(); }
  RegionLabeler m_regionLabeler;  // region ids of the decision field, kept between refreshes
  std::unique_ptr<Trainer<T>> m_trainer;
  Prober<T> m_prober;
  WeightHistory m_history;
  SharpnessMeter m_sharpness;  // keeps its eigenvector between estimates (warm start)
};

}  // namespace

std::unique_ptr<TrainingRun> TrainingRun::create(const ExperimentConfig& config) {
  if (config.precision == Precision::Float64) {
    return std::make_unique<TypedRun<double>>(config, std::nullopt);
  }
  return std::make_unique<TypedRun<float>>(config, std::nullopt);
}

std::unique_ptr<TrainingRun> TrainingRun::create(const ExperimentConfig& config,
                                                 const Dataset& data) {
  if (config.precision == Precision::Float64) {
    return std::make_unique<TypedRun<double>>(config, data);
  }
  return std::make_unique<TypedRun<float>>(config, data);
}

}  // namespace gradscope::app
