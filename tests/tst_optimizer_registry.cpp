// The optimiser registry and its proof, AdamW and Lion: every registered optimiser is built,
// named, validated and described from its descriptor alone; AdamW, Lion and Keras's
// optimiser-level weight decay match golden values worked out by hand from the Keras 3
// formulas (keras/src/optimizers/adamw.py, lion.py, base_optimizer.py _apply_weight_decay)
// after one and two steps.
#include <QtTest>

#include <cmath>
#include <set>
#include <string>

#include "core/model/settings_schema.h"
#include "core/optimizers/lion_optimizer.h"
#include "core/optimizers/optimizer_registry.h"

using namespace gradscope::core;

namespace {

Vector<double> values(std::initializer_list<double> list) {
  Vector<double> v(Index(list.size()));
  Index i = 0;
  for (double x : list) v[i++] = x;
  return v;
}

void expectNear(const Vector<double>& actual, const Vector<double>& expected, double tolerance,
                const char* what) {
  QCOMPARE(actual.size(), expected.size());
  for (Index i = 0; i < actual.size(); ++i) {
    QVERIFY2(std::abs(actual[i] - expected[i]) <= tolerance,
             qPrintable(QStringLiteral("%1[%2]: got %3, expected %4")
                            .arg(what)
                            .arg(i)
                            .arg(actual[i], 0, 'g', 17)
                            .arg(expected[i], 0, 'g', 17)));
  }
}

}  // namespace

class TestOptimizerRegistry : public QObject {
  Q_OBJECT

 private slots:
  void everyOptimizerIsDescribedOnce() {
    const auto& registry = optimizerRegistry();
    QCOMPARE(int(registry.size()), kOptimizerKindCount);
    QCOMPARE(kOptimizerKindCount, 10);  // the lecture's eight, AdamW and Lion
    std::set<std::string> keys, names;
    for (std::size_t i = 0; i < registry.size(); ++i) {
      const OptimizerDescriptor& d = *registry[i];
      QCOMPARE(optimizerIndex(d.kind), int(i));
      QVERIFY2(keys.insert(std::string(d.key)).second, d.key.data());
      QVERIFY2(names.insert(std::string(d.displayName)).second, d.key.data());
      QVERIFY(d.defaults.kind == d.kind);
      QVERIFY(optimizerKindFromString(d.key) == std::optional<OptimizerKind>(d.kind));
      QCOMPARE(toString(d.kind), d.key);
      QVERIFY(OptimizerSettings::defaultsFor(d.kind) == d.defaults);
      validate(d.defaults);  // Keras's defaults lie in the one set of ranges
      for (std::string_view parameter : d.reads) {
        QVERIFY2(findOptimizerParameter(parameter), parameter.data());
      }
      // The factory builds the optimiser of the kind for both precisions.
      QVERIFY(makeOptimizer<float>(d.defaults)->kind() == d.kind);
      QVERIFY(makeOptimizer<double>(d.defaults)->kind() == d.kind);
    }
    QVERIFY(!findOptimizer("adamweight"));
    QVERIFY(!optimizerKindFromString("adamweight"));
  }

  void theSchemaEnumeratesTheRegistry() {
    const SettingMeta* type = findSetting("optimizer.type");
    QVERIFY(type);
    QCOMPARE(int(type->choices.size()), kOptimizerKindCount);
    for (const OptimizerDescriptor* d : optimizerRegistry()) {
      QCOMPARE(type->choices[std::size_t(optimizerIndex(d->kind))], std::string(d->key));
      ExperimentConfig c;
      setSetting(c, "optimizer.type", std::string(d->key));
      QVERIFY(c.optimizer.kind == d->kind);
      // A hyper-parameter is relevant exactly when the descriptor reads it.
      for (const OptimizerParameter& p : optimizerParameters()) {
        const SettingMeta* meta = findSetting("optimizer." + std::string(p.key));
        QVERIFY2(meta, p.key.data());
        if (p.key == "exclude_from_weight_decay") continue;  // follows weight_decay > 0
        QCOMPARE(meta->relevant(c), d->readsParameter(p.key));
      }
    }
    // The schema's range is validate()'s: beta_1 may not reach 1 in either.
    ExperimentConfig c;
    setSetting(c, "optimizer.type", std::string("lion"));
    QVERIFY_THROWS_EXCEPTION(Error, setSetting(c, "optimizer.beta_1", 1.0));
    setSetting(c, "optimizer.beta_1", 0.99);
    OptimizerSettings s = c.optimizer;
    s.beta1 = 1.0;
    QVERIFY_THROWS_EXCEPTION(Error, validate(s));
  }

