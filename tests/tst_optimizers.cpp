// Optimisers: a few steps on fixed weights and gradients against the Keras 3 update rules
// computed here in plain double loops, closed forms of the first step (bias correction, the
// Nadam momentum cache), the reference vectors' first update, live hyper-parameter changes,
// reset, exact state round trips, and the float instantiation.
#include <QtTest>

#include <cmath>
#include <memory>
#include <vector>

#include "core/optimizers/adam_optimizer.h"
#include "core/optimizers/gradient_clipper.h"
#include "core/optimizers/nadam_optimizer.h"
#include "core/optimizers/optimizer.h"
#include "core/optimizers/sgd_optimizer.h"

using namespace gradscope::core;

// Counting malloc calls proves that a step allocates nothing once the state exists. glibc
// lets a program interpose malloc; sanitizers interpose it themselves, so they skip the test.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GRADSCOPE_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GRADSCOPE_SANITIZED 1
#endif
#if defined(__GLIBC__) && !defined(GRADSCOPE_SANITIZED)
#define GRADSCOPE_COUNT_MALLOC 1
namespace {
bool gCountMalloc = false;
long gMallocCount = 0;
}  // namespace
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) {
  if (gCountMalloc) ++gMallocCount;
  return __libc_malloc(size);
}
#endif

namespace {

using Values = std::vector<double>;

// The Keras 3 update rules, one scalar loop per optimiser, written from the formulas in
// keras/src/optimizers/*.py (and the reference's `formula` strings).
struct KerasReference {
  explicit KerasReference(const OptimizerSettings& settings) : s(settings) {}

  OptimizerSettings s;
  Values a, b, c;         // slots: momentum/velocity/accumulator..., see each rule
  double uProduct = 1.0;  // Nadam
  long long iterations = 0;

