#include "core/model/settings_schema.h"

#include "core/model/hidden_layer_list.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "core/optimizers/optimizer_registry.h"
#include "core/schedules/schedule.h"

namespace gradscope::core {

namespace {

using Get = std::function<SettingValue(const ExperimentConfig&)>;
using Relevant = std::function<bool(const ExperimentConfig&)>;
const Relevant kAlways = [](const ExperimentConfig&) { return true; };

double asReal(const SettingValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return double(*i);
  throw Error("value", "expected a number");
}
std::int64_t asInt(const SettingValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::floor(*d) == *d && std::abs(*d) < 9e15) return std::int64_t(*d);
  }
  throw Error("value", "expected a whole number");
}
bool asBool(const SettingValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  throw Error("value", "expected true or false");
}
const std::string& asText(const SettingValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  throw Error("value", "expected a name");
}
const std::vector<double>& asList(const SettingValue& v) {
  if (const auto* l = std::get_if<std::vector<double>>(&v)) return *l;
  throw Error("value", "expected a list of numbers");
}

template <typename Enum, std::size_t N>
std::vector<std::string> namesOf(const Enum (&values)[N]) {
  std::vector<std::string> names;
  for (Enum e : values) names.emplace_back(toString(e));
  return names;
}

// The schedule's rate at its first step, or nothing while its settings are invalid.
std::optional<double> scheduledStartRate(const ExperimentConfig& c) {
  try {
    ScheduleSettings schedule = c.schedule;
    if (schedule.kind == ScheduleKind::OneCycle && schedule.totalSteps <= 0) {
      schedule.totalSteps = 1000;  // the start does not depend on the length
    }
    return makeSchedule(schedule, c.optimizer.learningRate)->learningRate(0);
  } catch (const Error&) {
    return std::nullopt;
  }
}

SettingMeta& findIn(std::vector<SettingMeta>& all, std::string_view key) {
  for (SettingMeta& m : all) {
    if (m.key == key) return m;
  }
  throw Error(std::string(key), "not in the schema");
}

// The generator's own settings mean nothing for a real data set.
bool generated(const ExperimentConfig& c) { return c.data.builtin.empty(); }

class Builder {
 public:
  explicit Builder(std::vector<SettingMeta>& out) : m_out(out) {}
  void group(std::string name) { m_group = std::move(name); }

  SettingMeta& add(SettingMeta meta) {
    meta.group = m_group;
    if (!meta.relevant) meta.relevant = kAlways;
    m_out.push_back(std::move(meta));
    return m_out.back();
  }
  SettingMeta& real(std::string key, std::string label, double lo, double hi, std::string unit,
                    std::string tooltip, std::function<double&(ExperimentConfig&)> field,
                    SettingEffect effect = SettingEffect::Live, bool log = false) {
    SettingMeta m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.type = SettingType::Real;
    m.minimum = lo;
    m.maximum = hi;
    m.logScale = log;
    m.unit = std::move(unit);
    m.tooltip = std::move(tooltip);
    m.effect = effect;
    m.get = [field](const ExperimentConfig& c) {
      return SettingValue(field(const_cast<ExperimentConfig&>(c)));
    };
    m.set = [field](ExperimentConfig& c, const SettingValue& v) { field(c) = asReal(v); };
    return add(std::move(m));
  }
  template <typename IntT>
  SettingMeta& integer(std::string key, std::string label, double lo, double hi, std::string unit,
                       std::string tooltip, std::function<IntT&(ExperimentConfig&)> field,
                       SettingEffect effect = SettingEffect::Live) {
    SettingMeta m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.type = SettingType::Int;
    m.minimum = lo;
    m.maximum = hi;
    m.unit = std::move(unit);
    m.tooltip = std::move(tooltip);
    m.effect = effect;
    m.get = [field](const ExperimentConfig& c) {
      return SettingValue(std::int64_t(field(const_cast<ExperimentConfig&>(c))));
    };
    m.set = [field](ExperimentConfig& c, const SettingValue& v) { field(c) = IntT(asInt(v)); };
    return add(std::move(m));
  }
  SettingMeta& boolean(std::string key, std::string label, std::string tooltip,
                       std::function<bool&(ExperimentConfig&)> field,
                       SettingEffect effect = SettingEffect::Live) {
    SettingMeta m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.type = SettingType::Bool;
    m.maximum = 1;
    m.tooltip = std::move(tooltip);
    m.effect = effect;
    m.get = [field](const ExperimentConfig& c) {
      return SettingValue(field(const_cast<ExperimentConfig&>(c)));
    };
    m.set = [field](ExperimentConfig& c, const SettingValue& v) { field(c) = asBool(v); };
    return add(std::move(m));
  }
  SettingMeta& choice(std::string key, std::string label, std::vector<std::string> choices,
                      std::string tooltip, Get get,
                      std::function<void(ExperimentConfig&, const std::string&)> set,
                      SettingEffect effect = SettingEffect::Live) {
    SettingMeta m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.type = SettingType::Choice;
    m.choices = std::move(choices);
    m.tooltip = std::move(tooltip);
    m.effect = effect;
    m.get = std::move(get);
    m.set = [set](ExperimentConfig& c, const SettingValue& v) { set(c, asText(v)); };
    return add(std::move(m));
  }

 private:
  std::vector<SettingMeta>& m_out;
  std::string m_group;
};