  void kerasDefaults() {
    const OptimizerSettings adamw = OptimizerSettings::defaultsFor(OptimizerKind::AdamW);
    QCOMPARE(adamw.learningRate, 0.001);
    QCOMPARE(adamw.weightDecay, 0.004);
    QCOMPARE(adamw.beta1, 0.9);
    QCOMPARE(adamw.beta2, 0.999);
    QCOMPARE(adamw.epsilon, 1e-7);
    QVERIFY(!adamw.amsgrad);
    const OptimizerSettings lion = OptimizerSettings::defaultsFor(OptimizerKind::Lion);
    QCOMPARE(lion.learningRate, 0.001);
    QCOMPARE(lion.beta1, 0.9);
    QCOMPARE(lion.beta2, 0.99);
    QCOMPARE(lion.weightDecay, 0.0);  // Keras: weight_decay=None
    // No optimiser but AdamW decays by default.
    for (const OptimizerDescriptor* d : optimizerRegistry()) {
      if (d->kind != OptimizerKind::AdamW) QCOMPARE(d->defaults.weightDecay, 0.0);
    }
  }

  void lionGoldenValues() {
    // lr 0.1, beta_1 0.9, beta_2 0.99, m0 = 0.
    // Step 1, g1 = (0.5, -0.25, 0):
    //   c = 0.9 m0 + 0.1 g1 = (0.05, -0.025, 0); sign (1, -1, 0)
    //   w1 = (1, -2, 0.5) - 0.1 (1, -1, 0) = (0.9, -1.9, 0.5)
    //   m1 = 0.99 m0 + 0.01 g1 = (0.005, -0.0025, 0)
    // Step 2, g2 = (-0.04, 0.4, 0.3):
    //   c = 0.9 m1 + 0.1 g2 = (0.0045 - 0.004, -0.00225 + 0.04, 0.03) = (0.0005, 0.03775, 0.03)
    //   the first coordinate follows the momentum against its gradient: sign (1, 1, 1)
    //   w2 = (0.8, -2.0, 0.4)
    //   m2 = 0.99 m1 + 0.01 g2 = (0.00495 - 0.0004, -0.002475 + 0.004, 0.003)
    //      = (0.00455, 0.001525, 0.003)
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::Lion);
    s.learningRate = 0.1;
    auto lion = makeOptimizer<double>(s);
    Vector<double> w = values({1.0, -2.0, 0.5});
    lion->update(w, values({0.5, -0.25, 0.0}), 0.1);
    expectNear(w, values({0.9, -1.9, 0.5}), 1e-15, "w1");
    lion->update(w, values({-0.04, 0.4, 0.3}), 0.1);
    expectNear(w, values({0.8, -2.0, 0.4}), 1e-15, "w2");
    const OptimizerState<double> state = lion->state();
    QCOMPARE(state.iterations, std::int64_t(2));
    QCOMPARE(int(state.vectors.size()), 1);
    QCOMPARE(state.vectors[0].name, std::string("momentum"));
    expectNear(state.vectors[0].values, values({0.00455, 0.001525, 0.003}), 1e-17, "m2");
  }

  void lionWithWeightDecay() {
    // Keras's base optimiser decays first: w <- w - w * wd * lr, here wd 0.5, lr 0.1 (x 0.95).
    //   step 1: (1, -2, 0.5) x 0.95 = (0.95, -1.9, 0.475); minus 0.1 (1, -1, 0)
    //           = (0.85, -1.8, 0.475)
    //   step 2: x 0.95 = (0.8075, -1.71, 0.45125); minus 0.1 (1, 1, 1) = (0.7075, -1.81, 0.35125)
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::Lion);
    s.weightDecay = 0.5;
    auto lion = makeOptimizer<double>(s);
    Vector<double> w = values({1.0, -2.0, 0.5});
    lion->update(w, values({0.5, -0.25, 0.0}), 0.1);
    expectNear(w, values({0.85, -1.8, 0.475}), 1e-15, "w1");
    lion->update(w, values({-0.04, 0.4, 0.3}), 0.1);
    expectNear(w, values({0.7075, -1.81, 0.35125}), 1e-15, "w2");
  }

  void adamwGoldenValues() {
    // lr 0.1, weight_decay 0.1, beta_1 0.9, beta_2 0.999, epsilon 1e-7; w0 = (1, -2).
    // Step 1, g1 = (0.5, -0.25):
    //   decay: w = w0 (1 - 0.1 * 0.1) = (0.99, -1.98)
    //   m = 0.1 g1 = (0.05, -0.025); v = 0.001 g1^2 = (2.5e-4, 6.25e-5)
    //   lr_t = 0.1 sqrt(1 - 0.999) / (1 - 0.9) = 0.1 sqrt(0.001) / 0.1
    //   w -= lr_t m / (sqrt(v) + eps) = 0.1 g1 / (|g1| + eps / sqrt(0.001))
    //   w1 = 0.99 - 0.1 / (1 + 1e-7 / (0.5 sqrt(0.001)))  = 0.890000632451532...
    //        -1.98 + 0.1 / (1 + 1e-7 / (0.25 sqrt(0.001))) = -1.880001264895064...
    // Step 2, g2 = (-0.1, 0.4):
    //   decay: w = w1 x 0.99
    //   m = 0.9 m + 0.1 g2 = (0.035, 0.0175); v = 0.999 v + 0.001 g2^2 = (2.5975e-4, 2.224375e-4)
    //   lr_t = 0.1 sqrt(1 - 0.999^2) / (1 - 0.9^2)
    //   w2 = w1 x 0.99 - lr_t m / (sqrt(v) + eps) = (0.829998335484..., -1.888812366318...)
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::AdamW);
    s.weightDecay = 0.1;
    auto adamw = makeOptimizer<double>(s);
    Vector<double> w = values({1.0, -2.0});
    adamw->update(w, values({0.5, -0.25}), 0.1);
    const double root = std::sqrt(0.001);
    expectNear(
        w,
        values({0.99 - 0.1 / (1 + 1e-7 / (0.5 * root)), -1.98 + 0.1 / (1 + 1e-7 / (0.25 * root))}),
        1e-15, "w1 (closed form)");
    expectNear(w, values({0.890000632451532, -1.8800012648950641}), 1e-14, "w1");
    adamw->update(w, values({-0.1, 0.4}), 0.1);
    expectNear(w, values({0.8299983354841115, -1.8888123663181593}), 1e-14, "w2");
    QCOMPARE(adamw->iterations(), std::int64_t(2));
    QCOMPARE(adamw->name(), std::string("AdamW"));
  }

  void adamwIsAdamWithWeightDecay() {
    // Keras's AdamW only changes Adam's weight_decay default: every optimiser decays alike.
    OptimizerSettings adam = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    adam.weightDecay = 0.004;
    const OptimizerSettings adamw = OptimizerSettings::defaultsFor(OptimizerKind::AdamW);
    auto a = makeOptimizer<double>(adam);
    auto b = makeOptimizer<double>(adamw);
    Vector<double> wa = values({0.3, -1.0, 2.0}), wb = wa;
    for (int k = 0; k < 3; ++k) {
      const Vector<double> g = values({0.1 * (k + 1), -0.2, 0.05 * k});
      a->update(wa, g, 0.01);
      b->update(wb, g, 0.01);
    }
    QVERIFY(wa == wb);
    // The decay is decoupled: with zero gradients Adam's update is zero, the decay is not.
    OptimizerSettings plain = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    auto c = makeOptimizer<double>(plain);
    auto d = makeOptimizer<double>(adamw);
    Vector<double> wc = values({1.0}), wd = wc;
    c->update(wc, values({0.0}), 0.5);
    d->update(wd, values({0.0}), 0.5);
    QCOMPARE(wc[0], 1.0);
    QCOMPARE(wd[0], 1.0 - 1.0 * 0.004 * 0.5);
  }

  void weightDecayCanSpareBiasesAndNormalisation() {
    // Layout: a 2-element kernel, a bias, a BatchNorm gamma and beta.
    const ParameterLayout layout{{"layers[0].kernel", 0, TensorRole::Kernel, 0, 2, 2, 1},
                                 {"layers[0].bias", 0, TensorRole::Bias, 2, 1, 1, 1},
                                 {"layers[1].gamma", 1, TensorRole::Gamma, 3, 1, 1, 1},
                                 {"layers[1].beta", 1, TensorRole::Beta, 4, 1, 1, 1}};
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
    s.weightDecay = 0.5;
    const Vector<double> zero = Vector<double>::Zero(5);
    // As Keras by default: every trainable variable decays, biases and gamma/beta included.
    auto all = makeOptimizer<double>(s);
    Vector<double> w = values({1.0, -2.0, 0.5, 1.0, 0.25});
    all->update(w, zero, 0.1, &layout);
    expectNear(w, values({0.95, -1.9, 0.475, 0.95, 0.2375}), 1e-16, "all decay");
    // Excluded: only the kernels.
    s.excludeFromWeightDecay = true;
    auto kernels = makeOptimizer<double>(s);
    w = values({1.0, -2.0, 0.5, 1.0, 0.25});
    kernels->update(w, zero, 0.1, &layout);
    expectNear(w, values({0.95, -1.9, 0.5, 1.0, 0.25}), 1e-16, "kernels only");
    // Plain SGD with decay: w - w wd lr - lr g.
    auto sgd = makeOptimizer<double>(s);
    w = values({1.0, -2.0, 0.5, 1.0, 0.25});
    sgd->update(w, values({0.2, 0.2, 0.2, 0.2, 0.2}), 0.1, &layout);
    expectNear(w, values({0.93, -1.92, 0.48, 0.98, 0.23}), 1e-15, "sgd");
  }

  void weightDecayIsValidated() {
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind::AdamW);
    s.weightDecay = -0.1;
    try {
      validate(s);
      QFAIL("no exception");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("optimizer.weight_decay"));
    }
  }

  void lionStateRoundTrip() {
    auto lion = makeOptimizer<float>(OptimizerSettings::defaultsFor(OptimizerKind::Lion));
    Vector<float> w = Vector<float>::Ones(4);
    const Vector<float> g = Vector<float>::LinSpaced(4, -1.0f, 1.0f);
    lion->update(w, g, 0.01);
    auto copy = makeOptimizer<float>(OptimizerSettings::defaultsFor(OptimizerKind::Lion));
    copy->setState(lion->state(), 4);
    Vector<float> w2 = w;
    lion->update(w, g, 0.01);
    copy->update(w2, g, 0.01);
    QVERIFY(w == w2);
    auto adam = makeOptimizer<float>(OptimizerSettings::defaultsFor(OptimizerKind::Adam));
    QVERIFY_THROWS_EXCEPTION(Error, adam->setState(lion->state(), 4));  // foreign slots
  }
};

QTEST_GUILESS_MAIN(TestOptimizerRegistry)
#include "tst_optimizer_registry.moc"