  void step(Values& w, const Values& g, double lr) {
    const std::size_t n = w.size();
    auto ensure = [n](Values& slot, double value) {
      if (slot.size() != n) slot.assign(n, value);
    };
    const double t = static_cast<double>(iterations + 1);
    switch (s.kind) {
      case OptimizerKind::Sgd:
      case OptimizerKind::Momentum:
      case OptimizerKind::Nesterov: {
        const double mu = s.momentum;
        const bool nesterov = s.nesterov || s.kind == OptimizerKind::Nesterov;
        if (mu != 0.0) {
          ensure(a, 0.0);
          for (std::size_t i = 0; i < n; ++i) {
            a[i] = mu * a[i] - lr * g[i];
            w[i] += nesterov ? mu * a[i] - lr * g[i] : a[i];
          }
        } else {
          for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
        }
        break;
      }
      case OptimizerKind::Adagrad:
        ensure(a, s.initialAccumulatorValue);
        for (std::size_t i = 0; i < n; ++i) {
          a[i] += g[i] * g[i];
          w[i] -= lr * g[i] / std::sqrt(a[i] + s.epsilon);
        }
        break;
      case OptimizerKind::RmsProp:
        ensure(a, 0.0);
        if (s.momentum > 0) ensure(b, 0.0);
        if (s.centered) ensure(c, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
          a[i] = s.rho * a[i] + (1 - s.rho) * g[i] * g[i];
          double denominator = a[i] + s.epsilon;
          if (s.centered) {
            c[i] = s.rho * c[i] + (1 - s.rho) * g[i];
            denominator = a[i] - c[i] * c[i] + s.epsilon;
          }
          const double increment = lr * g[i] / std::sqrt(denominator);
          if (s.momentum > 0) {
            b[i] = s.momentum * b[i] + increment;
            w[i] -= b[i];
          } else {
            w[i] -= increment;
          }
        }
        break;
      case OptimizerKind::Adam:
      case OptimizerKind::AdamW: {  // AdamW: Adam after the decoupled decay (none here)
        ensure(a, 0.0);
        ensure(b, 0.0);
        if (s.amsgrad) ensure(c, 0.0);
        const double alpha = lr * std::sqrt(1 - std::pow(s.beta2, t)) / (1 - std::pow(s.beta1, t));
        for (std::size_t i = 0; i < n; ++i) {
          a[i] += (g[i] - a[i]) * (1 - s.beta1);
          b[i] += (g[i] * g[i] - b[i]) * (1 - s.beta2);
          double v = b[i];
          if (s.amsgrad) {
            c[i] = std::max(c[i], b[i]);
            v = c[i];
          }
          w[i] -= alpha * a[i] / (std::sqrt(v) + s.epsilon);
        }
        break;
      }
      case OptimizerKind::Adamax:
        ensure(a, 0.0);
        ensure(b, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
          a[i] += (g[i] - a[i]) * (1 - s.beta1);
          b[i] = std::max(s.beta2 * b[i], std::abs(g[i]));
          w[i] -= lr * a[i] / ((1 - std::pow(s.beta1, t)) * (b[i] + s.epsilon));
        }
        break;
      case OptimizerKind::Nadam: {
        ensure(a, 0.0);
        ensure(b, 0.0);
        const double muT = s.beta1 * (1 - 0.5 * std::pow(0.96, t));
        const double muNext = s.beta1 * (1 - 0.5 * std::pow(0.96, t + 1));
        uProduct *= muT;
        const double uNext = uProduct * muNext;
        for (std::size_t i = 0; i < n; ++i) {
          a[i] += (g[i] - a[i]) * (1 - s.beta1);
          b[i] += (g[i] * g[i] - b[i]) * (1 - s.beta2);
          const double mHat = muNext * a[i] / (1 - uNext) + (1 - muT) * g[i] / (1 - uProduct);
          const double vHat = b[i] / (1 - std::pow(s.beta2, t));
          w[i] -= lr * mHat / (std::sqrt(vHat) + s.epsilon);
        }
        break;
      }
      case OptimizerKind::Lion:  // w -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g
        ensure(a, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
          const double c = s.beta1 * a[i] + (1 - s.beta1) * g[i];
          w[i] -= lr * double((c > 0) - (c < 0));
          a[i] = s.beta2 * a[i] + (1 - s.beta2) * g[i];
        }
        break;
    }
    ++iterations;
  }
};

template <typename T>
Vector<T> toVector(const Values& v) {
  Vector<T> out(static_cast<Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out[static_cast<Index>(i)] = static_cast<T>(v[i]);
  return out;
}

bool close(double actual, double expected, double relative) {
  return std::abs(actual - expected) <= relative * std::max(std::abs(expected), 1e-300) ||
         actual == expected;
}

template <typename T>
void compareAll(const Vector<T>& actual, const Values& expected, double relative,
                const char* what) {
  QCOMPARE(actual.size(), static_cast<Index>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double a = static_cast<double>(actual[static_cast<Index>(i)]);
    if (!close(a, expected[i], relative)) {
      QFAIL(qPrintable(QStringLiteral("%1[%2]: got %3, expected %4")
                           .arg(what)
                           .arg(i)
                           .arg(a, 0, 'g', 17)
                           .arg(expected[i], 0, 'g', 17)));
    }
  }
}

// Weights and three gradients with a zero, a tiny and a large entry, so that the epsilon
// placement and the max() of AdaMax/AMSGrad matter.
const Values kWeights{0.5, -1.2, 3.0, 1e-3, -0.25, 0.0, 2.0};
const std::vector<Values> kGradients{
    {0.1, -0.4, 2.5, 1e-4, 0.0, -3.0, 1e-9},
    {-0.2, -0.3, 0.5, 3e-4, 0.0, 1.0, -2e-9},
    {0.05, 0.6, -1.5, -1e-4, 0.0, 0.5, 1e-9},
    {0.3, -0.1, 0.2, 2e-4, 0.0, -0.7, 0.0},
};
const Values kRates{0.01, 0.02, 0.005, 0.03};  // as a schedule would vary them

OptimizerSettings settingsFor(const QString& name) {
  OptimizerSettings s;
  if (name == "sgd") return OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
  if (name == "momentum") return OptimizerSettings::defaultsFor(OptimizerKind::Momentum);
  if (name == "nesterov") return OptimizerSettings::defaultsFor(OptimizerKind::Nesterov);
  if (name == "sgd_nesterov_flag") {
    s = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
    s.momentum = 0.8;
    s.nesterov = true;
    return s;
  }
  if (name == "adagrad") return OptimizerSettings::defaultsFor(OptimizerKind::Adagrad);
  if (name == "adagrad_acc0") {
    s = OptimizerSettings::defaultsFor(OptimizerKind::Adagrad);
    s.initialAccumulatorValue = 0.0;  // the tiny gradient now sees epsilon inside the root
    return s;
  }
  if (name.startsWith("rmsprop")) {
    s = OptimizerSettings::defaultsFor(OptimizerKind::RmsProp);
    if (name.contains("momentum")) s.momentum = 0.9;
    if (name.contains("centered")) s.centered = true;
    return s;
  }
  if (name == "adam") return OptimizerSettings::defaultsFor(OptimizerKind::Adam);
  if (name == "amsgrad") {
    s = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    s.amsgrad = true;
    return s;
  }
  if (name == "adamax") return OptimizerSettings::defaultsFor(OptimizerKind::Adamax);
  if (name == "nadam") return OptimizerSettings::defaultsFor(OptimizerKind::Nadam);
  qFatal("unknown variant");
  return s;
}

// A live change of every hyper-parameter the variant uses (the learning rate comes with
// each step anyway).
OptimizerSettings changed(OptimizerSettings s) {
  s.momentum = s.momentum > 0 ? 0.5 : 0.0;
  s.rho = 0.8;
  s.beta1 = 0.8;
  s.beta2 = 0.99;
  s.epsilon = 1e-5;
  s.initialAccumulatorValue = 7.0;  // read only when the accumulator is built
  return s;
}

const QStringList kVariants{"sgd",
                            "momentum",
                            "nesterov",
                            "sgd_nesterov_flag",
                            "adagrad",
                            "adagrad_acc0",
                            "rmsprop",
                            "rmsprop_momentum",
                            "rmsprop_centered",
                            "rmsprop_centered_momentum",
                            "adam",
                            "amsgrad",
                            "adamax",
                            "nadam"};

void addVariantRows() {
  QTest::addColumn<QString>("variant");
  for (const auto& v : kVariants) QTest::newRow(qPrintable(v)) << v;
}

// Dense weights of a reference case flattened in variable order, with one ParameterTensor per
// Keras variable.
struct FlatCase {
  Values weights, gradients, expected;
  ParameterLayout layout;
};

Values flatten(const QJsonValue& value) {
  Values out;
  if (value.isArray()) {
    for (const auto& item : value.toArray()) {
      const Values inner = flatten(item);
      out.insert(out.end(), inner.begin(), inner.end());
    }
  } else {
    out.push_back(value.toDouble());
  }
  return out;
}

QJsonArray referenceCases() {
  QFile file(QStringLiteral(GRADSCOPE_TEST_DATA) + "/keras-cases.json");
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object().value("cases").toArray();
}

FlatCase flattenCase(const QJsonObject& c) {
  FlatCase f;
  const QJsonObject grads = c["expected"].toObject()["gradients_step0"].toObject();
  const QJsonArray initial = c["initial_weights"].toArray();
  const QJsonArray after = c["expected"].toObject()["weights_after_step1"].toArray();
  for (int layer = 0; layer < initial.size(); ++layer) {
    for (const char* role : {"kernel", "bias", "gamma", "beta"}) {
      const QString name = QStringLiteral("layers[%1].%2").arg(layer).arg(role);
      if (!grads.contains(name)) continue;  // not trainable (e.g. moving statistics)
      const Values w = flatten(initial[layer].toObject()[role]);
      const Values g = flatten(grads[name]);
      const Values e = flatten(after[layer].toObject()[role]);
      ParameterTensor t;
      t.name = name.toStdString();
      t.layer = layer;
      t.offset = static_cast<Index>(f.weights.size());
      t.size = static_cast<Index>(w.size());
      t.rows = t.size;
      f.layout.push_back(t);
      f.weights.insert(f.weights.end(), w.begin(), w.end());
      f.gradients.insert(f.gradients.end(), g.begin(), g.end());
      f.expected.insert(f.expected.end(), e.begin(), e.end());
    }
  }
  return f;
}

}  // namespace

class TestOptimizers : public QObject {
  Q_OBJECT
 private slots:
  void matchesKerasRulesOverSeveralSteps_data() { addVariantRows(); }
  void matchesKerasRulesOverSeveralSteps() {
    QFETCH(QString, variant);
    const OptimizerSettings first = settingsFor(variant);
    const OptimizerSettings second = changed(first);
    auto optimizer = makeOptimizer<double>(first);
    KerasReference reference(first);
    Vector<double> w = toVector<double>(kWeights);
    Values expected = kWeights;
    for (std::size_t k = 0; k < kGradients.size(); ++k) {
      if (k == 2) {  // a live hyper-parameter change keeps the state
        optimizer->setSettings(second);
        reference.s = second;
      }
      optimizer->step(w, toVector<double>(kGradients[k]), kRates[k]);
      reference.step(expected, kGradients[k], kRates[k]);
      compareAll(w, expected, 1e-12, "weights");
      if (QTest::currentTestFailed()) return;
      QCOMPARE(optimizer->iterations(), static_cast<std::int64_t>(k + 1));
    }
    // The exposed state is Keras's.
    const auto state = optimizer->state();
    QCOMPARE(state.iterations, std::int64_t(4));
    for (const auto& slot : state.vectors) QCOMPARE(slot.values.size(), w.size());
  }