// A switch for an optional callback (early stopping, reduce on plateau): on creates it with
// Keras's defaults, off removes it.
template <typename S>
SettingMeta enableSetting(std::string key, std::string label, std::string tooltip,
                          std::optional<S> TrainingSettings::*member) {
  SettingMeta m;
  m.key = std::move(key);
  m.label = std::move(label);
  m.type = SettingType::Bool;
  m.maximum = 1;
  m.tooltip = std::move(tooltip);
  m.get = [member](const ExperimentConfig& c) {
    return SettingValue((c.training.*member).has_value());
  };
  m.set = [member](ExperimentConfig& c, const SettingValue& v) {
    auto& callback = c.training.*member;
    if (!asBool(v)) {
      callback.reset();
    } else if (!callback) {
      callback.emplace();
    }
  };
  return m;
}

std::vector<SettingMeta> buildSettings() {
  std::vector<SettingMeta> all;
  Builder b(all);
  using C = ExperimentConfig;
  const SettingEffect data = SettingEffect::Data;
  const SettingEffect rebuild = SettingEffect::Rebuild;
  const SettingEffect atReset = SettingEffect::AtReset;

  // ---------------------------------------------------------------- Conventions
  // First in the list although its panel is Training's: files and the command line apply
  // settings in this order, so switching the conventions (which moves the hyper-parameters
  // still at their defaults) comes before any value a file or --set gives.
  b.group("Training");
  b.choice(
      "training.conventions", "Conventions", {"keras", "pytorch"},
      "Whose rules the engine follows where Keras and PyTorch differ: the form of SGD's "
      "momentum (equal at a constant rate, different once it changes), where epsilon goes, "
      "the defaults of epsilon, RMSprop's rho and AdaGrad's accumulator, weight decay, "
      "clipnorm, BatchNorm's running statistics and the default initialiser. Switching moves "
      "the settings still at one framework's default to the other's and restarts the run.",
      [](const C& c) { return SettingValue(std::string(toString(c.optimizer.conventions))); },
      [](C& c, const std::string& v) {
        const auto conventions = conventionsFromString(v);
        if (!conventions) throw Error("training.conventions", "expected keras or pytorch");
        switchConventions(c, *conventions);
      },
      rebuild);

  // ---------------------------------------------------------------- Data
  b.group("Data");
  {
    const DatasetKind kinds[] = {DatasetKind::Circle,  DatasetKind::Xor,    DatasetKind::Blobs,
                                 DatasetKind::Spirals, DatasetKind::Moons,  DatasetKind::Sine,
                                 DatasetKind::Plane,   DatasetKind::Teacher};
    std::vector<std::string> names = namesOf(kinds);
    names.insert(names.end(), std::begin(kBuiltinDatasets), std::end(kBuiltinDatasets));
    b.choice(
        "data.dataset", "Data set", names,
        "The problem to learn. 2-D sets (circle, xor, blobs, spirals, moons) show a decision "
        "boundary; 'teacher' labels high-dimensional inputs with a random deep network, so "
        "deep models have something to learn. The real data sets after them: Fashion-MNIST "
        "(70,000 clothing images; needs the Debian package dataset-fashion-mnist), Iris, "
        "Wine, Breast cancer (Wisconsin) and Digits (8x8 images).",
        [](const C& c) {
          return SettingValue(c.data.builtin.empty() ? std::string(toString(c.data.kind))
                                                     : c.data.builtin);
        },
        [](C& c, const std::string& v) {
          if (isBuiltinDataset(v)) {
            c.data.builtin = v;
            return;
          }
          const auto k = datasetKindFromString(v);
          if (!k) throw Error("data.dataset", "unknown data set '" + v + "'");
          c.data.kind = *k;
          c.data.builtin.clear();
        },
        data);
  }
  b.integer<Index>(
       "data.samples", "Samples", 4, 1000000, "samples",
       "How many examples are generated (training and validation together).",
       [](C& c) -> Index& { return c.data.samples; }, data)
      .relevant = generated;
  b.real(
       "data.noise", "Noise", 0.0, 10.0, "",
       "Random jitter added to the inputs (2-D sets) or targets (regression). More noise means "
       "more to overfit.",
       [](C& c) -> double& { return c.data.noise; }, data)
      .relevant = generated;
  b.integer<int>(
       "data.classes", "Classes", 2, 10, "",
       "Number of classes of the blobs, spirals and teacher data sets.",
       [](C& c) -> int& { return c.data.classes; }, data)
      .relevant = [](const C& c) {
    return generated(c) &&
           (c.data.kind == DatasetKind::Blobs || c.data.kind == DatasetKind::Spirals ||
            c.data.kind == DatasetKind::Teacher);
  };
  b.integer<int>(
       "data.features", "Input features", 1, 1000, "", "Input dimension of the teacher data set.",
       [](C& c) -> int& { return c.data.features; }, data)
      .relevant = [](const C& c) { return generated(c) && c.data.kind == DatasetKind::Teacher; };
  b.real(
       "data.x2_scale", "Scale of x2", DataSpec::kMinFeatureScale, DataSpec::kMaxFeatureScale, "",
       "Multiplies the second input feature. With standardisation off, features of very "
       "different scales make the loss a long, narrow valley in weight space: plain SGD must "
       "keep its rate small for the steep direction and crawls along the valley, and AdaGrad's "
       "rate decays too early.",
       [](C& c) -> double& { return c.data.secondFeatureScale; }, data)
      .relevant = [](const C& c) { return generated(c) && c.data.inputCount() >= 2; };
  b.integer<std::uint64_t>(
      "data.seed", "Data seed", 0, 1e15, "",
      "Seed of the data generator (and of a subset's draw): the same seed gives the same "
      "points.",
      [](C& c) -> std::uint64_t& { return c.data.seed; }, data);
  b.real(
      "data.validation_split", "Validation split", 0.0, SplitOptions::kMaxValidationFraction, "",
      "Fraction of the samples held out to measure generalisation (val_loss). 0 trains on "
      "everything.",
      [](C& c) -> double& { return c.split.validationFraction; }, data);
  // Subset and test-split validation (real data sets; the generators ignore neither).
  b.integer<Index>(
      "data.subset", "Training subset", 0, kMaxDatasetSamples, "samples",
      "Train on this many samples, drawn by the data seed (e.g. 5,000 of Fashion-MNIST's "
      "60,000) to trade accuracy for speed. 0 uses them all.",
      [](C& c) -> Index& { return c.split.subset; }, data);
  b.boolean(
      "data.validate_on_test_split", "Validate on the test split",
      "Measure val_loss on the data set's own test samples (Fashion-MNIST's 10,000) instead "
      "of holding out a fraction of the training data. Data sets without a test split use "
      "the fraction.",
      [](C& c) -> bool& { return c.split.validateOnTestSplit; }, data);
  b.boolean(
      "data.standardize", "Standardise inputs",
      "Scale each input feature to mean 0 and standard deviation 1, fitted on the "
      "training split only. Self-normalising networks assume it.",
      [](C& c) -> bool& { return c.split.standardize; }, data);

  // ---------------------------------------------------------------- Network
  b.group("Network");
  b.integer<int>(
      "model.hidden_layers", "Hidden layers", 0, 250, "layers",
      "Depth of the network. Deep stacks of sigmoid or tanh layers show vanishing "
      "gradients: the first layers barely learn.",
      [](C& c) -> int& { return c.model.hiddenLayers; }, rebuild);
  b.integer<Index>(
      "model.width", "Units per layer", 1, double(kMaxUnits), "units",
      "Width of every hidden layer.", [](C& c) -> Index& { return c.model.width; }, rebuild);
  {
    const ActivationKind hidden[] = {ActivationKind::Linear,    ActivationKind::Sigmoid,
                                     ActivationKind::Tanh,      ActivationKind::Relu,
                                     ActivationKind::LeakyRelu, ActivationKind::Elu,
                                     ActivationKind::Selu};
    b.choice(
        "model.activation", "Hidden activation", namesOf(hidden),
        "Sigmoid and tanh saturate (tiny derivatives), which shrinks gradients layer by "
        "layer; ReLU keeps slope 1 for positive inputs but units can die; leaky ReLU, ELU "
        "and SELU do not saturate for negative inputs.",
        [](const C& c) {
          return SettingValue(std::string(toString(c.model.hiddenActivation.kind)));
        },
        [](C& c, const std::string& v) {
          const auto k = activationKindFromString(v);
          if (!k || *k == ActivationKind::Softmax) {
            throw Error("model.activation", "unknown hidden activation '" + v + "'");
          }
          c.model.hiddenActivation.kind = *k;
        });
  }
  b.real("model.leaky_slope", "Leaky ReLU slope", 0.0, 0.99, "",
         "Slope of leaky ReLU for negative inputs (Keras's function default 0.2).",
         [](C& c) -> double& { return c.model.hiddenActivation.negativeSlope; })
      .relevant = [](const C& c) {
    return c.model.hiddenActivation.kind == ActivationKind::LeakyRelu;
  };
  b.real("model.elu_alpha", "ELU alpha", 0.0, 10.0, "",
         "ELU's negative saturation value: f(z) approaches -alpha for very negative z.",
         [](C& c) -> double& { return c.model.hiddenActivation.alpha; })
      .relevant = [](const C& c) { return c.model.hiddenActivation.kind == ActivationKind::Elu; };
  {
    const InitializerKind inits[] = {InitializerKind::Zeros,         InitializerKind::Constant,
                                     InitializerKind::RandomNormal,  InitializerKind::RandomUniform,
                                     InitializerKind::GlorotUniform, InitializerKind::GlorotNormal,
                                     InitializerKind::HeUniform,     InitializerKind::HeNormal,
                                     InitializerKind::LecunUniform,  InitializerKind::LecunNormal,
                                     InitializerKind::PytorchDefault};
    b.choice(
        "model.initializer", "Initialiser", namesOf(inits),
        "How the weights start. Glorot (variance 1/fan_avg) suits tanh and sigmoid, He "
        "(2/fan_in) ReLU, LeCun (1/fan_in) SELU. Zeros or a constant leave every unit of a "
        "layer identical: symmetry is never broken.",
        [](const C& c) { return SettingValue(std::string(toString(c.model.initializer.kind))); },
        [](C& c, const std::string& v) {
          const auto k = initializerKindFromString(v);
          if (!k) throw Error("model.initializer", "unknown initialiser '" + v + "'");
          c.model.initializer.kind = *k;
        },
        atReset);
  }
  b.real(
       "model.init_stddev", "Initial std. deviation", 0.0, 1000.0, "",
       "Standard deviation of the random-normal initialiser (Keras default 0.05). Too large "
       "saturates sigmoid layers or makes gradients explode.",
       [](C& c) -> double& { return c.model.initializer.stddev; }, atReset, true)
      .relevant = [](const C& c) {
    return c.model.initializer.kind == InitializerKind::RandomNormal;
  };
  b.real(
       "model.init_value", "Initial constant", -100.0, 100.0, "",
       "Value of the constant initialiser: every weight equal, so the units of a layer stay "
       "identical.",
       [](C& c) -> double& { return c.model.initializer.value; }, atReset)
      .relevant = [](const C& c) { return c.model.initializer.kind == InitializerKind::Constant; };
  {
    const BatchNormPlacement placements[] = {BatchNormPlacement::None,
                                             BatchNormPlacement::BeforeActivation,
                                             BatchNormPlacement::AfterActivation};
    b.choice(
        "model.batch_norm", "Batch normalisation", namesOf(placements),
        "Normalise each hidden layer over the batch to mean 0 and std 1, then scale by "
        "gamma and shift by beta (learned). Restores gradient flow in deep networks.",
        [](const C& c) { return SettingValue(std::string(toString(c.model.batchNorm))); },
        [](C& c, const std::string& v) {
          const auto p = batchNormPlacementFromString(v);
          if (!p) throw Error("model.batch_norm", "unknown placement '" + v + "'");
          c.model.batchNorm = *p;
        },
        rebuild);
  }
  b.real(
       "model.dropout", "Dropout rate", 0.0, 1.0, "",
       "Fraction of hidden units switched off at random in each training step (never at "
       "inference): a regulariser.",
       [](C& c) -> double& { return c.model.dropoutRate; }, rebuild)
      .maximumExcluded = true;  // Keras: rate in [0, 1)
  b.boolean(
      "model.alpha_dropout", "Alpha dropout",
      "Use AlphaDropout, which keeps the mean and variance that SELU networks rely on.",
      [](C& c) -> bool& { return c.model.alphaDropout; }, rebuild);
  b.real(
      "model.l2", "L2 regularisation", 0.0, 100.0, "",
      "Adds l2 * sum(w^2) of every kernel to the loss (Keras kernel_regularizer), pulling "
      "weights towards zero.",
      [](C& c) -> double& { return c.model.l2; }, rebuild, true);
  {
    // Hidden layers of any shape in one line ("300 relu, 100 relu", "100x20 selu"; see
    // hidden_layer_list.h). While a list is set, the equal stack's controls do not apply.
    SettingMeta m;
    m.key = "model.layers";
    m.label = "Hidden layers (list)";
    m.type = SettingType::Text;
    m.tooltip =
        "Each hidden layer by itself, e.g. '300 relu, 100 relu' or '100x20 selu'; options per "
        "layer: bn (BatchNorm after the activation), bn_before, dropout RATE; a first item "
        "'bn' normalises the inputs. Empty: the equal layers above.";
    m.effect = rebuild;
    m.get = [](const C& c) {
      return SettingValue(formatHiddenLayers(c.model.layers, c.model.inputBatchNorm));
    };
    m.set = [](C& c, const SettingValue& v) {
      const HiddenLayerList list = parseHiddenLayers(asText(v), c.model.hiddenActivation);
      c.model.layers = list.layers;
      c.model.inputBatchNorm = list.inputBatchNorm;
    };
    b.add(std::move(m));
    const Relevant equalStack = [](const C& c) { return c.model.layers.empty(); };
    for (SettingMeta& setting : all) {
      if (setting.key == "model.hidden_layers" || setting.key == "model.width" ||
          setting.key == "model.activation" || setting.key == "model.batch_norm" ||
          setting.key == "model.dropout") {
        setting.relevant = equalStack;
      }
    }
  }

  // ---------------------------------------------------------------- Optimiser
  // The optimisers and their hyper-parameters come from the registry: the choice lists every
  // registered optimiser, and each hyper-parameter applies to the optimisers that read it.
  b.group("Optimiser");
  {
    std::vector<std::string> keys;
    for (const OptimizerDescriptor* d : optimizerRegistry()) keys.emplace_back(d->key);
    b.choice(
        "optimizer.type", "Optimiser", std::move(keys),
        "How the gradient moves the weights. Momentum builds speed from past gradients, "
        "Nesterov looks ahead, AdaGrad scales per weight but stalls, RMSprop fixes that, "
        "Adam combines momentum and RMSprop, AdamW decays the weights apart from Adam's "
        "scaling, Lion steps by the sign of its momentum. Switching starts the new optimiser "
        "fresh.",
        [](const C& c) { return SettingValue(std::string(toString(c.optimizer.kind))); },
        [](C& c, const std::string& v) {
          const auto k = optimizerKindFromString(v);
          if (!k) throw Error("optimizer.type", "unknown optimiser '" + v + "'");
          if (*k != c.optimizer.kind) {
            const double rate = c.optimizer.learningRate;
            c.optimizer = OptimizerSettings::defaultsFor(*k, c.optimizer.conventions);
            c.optimizer.learningRate = rate;
          }
        });
  }
  for (const OptimizerParameter& p : optimizerParameters()) {
    const std::string key = "optimizer." + std::string(p.key);
    SettingMeta* m = nullptr;
    if (p.real) {
      auto field = p.real;
      m = &b.real(
          key, std::string(p.label), p.minimum, p.maximum, "", std::string(p.tooltip),
          [field](C& c) -> double& { return c.optimizer.*field; }, SettingEffect::Live, p.logScale);
      m->maximumExcluded = p.maximumExcluded;
    } else {
      auto field = p.flag;
      m = &b.boolean(key, std::string(p.label), std::string(p.tooltip),
                     [field](C& c) -> bool& { return c.optimizer.*field; });
    }
    const std::string_view parameter = p.key;
    m->relevant = [parameter](const C& c) {
      return descriptorOf(c.optimizer.kind).readsParameter(parameter);
    };
  }
  // A decaying schedule sets the rate itself: the optimiser's own rate is kept (the constant
  // schedule uses it again) but not read.
  findIn(all, "optimizer.learning_rate").inactiveReason = [](const C& c) -> std::string {
    if (c.schedule.kind == ScheduleKind::Constant) return {};
    std::ostringstream text;
    text.precision(3);
    text << "Not read: the " << toString(c.schedule.kind) << " schedule sets the rate";
    if (const auto rate = scheduledStartRate(c)) text << " (" << *rate << " at step 0)";
    text << ".";
    return text.str();
  };
  findIn(all, "optimizer.learning_rate").shownValue =
      [](const C& c) -> std::optional<SettingValue> {
    if (c.schedule.kind == ScheduleKind::Constant) return std::nullopt;
    if (const auto rate = scheduledStartRate(c)) return SettingValue(*rate);
    return std::nullopt;
  };
  findIn(all, "optimizer.exclude_from_weight_decay").relevant = [](const C& c) {
    return c.optimizer.weightDecay > 0.0;
  };
  {
    const ClipMode modes[] = {ClipMode::None, ClipMode::Value, ClipMode::Norm,
                              ClipMode::GlobalNorm};
    b.choice(
        "clip.mode", "Gradient clipping", namesOf(modes),
        "clipvalue limits each gradient element (may change the direction); clipnorm "
        "rescales each weight tensor's gradient to at most the threshold (keeps the "
        "direction); global_clipnorm rescales all tensors together.",
        [](const C& c) { return SettingValue(std::string(toString(c.training.clip.mode))); },
        [](C& c, const std::string& v) {
          const auto m = clipModeFromString(v);
          if (!m) throw Error("clip.mode", "unknown clipping mode '" + v + "'");
          c.training.clip.mode = *m;
        });
  }
  b.real(
       "clip.threshold", "Clipping threshold", 1e-6, 1e6, "",
       "The clipvalue, clipnorm or global_clipnorm value.",
       [](C& c) -> double& { return c.training.clip.threshold; }, SettingEffect::Live, true)
      .relevant = [](const C& c) { return c.training.clip.mode != ClipMode::None; };

  // ---------------------------------------------------------------- Schedule
  b.group("Schedule");
  {
    const ScheduleKind kinds[] = {
        ScheduleKind::Constant,    ScheduleKind::PiecewiseConstant, ScheduleKind::Power,
        ScheduleKind::Exponential, ScheduleKind::ExponentialDecay,  ScheduleKind::InverseTimeDecay,
        ScheduleKind::CosineDecay, ScheduleKind::OneCycle};
    b.choice(
        "schedule.type", "Schedule", namesOf(kinds),
        "How the learning rate changes with the step t: constant, piecewise constant, "
        "power eta0/(1+t/s)^c, exponential eta0*0.1^(t/s), cosine, or 1cycle (up to a "
        "maximum and down again). Changing it starts the new schedule at the current step.",
        [](const C& c) { return SettingValue(std::string(toString(c.schedule.kind))); },
        [](C& c, const std::string& v) {
          const auto k = scheduleKindFromString(v);
          if (!k) throw Error("schedule.type", "unknown schedule '" + v + "'");
          c.schedule.kind = *k;
        });
  }
  auto scheduleIs = [](std::initializer_list<ScheduleKind> kinds) {
    std::vector<ScheduleKind> list(kinds);
    return [list](const C& c) {
      for (ScheduleKind k : list) {
        if (c.schedule.kind == k) return true;
      }
      return false;
    };
  };
  b.real(
       "schedule.initial_learning_rate", "Initial rate (eta0)", 1e-7, 100.0, "",
       "The learning rate at step 0 of a decaying schedule.",
       [](C& c) -> double& { return c.schedule.initialLearningRate; }, SettingEffect::Live, true)
      .relevant =
      scheduleIs({ScheduleKind::Power, ScheduleKind::Exponential, ScheduleKind::ExponentialDecay,
                  ScheduleKind::InverseTimeDecay, ScheduleKind::CosineDecay});
  b.real("schedule.decay_steps", "Decay steps (s)", 1.0, 1e9, "steps",
         "The step scale s of the decay: after s steps the power schedule has halved (c = 1) "
         "and the exponential one fallen tenfold.",
         [](C& c) -> double& { return c.schedule.decaySteps; })
      .relevant =
      scheduleIs({ScheduleKind::Power, ScheduleKind::Exponential, ScheduleKind::ExponentialDecay,
                  ScheduleKind::InverseTimeDecay, ScheduleKind::CosineDecay});
  b.real("schedule.decay_rate", "Decay rate", 0.0, 100.0, "",
         "Keras ExponentialDecay / InverseTimeDecay rate.",
         [](C& c) -> double& { return c.schedule.decayRate; })
      .relevant = scheduleIs({ScheduleKind::ExponentialDecay, ScheduleKind::InverseTimeDecay});
  b.real("schedule.power", "Power (c)", 0.0, 10.0, "", "Exponent c of power scheduling.",
         [](C& c) -> double& { return c.schedule.power; })
      .relevant = scheduleIs({ScheduleKind::Power});
  b.boolean("schedule.staircase", "Staircase",
            "Decay in whole steps of decay_steps rather than continuously.",
            [](C& c) -> bool& { return c.schedule.staircase; })
      .relevant = scheduleIs({ScheduleKind::ExponentialDecay, ScheduleKind::InverseTimeDecay});
  {
    SettingMeta m;
    m.key = "schedule.boundaries";
    m.label = "Boundaries";
    m.type = SettingType::RealList;
    m.minimum = 0;
    m.maximum = 1e12;
    m.unit = "steps";
    m.tooltip =
        "Steps where the piecewise-constant rate changes (a step equal to a boundary "
        "still uses the earlier value, as Keras).";
    m.get = [](const C& c) { return SettingValue(c.schedule.boundaries); };
    m.set = [](C& c, const SettingValue& v) { c.schedule.boundaries = asList(v); };
    m.relevant = scheduleIs({ScheduleKind::PiecewiseConstant});
    b.add(std::move(m));
  }
  {
    SettingMeta m;
    m.key = "schedule.values";
    m.label = "Rates";
    m.type = SettingType::RealList;
    m.minimum = 0;
    m.maximum = 100;
    m.tooltip =
        "The piecewise-constant rates, one more than the boundaries (the lecture's "
        "example: 0.1, 0.01, 0.001).";
    m.get = [](const C& c) { return SettingValue(c.schedule.values); };
    m.set = [](C& c, const SettingValue& v) { c.schedule.values = asList(v); };
    m.relevant = scheduleIs({ScheduleKind::PiecewiseConstant});
    b.add(std::move(m));
  }
  b.real("schedule.alpha", "Final fraction", 0.0, 1.0, "",
         "Cosine decay ends at alpha times the initial rate.",
         [](C& c) -> double& { return c.schedule.alpha; })
      .relevant = scheduleIs({ScheduleKind::CosineDecay});
  b.real("schedule.warmup_steps", "Warm-up steps", 0.0, 1e9, "steps",
         "Cosine decay first rises linearly to the warm-up target over these steps.",
         [](C& c) -> double& { return c.schedule.warmupSteps; })
      .relevant = scheduleIs({ScheduleKind::CosineDecay});
  b.real("schedule.warmup_target", "Warm-up target", 0.0, 100.0, "",
         "The rate reached at the end of the warm-up (0: no warm-up).",
         [](C& c) -> double& { return c.schedule.warmupTarget; })
      .relevant = scheduleIs({ScheduleKind::CosineDecay});
  b.real(
       "schedule.max_rate", "1cycle maximum rate", 1e-7, 100.0, "",
       "1cycle's peak rate, found with the LR range test: the rate just before the loss "
       "starts to diverge, divided by about 10. It starts at max / 10.",
       [](C& c) -> double& { return c.schedule.maxRate; }, SettingEffect::Live, true)
      .relevant = scheduleIs({ScheduleKind::OneCycle});
  b.integer<std::int64_t>("schedule.total_steps", "1cycle length", 0, 1e12, "steps",
                          "Steps the cycle spans; 0 spans the planned epochs.",
                          [](C& c) -> std::int64_t& { return c.schedule.totalSteps; })
      .relevant = scheduleIs({ScheduleKind::OneCycle});
  {
    const OneCycleShape shapes[] = {OneCycleShape::Linear, OneCycleShape::Cosine};
    b.choice(
         "schedule.shape", "1cycle shape", namesOf(shapes),
         "Linear as in the lecture (up 45%, down 45%, then a final drop), or cosine "
         "annealing as fastai and PyTorch's OneCycleLR.",
         [](const C& c) { return SettingValue(std::string(toString(c.schedule.shape))); },
         [](C& c, const std::string& v) {
           const auto s = oneCycleShapeFromString(v);
           if (!s) throw Error("schedule.shape", "unknown shape '" + v + "'");
           c.schedule.shape = *s;
         })
        .relevant = scheduleIs({ScheduleKind::OneCycle});
  }
  b.real("schedule.start_divisor", "1cycle start divisor", 1.0, 1e4, "",
         "The cycle starts (and ends its second phase) at max / divisor: 10 in the lecture, 25 "
         "in the cosine variant.",
         [](C& c) -> double& { return c.schedule.startDivisor; })
      .relevant = scheduleIs({ScheduleKind::OneCycle});
  b.real("schedule.last_rate", "1cycle final rate", 0.0, 100.0, "",
         "The very small rate the last phase falls to (0: max / 1000).",
         [](C& c) -> double& { return c.schedule.lastRate; })
      .relevant = scheduleIs({ScheduleKind::OneCycle});
  b.real("schedule.pct_start", "1cycle rising fraction", 0.0, 0.9, "",
         "Fraction of the steps spent rising (0: the lecture's phases, about 45%).",
         [](C& c) -> double& { return c.schedule.pctStart; })
      .relevant = scheduleIs({ScheduleKind::OneCycle});
  b.boolean("schedule.cycle_momentum", "Cycle momentum",
            "Move momentum (or Adam's beta 1) opposite to the rate: 0.95 -> 0.85 -> 0.95.",
            [](C& c) -> bool& { return c.schedule.cycleMomentum; })
      .relevant = scheduleIs({ScheduleKind::OneCycle});

  auto plateauOn = [](const C& c) { return c.training.plateau.has_value(); };
  auto plateau = [](C& c) -> PlateauSettings& {
    if (!c.training.plateau) c.training.plateau.emplace();
    return *c.training.plateau;
  };
  b.add(enableSetting("plateau.enabled", "Reduce on plateau",
                      "Performance scheduling (Keras ReduceLROnPlateau): when the monitored "
                      "metric stops improving for `patience` epochs, multiply the rate by "
                      "`factor`.",
                      &TrainingSettings::plateau));
  auto optionalReal = [&](std::string key, std::string label, double lo, double hi, std::string tip,
                          auto field, auto on) -> SettingMeta& {
    SettingMeta m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.type = SettingType::Real;
    m.minimum = lo;
    m.maximum = hi;
    m.tooltip = std::move(tip);
    m.get = [field](const C& c) { return SettingValue(field(const_cast<C&>(c))); };
    m.set = [field](C& c, const SettingValue& v) { field(c) = asReal(v); };
    m.relevant = on;
    return b.add(std::move(m));
  };
  auto optionalInt = [&](std::string key, std::string label, double lo, double hi, std::string tip,
                         auto field, auto on) -> SettingMeta& {
    SettingMeta m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.type = SettingType::Int;
    m.minimum = lo;
    m.maximum = hi;
    m.unit = "epochs";
    m.tooltip = std::move(tip);
    m.get = [field](const C& c) { return SettingValue(std::int64_t(field(const_cast<C&>(c)))); };
    m.set = [field](C& c, const SettingValue& v) { field(c) = int(asInt(v)); };
    m.relevant = on;
    return b.add(std::move(m));
  };
  optionalReal(
      "plateau.factor", "Plateau factor", 0.0, 0.999,
      "The rate is multiplied by this factor at each plateau (Keras 0.1).",
      [plateau](C& c) -> double& { return plateau(c).factor; }, plateauOn);
  optionalInt(
      "plateau.patience", "Plateau patience", 0, 100000,
      "Epochs without improvement before the rate is cut (Keras 10).",
      [plateau](C& c) -> int& { return plateau(c).patience; }, plateauOn);
  optionalInt(
      "plateau.cooldown", "Plateau cooldown", 0, 100000,
      "Epochs to wait after a cut before counting again.",
      [plateau](C& c) -> int& { return plateau(c).cooldown; }, plateauOn);
  optionalReal(
      "plateau.min_lr", "Minimum rate", 0.0, 100.0, "The rate is never cut below this.",
      [plateau](C& c) -> double& { return plateau(c).minLr; }, plateauOn)
      .logScale = true;

  // ---------------------------------------------------------------- Training
  b.group("Training");
  b.integer<Index>("training.batch_size", "Batch size", 1, 1000000, "samples",
                   "Samples per gradient step. 1 is stochastic gradient descent (noisy), the "
                   "whole training set is full-batch gradient descent.",
                   [](C& c) -> Index& { return c.training.batchSize; });
  b.integer<int>("training.epochs", "Epochs", 1, kMaxEpochs, "epochs",
                 "Planned passes over the training data; 1cycle spans them.",
                 [](C& c) -> int& { return c.training.epochs; });
  b.boolean("training.shuffle", "Shuffle", "Reorder the training samples every epoch.",
            [](C& c) -> bool& { return c.training.shuffle; });
  b.integer<std::uint64_t>(
      "training.seed", "Seed", 0, 1e15, "",
      "Seed of the initial weights, shuffling and dropout: the same seed and "
      "settings give the same run, bit for bit.",
      [](C& c) -> std::uint64_t& { return c.training.seed; }, atReset);
  b.integer<int>("training.checkpoint_memory", "Checkpoint memory", kMinCheckpointMemory,
                 kMaxCheckpointMemory, "MiB",
                 "Memory for the checkpoints that let the timeline go back to any earlier step; "
                 "older ones are thinned to stay within it (going back far then replays more).",
                 [](C& c) -> int& { return c.training.checkpointMemory; });
  {
    const Precision precisions[] = {Precision::Float32, Precision::Float64};
    b.choice(
        "training.precision", "Precision", namesOf(precisions),
        "float32 as Keras by default; float64 to compare exactly with reference values. "
        "Changing it restarts the run.",
        [](const C& c) { return SettingValue(std::string(toString(c.precision))); },
        [](C& c, const std::string& v) {
          const auto p = precisionFromString(v);
          if (!p) throw Error("training.precision", "expected float32 or float64");
          c.precision = *p;
        },
        SettingEffect::Rebuild);
  }
  auto stopOn = [](const C& c) { return c.training.earlyStopping.has_value(); };
  auto stopping = [](C& c) -> EarlyStoppingSettings& {
    if (!c.training.earlyStopping) c.training.earlyStopping.emplace();
    return *c.training.earlyStopping;
  };
  b.add(enableSetting("early_stopping.enabled", "Early stopping",
                      "Stop when the monitored metric has not improved for `patience` epochs "
                      "(Keras EarlyStopping); optionally restore the best weights.",
                      &TrainingSettings::earlyStopping));
  {
    const Monitor monitors[] = {Monitor::Loss, Monitor::ValLoss, Monitor::Accuracy,
                                Monitor::ValAccuracy};
    b.choice(
         "early_stopping.monitor", "Monitor", namesOf(monitors),
         "The epoch metric watched by early stopping and by reduce-on-plateau.",
         [](const C& c) {
           return SettingValue(std::string(toString(
               c.training.earlyStopping ? c.training.earlyStopping->monitor : Monitor::ValLoss)));
         },
         [stopping](C& c, const std::string& v) {
           const auto m = monitorFromString(v);
           if (!m) throw Error("early_stopping.monitor", "unknown metric '" + v + "'");
           stopping(c).monitor = *m;
           if (c.training.plateau) c.training.plateau->monitor = *m;
         })
        .relevant = stopOn;
  }
  optionalInt(
      "early_stopping.patience", "Patience", 0, 100000,
      "Epochs without improvement before stopping.",
      [stopping](C& c) -> int& { return stopping(c).patience; }, stopOn);
  optionalReal(
      "early_stopping.min_delta", "Minimum change", 0.0, 1e6,
      "A change smaller than this does not count as an improvement.",
      [stopping](C& c) -> double& { return stopping(c).minDelta; }, stopOn);
  {
    SettingMeta m;
    m.key = "early_stopping.restore_best_weights";
    m.label = "Restore best weights";
    m.type = SettingType::Bool;
    m.maximum = 1;
    m.tooltip = "When stopping, go back to the weights of the best epoch.";
    m.get = [](const C& c) {
      return SettingValue(c.training.earlyStopping && c.training.earlyStopping->restoreBestWeights);
    };
    m.set = [stopping](C& c, const SettingValue& v) { stopping(c).restoreBestWeights = asBool(v); };
    m.relevant = stopOn;
    b.add(std::move(m));
  }
  optionalInt(
      "early_stopping.start_from_epoch", "Start from epoch", 0, 100000,
      "Epochs of warm-up before early stopping starts watching.",
      [stopping](C& c) -> int& { return stopping(c).startFromEpoch; }, stopOn);
  return all;
}

}  // namespace

const std::vector<SettingMeta>& experimentSettings() {
  static const std::vector<SettingMeta> settings = buildSettings();
  return settings;
}

const SettingMeta* findSetting(std::string_view key) {
  for (const SettingMeta& meta : experimentSettings()) {
    if (meta.key == key) return &meta;
  }
  return nullptr;
}

void setSetting(ExperimentConfig& config, std::string_view key, const SettingValue& value) {
  const SettingMeta* meta = findSetting(key);
  if (!meta) throw Error(std::string(key), "unknown setting");
  const std::string field(key);
  try {
    switch (meta->type) {
      case SettingType::Int: {
        checkSettingRange(*meta, double(asInt(value)));
        break;
      }
      case SettingType::Real: {
        checkSettingRange(*meta, asReal(value));
        break;
      }
      case SettingType::Choice: {
        const std::string& name = asText(value);
        bool known = false;
        for (const auto& c : meta->choices) known |= c == name;
        if (!known) {
          std::string list;
          for (const auto& c : meta->choices) list += (list.empty() ? "" : ", ") + c;
          throw Error(field, "'" + name + "' is not one of: " + list);
        }
        break;
      }
      case SettingType::RealList:
        for (double x : asList(value)) {
          if (!std::isfinite(x) || x < meta->minimum || x > meta->maximum) {
            throw Error(field, "every value must be a finite number in range");
          }
        }
        break;
      case SettingType::Bool:
        asBool(value);
        break;
      case SettingType::Text:
        asText(value);
        break;
    }
    meta->set(config, value);
  } catch (const Error& e) {
    if (e.field() == "value") throw Error(field, e.reason());
    throw;
  }
}