  void literalValues() {
    // SGD with momentum, w = 1, g = 1, lr = 0.1, mu = 0.9: v = -0.1, -0.19; w = 0.9, 0.71.
    {
      SgdOptimizer<double> sgd(OptimizerSettings::defaultsFor(OptimizerKind::Momentum));
      Vector<double> w = Vector<double>::Ones(1), g = Vector<double>::Ones(1);
      sgd.step(w, g, 0.1);
      QVERIFY(close(w[0], 0.9, 1e-15));
      sgd.step(w, g, 0.1);
      QVERIFY(close(w[0], 0.71, 1e-15));
      QVERIFY(close(sgd.velocity()[0], -0.19, 1e-15));
    }
    // Nesterov: w = 1 + 0.9 (-0.1) - 0.1 = 0.81, then 0.81 + 0.9 (-0.19) - 0.1 = 0.539.
    {
      SgdOptimizer<double> sgd(OptimizerSettings::defaultsFor(OptimizerKind::Nesterov));
      Vector<double> w = Vector<double>::Ones(1), g = Vector<double>::Ones(1);
      sgd.step(w, g, 0.1);
      QVERIFY(close(w[0], 0.81, 1e-15));
      sgd.step(w, g, 0.1);
      QVERIFY(close(w[0], 0.539, 1e-14));
    }
    // AdaGrad: accumulator 0.1 + 1 = 1.1, w = 1 - 0.1 / sqrt(1.1 + 1e-7).
    {
      auto adagrad = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::Adagrad));
      Vector<double> w = Vector<double>::Ones(1), g = Vector<double>::Ones(1);
      adagrad->step(w, g, 0.1);
      QVERIFY(close(w[0], 1.0 - 0.1 / std::sqrt(1.1000001), 1e-15));
    }
    // RMSprop: v = 0.1 g^2; with g = 2: w = 1 - 0.1 * 2 / sqrt(0.4 + 1e-7).
    {
      auto rms = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::RmsProp));
      Vector<double> w = Vector<double>::Ones(1), g = Vector<double>::Constant(1, 2.0);
      rms->step(w, g, 0.1);
      QVERIFY(close(w[0], 1.0 - 0.2 / std::sqrt(0.4000001), 1e-15));
    }
  }

  void adamFirstStepBiasCorrection() {
    // Step 1: m = (1 - b1) g, v = (1 - b2) g^2 and lr_t = lr sqrt(1 - b2) / (1 - b1), so
    // dw = -lr g / (|g| + eps / sqrt(1 - b2)): about lr in size, whatever |g| is.
    const OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    AdamOptimizer<double> adam(s);
    const Values g{1e3, -2.0, 1e-3, 1e-8};
    Vector<double> w = Vector<double>::Zero(4);
    adam.step(w, toVector<double>(g), 0.001);
    for (int i = 0; i < 4; ++i) {
      const double expected = -0.001 * g[i] / (std::abs(g[i]) + 1e-7 / std::sqrt(1 - 0.999));
      QVERIFY2(close(w[i], expected, 1e-12), qPrintable(QString::number(i)));
    }
    // Step 2 with the same gradient: m = 0.19 g, v = 0.001999 g^2,
    // lr_t = lr sqrt(1 - 0.999^2) / (1 - 0.9^2).
    const Vector<double> before = w;
    adam.step(w, toVector<double>(g), 0.001);
    const double lrT = 0.001 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.81);
    for (int i = 0; i < 4; ++i) {
      const double step = lrT * 0.19 * g[i] / (std::sqrt(0.001999) * std::abs(g[i]) + 1e-7);
      QVERIFY2(close(w[i], before[i] - step, 1e-12), qPrintable(QString::number(i)));
    }
  }

  void nadamMomentumCache() {
    // mu_1 = 0.9 (1 - 0.5 * 0.96) = 0.468, mu_2 = 0.9 (1 - 0.5 * 0.9216) = 0.48528.
    NadamOptimizer<double> nadam;
    QCOMPARE(nadam.momentumProduct(), 1.0);
    Vector<double> w = Vector<double>::Zero(2);
    Vector<double> g(2);
    g << 0.5, -4.0;
    nadam.step(w, g, 0.001);
    QVERIFY(close(nadam.momentumProduct(), 0.468, 1e-15));
    // m_hat = mu_2 * 0.1 g / (1 - 0.468 mu_2) + (1 - 0.468) g / (1 - 0.468) and v_hat = g^2.
    const double factor = 1.0 + 0.48528 * 0.1 / (1.0 - 0.468 * 0.48528);
    for (int i = 0; i < 2; ++i) {
      QVERIFY(close(w[i], -0.001 * factor * g[i] / (std::abs(g[i]) + 1e-7), 1e-12));
    }
    nadam.step(w, g, 0.001);
    QVERIFY(close(nadam.momentumProduct(), 0.468 * 0.48528, 1e-15));
    const auto state = nadam.state();
    QCOMPARE(state.scalars.size(), std::size_t(1));
    QCOMPARE(state.scalars[0], nadam.momentumProduct());
  }

  void referenceFirstUpdate() {
    // Every optimiser case of the reference vectors: gradients_step0 applied to the initial
    // weights (clipped first where the case clips) must give weights_after_step1.
    const QJsonArray cases = referenceCases();
    QVERIFY(!cases.isEmpty());
    int checked = 0;
    for (const auto& item : cases) {
      const QJsonObject c = item.toObject();
      if (c["kind"].toString() != "training") continue;
      const QJsonObject o = c["optimizer"].toObject();
      if (!o["learning_rate"].isDouble()) continue;  // schedules: the trainer's test
      const QString name = o["name"].toString();
      OptimizerSettings s;
      if (name == "sgd") {
        s = OptimizerSettings::defaultsFor(o["nesterov"].toBool()         ? OptimizerKind::Nesterov
                                           : o["momentum"].toDouble() > 0 ? OptimizerKind::Momentum
                                                                          : OptimizerKind::Sgd);
        s.momentum = o["momentum"].toDouble();
      } else {
        const auto kind = optimizerKindFromString(name.toStdString());
        QVERIFY2(kind.has_value(), qPrintable(name));
        s = OptimizerSettings::defaultsFor(*kind);
        if (o.contains("initial_accumulator_value")) {
          s.initialAccumulatorValue = o["initial_accumulator_value"].toDouble();
        }
        if (o.contains("rho")) s.rho = o["rho"].toDouble();
        if (o.contains("momentum")) s.momentum = o["momentum"].toDouble();
        if (o.contains("centered")) s.centered = o["centered"].toBool();
        if (o.contains("beta_1")) s.beta1 = o["beta_1"].toDouble();
        if (o.contains("beta_2")) s.beta2 = o["beta_2"].toDouble();
        if (o.contains("epsilon")) s.epsilon = o["epsilon"].toDouble();
        if (o.contains("amsgrad")) s.amsgrad = o["amsgrad"].toBool();
      }
      s.learningRate = o["learning_rate"].toDouble();
      ClipSettings clip;
      if (o["clipnorm"].isDouble()) clip = {ClipMode::Norm, o["clipnorm"].toDouble()};
      if (o["global_clipnorm"].isDouble()) {
        clip = {ClipMode::GlobalNorm, o["global_clipnorm"].toDouble()};
      }
      if (o["clipvalue"].isDouble()) clip = {ClipMode::Value, o["clipvalue"].toDouble()};

      const FlatCase f = flattenCase(c);
      Vector<double> w = toVector<double>(f.weights);
      Vector<double> g = toVector<double>(f.gradients);
      const ClipResult clipped = GradientClipper<double>(clip).apply(g, f.layout);
      const QJsonArray active = c["expected"].toObject()["clip_active"].toArray();
      if (!active.isEmpty()) QCOMPARE(clipped.clipped, active[0].toBool());
      auto optimizer = makeOptimizer<double>(s);
      optimizer->step(w, g, s.learningRate);
      for (std::size_t i = 0; i < f.expected.size(); ++i) {
        const double e = f.expected[i];
        if (std::abs(w[static_cast<Index>(i)] - e) > 1e-9 * std::max(1.0, std::abs(e))) {
          QFAIL(qPrintable(QStringLiteral("%1 [%2]: got %3, expected %4")
                               .arg(c["id"].toString())
                               .arg(i)
                               .arg(w[static_cast<Index>(i)], 0, 'g', 17)
                               .arg(e, 0, 'g', 17)));
        }
      }
      ++checked;
    }
    // Every training case of the shared vectors has a constant rate: all twelve are checked
    // (the eight optimisers, and the activation, loss and clipping cases' first updates).
    QCOMPARE(checked, 12);
  }

  void stateIsAllocatedLazily_data() { addVariantRows(); }
  void stateIsAllocatedLazily() {
    QFETCH(QString, variant);
    auto optimizer = makeOptimizer<double>(settingsFor(variant));
    QVERIFY(optimizer->state().vectors.empty());
    QCOMPARE(optimizer->iterations(), std::int64_t(0));
    Vector<double> w = toVector<double>(kWeights);
    optimizer->step(w, toVector<double>(kGradients[0]), 0.01);
    for (const auto& slot : optimizer->state().vectors) QCOMPARE(slot.values.size(), w.size());
  }

  void resetStartsAfresh_data() { addVariantRows(); }
  void resetStartsAfresh() {
    QFETCH(QString, variant);
    auto used = makeOptimizer<double>(settingsFor(variant));
    auto fresh = makeOptimizer<double>(settingsFor(variant));
    Vector<double> w1 = toVector<double>(kWeights), w2 = w1;
    for (int k = 0; k < 3; ++k) used->step(w1, toVector<double>(kGradients[k]), 0.01);
    used->reset();
    QCOMPARE(used->iterations(), std::int64_t(0));
    QVERIFY(used->state().vectors.empty());
    w1 = toVector<double>(kWeights);
    used->step(w1, toVector<double>(kGradients[3]), 0.02);
    fresh->step(w2, toVector<double>(kGradients[3]), 0.02);
    QCOMPARE(w1, w2);
  }

  void stateRoundTripIsExact_data() { addVariantRows(); }
  void stateRoundTripIsExact() {
    QFETCH(QString, variant);
    const OptimizerSettings s = settingsFor(variant);
    auto check = [&](auto scalar) {
      using T = decltype(scalar);
      auto a = makeOptimizer<T>(s);
      auto b = makeOptimizer<T>(s);
      Vector<T> wa = toVector<T>(kWeights);
      for (int k = 0; k < 2; ++k) a->step(wa, toVector<T>(kGradients[k]), 0.01);
      Vector<T> wb = wa;
      b->setState(a->state(), wa.size());
      QCOMPARE(b->iterations(), a->iterations());
      for (int k = 2; k < 4; ++k) {
        a->step(wa, toVector<T>(kGradients[k]), 0.02);
        b->step(wb, toVector<T>(kGradients[k]), 0.02);
      }
      QCOMPARE(wa, wb);  // bit for bit
      const auto sa = a->state(), sb = b->state();
      QCOMPARE(sa.vectors.size(), sb.vectors.size());
      for (std::size_t i = 0; i < sa.vectors.size(); ++i) {
        QCOMPARE(sa.vectors[i].name, sb.vectors[i].name);
        QCOMPARE(sa.vectors[i].values, sb.vectors[i].values);
      }
      QCOMPARE(sa.scalars, sb.scalars);
    };
    check(double{});
    check(float{});
  }

  void noAllocationAfterTheFirstStep_data() { addVariantRows(); }
  void noAllocationAfterTheFirstStep() {
#ifndef GRADSCOPE_COUNT_MALLOC
    QSKIP("malloc cannot be counted in this build");
#else
    QFETCH(QString, variant);
    auto optimizer = makeOptimizer<double>(settingsFor(variant));
    Vector<double> w = toVector<double>(kWeights);
    std::vector<Vector<double> > grads;
    for (const auto& g : kGradients) grads.push_back(toVector<double>(g));
    ParameterLayout layout(2);
    layout[0] = {"layers[0].kernel", 0, TensorRole::Kernel, 0, 4, 2, 2};
    layout[1] = {"layers[0].bias", 0, TensorRole::Bias, 4, 3, 3, 1};
    const GradientClipper<double> clipper({ClipMode::Norm, 0.5});
    optimizer->step(w, grads[0], 0.01);  // builds the state
    gMallocCount = 0;
    gCountMalloc = true;
    for (std::size_t k = 1; k < grads.size(); ++k) {
      clipper.apply(grads[k], layout);
      optimizer->step(w, grads[k], 0.01);
    }
    gCountMalloc = false;
    QCOMPARE(gMallocCount, 0L);
    gCountMalloc = true;  // the counter itself works
    Vector<double> probe = Vector<double>::Zero(100);
    gCountMalloc = false;
    QVERIFY(gMallocCount > 0 && probe.size() == 100);
#endif
  }

  void setStateRejectsForeignState() {
    auto adam = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::Adam));
    Vector<double> w = toVector<double>(kWeights);
    adam->step(w, toVector<double>(kGradients[0]), 0.01);
    const auto state = adam->state();
    auto other = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::Adam));
    QVERIFY_THROWS_EXCEPTION(Error, other->setState(state, w.size() + 1));  // wrong size
    auto adagrad = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::Adagrad));
    QVERIFY_THROWS_EXCEPTION(Error, adagrad->setState(state, w.size()));  // wrong slots
    OptimizerState<double> partial = state;
    partial.vectors.pop_back();  // Adam without its velocity
    QVERIFY_THROWS_EXCEPTION(Error, other->setState(partial, w.size()));
    auto nadam = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::Nadam));
    QVERIFY_THROWS_EXCEPTION(Error, nadam->setState(state, w.size()));  // no u_product
    // A fresh (empty) state is always accepted.
    other->setState(OptimizerState<double>{}, w.size());
    QVERIFY(other->state().vectors.empty());
  }

  void sizeMismatchThrows() {
    auto adam = makeOptimizer<double>(OptimizerSettings::defaultsFor(OptimizerKind::Adam));
    Vector<double> w = Vector<double>::Zero(3);
    QVERIFY_THROWS_EXCEPTION(Error, adam->step(w, Vector<double>::Zero(2), 0.1));
    adam->step(w, Vector<double>::Ones(3), 0.1);
    Vector<double> bigger = Vector<double>::Zero(4);
    QVERIFY_THROWS_EXCEPTION(Error, adam->step(bigger, Vector<double>::Ones(4), 0.1));
  }

  void floatMatchesDoubleReference_data() { addVariantRows(); }
  void floatMatchesDoubleReference() {
    QFETCH(QString, variant);
    const OptimizerSettings s = settingsFor(variant);
    auto optimizer = makeOptimizer<float>(s);
    KerasReference reference(s);
    Vector<float> w = toVector<float>(kWeights);
    Values expected;
    for (double x : kWeights) expected.push_back(static_cast<double>(static_cast<float>(x)));
    for (std::size_t k = 0; k < kGradients.size(); ++k) {
      Values g;
      for (double x : kGradients[k]) g.push_back(static_cast<double>(static_cast<float>(x)));
      optimizer->step(w, toVector<float>(kGradients[k]), kRates[k]);
      reference.step(expected, g, kRates[k]);
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const double a = w[static_cast<Index>(i)];
      QVERIFY2(std::abs(a - expected[i]) <= 1e-5 * std::max(1.0, std::abs(expected[i])),
               qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(a).arg(expected[i])));
      QVERIFY(std::isfinite(a));
    }
  }

  void factoryAndNames() {
    for (auto kind : {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Nesterov,
                      OptimizerKind::Adagrad, OptimizerKind::RmsProp, OptimizerKind::Adam,
                      OptimizerKind::Adamax, OptimizerKind::Nadam}) {
      QVERIFY(optimizerKindFromString(toString(kind)) == std::optional<OptimizerKind>(kind));
      const auto s = OptimizerSettings::defaultsFor(kind);
      QVERIFY(makeOptimizer<double>(s)->kind() == kind);
      QVERIFY(makeOptimizer<float>(s)->kind() == kind);
      QVERIFY(!makeOptimizer<double>(s)->name().empty());
    }
    QVERIFY(!optimizerKindFromString("adamweight").has_value());
    QCOMPARE(OptimizerSettings::defaultsFor(OptimizerKind::Sgd).learningRate, 0.01);
    QCOMPARE(OptimizerSettings::defaultsFor(OptimizerKind::Sgd).momentum, 0.0);
    const auto adagrad = OptimizerSettings::defaultsFor(OptimizerKind::Adagrad);
    QCOMPARE(adagrad.learningRate, 0.001);
    QCOMPARE(adagrad.initialAccumulatorValue, 0.1);
    QCOMPARE(adagrad.epsilon, 1e-7);
    const auto adam = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    QCOMPARE(adam.beta1, 0.9);
    QCOMPARE(adam.beta2, 0.999);
    QVERIFY(!adam.amsgrad);
    QCOMPARE(OptimizerSettings::defaultsFor(OptimizerKind::RmsProp).rho, 0.9);
    QVERIFY(OptimizerSettings::defaultsFor(OptimizerKind::Nesterov).nesterov);
    for (auto mode : {ClipMode::None, ClipMode::Value, ClipMode::Norm, ClipMode::GlobalNorm}) {
      QVERIFY(clipModeFromString(toString(mode)) == std::optional<ClipMode>(mode));
    }
  }

  void validationNamesTheField_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    QTest::newRow("negative lr") << "optimizer.learning_rate" << -0.1;
    QTest::newRow("nan lr") << "optimizer.learning_rate" << std::nan("");
    QTest::newRow("momentum > 1") << "optimizer.momentum" << 1.5;
    QTest::newRow("beta_1 = 1") << "optimizer.beta_1" << 1.0;
    QTest::newRow("beta_2 < 0") << "optimizer.beta_2" << -0.1;
    QTest::newRow("rho > 1") << "optimizer.rho" << 1.1;
    QTest::newRow("epsilon 0") << "optimizer.epsilon" << 0.0;
    QTest::newRow("accumulator < 0") << "optimizer.initial_accumulator_value" << -1.0;
  }
  void validationNamesTheField() {
    QFETCH(QString, field);
    QFETCH(double, value);
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    if (field.endsWith("learning_rate")) s.learningRate = value;
    if (field.endsWith("momentum")) s.momentum = value;
    if (field.endsWith("beta_1")) s.beta1 = value;
    if (field.endsWith("beta_2")) s.beta2 = value;
    if (field.endsWith("rho")) s.rho = value;
    if (field.endsWith("epsilon")) s.epsilon = value;
    if (field.endsWith("accumulator_value")) s.initialAccumulatorValue = value;
    try {
      validate(s);
      QFAIL("no exception");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
    }
    QVERIFY_THROWS_EXCEPTION(Error, makeOptimizer<double>(s));
  }
};

QTEST_GUILESS_MAIN(TestOptimizers)
#include "tst_optimizers.moc"