void checkSettingRange(const SettingMeta& meta, double x) {
  const bool below = x < meta.minimum;
  const bool above = meta.maximumExcluded ? x >= meta.maximum : x > meta.maximum;
  if (std::isfinite(x) && !below && !above) return;
  std::ostringstream range;
  if (meta.type == SettingType::Int) {
    range << "must be in [" << std::int64_t(meta.minimum) << ", " << std::int64_t(meta.maximum)
          << "]";
  } else {
    range << "must be a number in [" << meta.minimum << ", " << meta.maximum
          << (meta.maximumExcluded ? ")" : "]");
  }
  throw Error(meta.key, range.str());
}

void checkSettingRange(std::string_view key, double value) {
  const SettingMeta* meta = findSetting(key);
  if (!meta) throw Error(std::string(key), "unknown setting");
  checkSettingRange(*meta, value);
}

SettingValue getSetting(const ExperimentConfig& config, std::string_view key) {
  const SettingMeta* meta = findSetting(key);
  if (!meta) throw Error(std::string(key), "unknown setting");
  return meta->get(config);
}

std::vector<const SettingMeta*> changedSettings(const ExperimentConfig& before,
                                                const ExperimentConfig& after) {
  // Copies: reading an optional callback's setting creates the callback (see
  // enableSetting), which must not reach the configurations compared. A setting that applies
  // to neither configuration has not changed.
  ExperimentConfig a = before;
  ExperimentConfig b = after;
  std::vector<const SettingMeta*> changed;
  for (const SettingMeta& meta : experimentSettings()) {
    if (!meta.relevant(before) && !meta.relevant(after)) continue;
    if (!(meta.get(a) == meta.get(b))) changed.push_back(&meta);
  }
  return changed;
}

SettingValue parseSettingValue(const SettingMeta& meta, std::string_view text) {
  auto number = [&](std::string_view t) {
    double x = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
    if (ec != std::errc() || end != t.data() + t.size()) {
      throw Error(meta.key, "'" + std::string(t) + "' is not a number");
    }
    return x;
  };
  switch (meta.type) {
    case SettingType::Bool:
      if (text == "true" || text == "1" || text == "on" || text == "yes") return true;
      if (text == "false" || text == "0" || text == "off" || text == "no") return false;
      throw Error(meta.key, "expected true or false, got '" + std::string(text) + "'");
    case SettingType::Int: {
      std::int64_t x = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
      if (ec != std::errc() || end != text.data() + text.size()) {
        throw Error(meta.key, "'" + std::string(text) + "' is not a whole number");
      }
      return x;
    }
    case SettingType::Real:
      return number(text);
    case SettingType::RealList: {
      std::vector<double> values;
      std::size_t start = 0;
      while (start <= text.size() && !text.empty()) {
        const std::size_t comma = text.find(',', start);
        const std::string_view part = text.substr(
            start, comma == std::string_view::npos ? text.size() - start : comma - start);
        values.push_back(number(part));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      return values;
    }
    case SettingType::Choice:
    case SettingType::Text:
      return std::string(text);
  }
  return std::string(text);
}

std::string formatSettingValue(const SettingValue& value) {
  std::ostringstream out;
  out.precision(17);
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool>) {
          out << (v ? "true" : "false");
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
        } else {
          out << v;
        }
      },
      value);
  return out.str();
}

}  // namespace gradscope::core
