// Network and trainer as a whole: the sizes a lecturer may want (200 layers, 4096 units a
// layer, batch 1 to the whole set) work; settings beyond the documented limits are refused
// with an Error naming the field, before anything is allocated; an activation changes on a
// live network without touching a weight; one seed gives bit-identical runs; float32 and
// float64 agree; copies carry parameters and BatchNorm buffers.
#include <QtTest>

#include <cmath>
#include <cstring>

#include "core/layers/batch_norm_layer.h"
#include "core/model/network.h"
#include "core/model/trainer.h"

using namespace gradscope::core;

Q_DECLARE_METATYPE(gradscope::core::NetworkSpec)

namespace {

// Three Gaussian blobs in `inputs` dimensions, one-hot targets (or the first target row
// for regression).
Dataset blobs(Index inputs, Index classes, Index samples, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.inputs.resize(inputs, samples);
  data.targets.setZero(classes, samples);
  data.task = classes > 1 ? TaskKind::MultiClass : TaskKind::Regression;
  for (Index j = 0; j < samples; ++j) {
    const Index c = j % std::max<Index>(classes, 1);
    for (Index i = 0; i < inputs; ++i)
      data.inputs(i, j) = (i % 3 == c % 3 ? 2.0 : 0.0) + rng.normal();
    if (classes > 1) {
      data.targets(c, j) = 1.0;
    } else {
      data.targets(0, j) = data.inputs.col(j).sum() / double(inputs);
    }
  }
  return data;
}

TrainingSettings training(Index batchSize, std::uint64_t seed = 1) {
  TrainingSettings settings;
  settings.batchSize = batchSize;
  settings.epochs = 10;
  settings.seed = seed;
  return settings;
}

OptimizerSettings adam() { return OptimizerSettings::defaultsFor(OptimizerKind::Adam); }

// A classifier with every kind of layer that draws random numbers or keeps buffers.
NetworkSpec classifierSpec(Index inputs = 4) {
  NetworkSpec spec;
  spec.inputs = inputs;
  spec.layers = {LayerSpec::dense(16, ActivationKind::Relu, InitializerKind::HeNormal),
                 LayerSpec::batchNormalization(),
                 LayerSpec::dropout(0.3),
                 LayerSpec::dense(8, ActivationKind::Selu, InitializerKind::LecunNormal),
                 LayerSpec::alphaDropout(0.1),
                 LayerSpec::dense(3, ActivationKind::Softmax)};
  return spec;
}

template <typename T>
bool bitIdentical(const Vector<T>& a, const Vector<T>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(T)) == 0;
}

std::string fieldOfError(const NetworkSpec& spec) {
  try {
    validate(spec);
  } catch (const Error& e) {
    return e.field();
  }
  return "(accepted)";
}

}  // namespace

class TestNetwork : public QObject {
  Q_OBJECT
 private slots:
  // --- sizes a lecturer may want

  void twoHundredLayers() {
    NetworkSpec spec;
    spec.inputs = 4;
    for (int i = 0; i < 199; ++i) spec.layers.push_back(LayerSpec::dense(16, ActivationKind::Tanh));
    spec.layers.push_back(LayerSpec::dense(1, ActivationKind::Linear));
    QCOMPARE(spec.layers.size(), std::size_t(200));
    Trainer<float> trainer(spec, LossKind::MeanSquaredError, blobs(4, 1, 32, 1), Dataset{},
                           OptimizerSettings{}, ScheduleSettings{}, training(8));
    QCOMPARE(trainer.network().layerCount(), 200);
    QCOMPARE(trainer.network().parameterCount(), Index(4 * 16 + 16 + 198 * (16 * 16 + 16) + 17));
    for (int i = 0; i < 2; ++i) {
      const StepRecord record = trainer.step();
      QVERIFY(record.finite);
      QCOMPARE(record.batchSize, Index(8));
    }
    QVERIFY(trainer.network().parameters().allFinite());
  }

  void maximumLayerCountBuilds() {
    // kMaxLayers layers of every kind is accepted and runs forward.
    NetworkSpec spec;
    spec.inputs = 4;
    while (int(spec.layers.size()) + 3 < kMaxLayers) {
      spec.layers.push_back(LayerSpec::dense(4, ActivationKind::Tanh));
      spec.layers.push_back(LayerSpec::batchNormalization());
      spec.layers.push_back(LayerSpec::dropout(0.1));
    }
    while (int(spec.layers.size()) < kMaxLayers) {
      spec.layers.push_back(LayerSpec::dense(4, ActivationKind::Tanh));
    }
    Network<float> net(spec);
    QCOMPARE(net.layerCount(), kMaxLayers);
    Rng rng(1);
    net.initialize(rng);
    const Matrix<float> x = Matrix<float>::Ones(4, 5);
    QVERIFY(net.forward(x, Mode::Training, rng).allFinite());
    // One more is refused.
    spec.layers.push_back(LayerSpec::dense(4, ActivationKind::Tanh));
    QCOMPARE(fieldOfError(spec), std::string("layers"));
    QVERIFY_THROWS_EXCEPTION(Error, Network<float>{spec});
  }

  void wideLayers() {
    // Two 4096-unit layers (a 4096 x 4096 kernel) train in float32.
    NetworkSpec spec;
    spec.inputs = 16;
    spec.layers = {LayerSpec::dense(4096, ActivationKind::Relu, InitializerKind::HeUniform),
                   LayerSpec::dense(4096, ActivationKind::Relu, InitializerKind::HeUniform),
                   LayerSpec::dense(3, ActivationKind::Softmax)};
    Trainer<float> trainer(spec, LossKind::CategoricalCrossentropy, blobs(16, 3, 32, 2), Dataset{},
                           OptimizerSettings{}, ScheduleSettings{}, training(32));
    QCOMPARE(trainer.network().parameterCount(),
             Index(16 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 3 + 3));
    const StepRecord record = trainer.step();
    QVERIFY(record.finite);
    QVERIFY(std::isfinite(record.accuracy));
    QCOMPARE(trainer.network().output().rows(), 3);
    // The widest layer a spec may ask for is accepted.
    NetworkSpec widest;
    widest.inputs = 2;
    widest.layers = {LayerSpec::dense(kMaxUnits, ActivationKind::Relu)};
    QCOMPARE(fieldOfError(widest), std::string("(accepted)"));
  }

  void batchOfOneToFullBatch_data() {
    QTest::addColumn<qint64>("batchSize");
    QTest::addColumn<QList<qint64>>("batches");  // batch sizes of one epoch
    QTest::newRow("1") << qint64(1) << QList<qint64>(10, 1);
    QTest::newRow("4") << qint64(4) << QList<qint64>{4, 4, 2};
    QTest::newRow("whole set") << qint64(10) << QList<qint64>{10};
    QTest::newRow("beyond the set") << qint64(1'000'000) << QList<qint64>{10};
  }
  void batchOfOneToFullBatch() {
    QFETCH(qint64, batchSize);
    QFETCH(QList<qint64>, batches);
    Trainer<float> trainer(classifierSpec(), LossKind::CategoricalCrossentropy, blobs(4, 3, 10, 3),
                           Dataset{}, adam(), ScheduleSettings{}, training(batchSize));
    QCOMPARE(trainer.stepsPerEpoch(), Index(batches.size()));
    for (int epoch = 0; epoch < 2; ++epoch) {
      for (int i = 0; i < batches.size(); ++i) {
        const StepRecord record = trainer.step();
        QCOMPARE(record.batchSize, Index(batches[i]));
        QCOMPARE(record.epoch, epoch);
        QCOMPARE(record.epochEnd, i + 1 == batches.size());
        // A batch of one has zero batch variance: BatchNorm stays finite.
        QVERIFY(record.finite);
      }
    }
    QVERIFY(trainer.network().parameters().allFinite());
    QCOMPARE(trainer.epoch(), 2);
  }

  void batchSizeLimits() {
    const Dataset data = blobs(4, 3, 10, 4);
    for (Index bad : {Index(0), Index(-1), Index(1'000'001)}) {
      try {
        Trainer<float> trainer(classifierSpec(), LossKind::CategoricalCrossentropy, data, Dataset{},
                               adam(), ScheduleSettings{}, training(bad));
        QFAIL("no error");
      } catch (const Error& e) {
        QCOMPARE(e.field(), std::string("batch_size"));
      }
    }
    Trainer<float> trainer(classifierSpec(), LossKind::CategoricalCrossentropy, data, Dataset{},
                           adam(), ScheduleSettings{}, training(4));
    QVERIFY_THROWS_EXCEPTION(Error, trainer.setBatchSize(0));
    QVERIFY_THROWS_EXCEPTION(Error, trainer.setEpochs(0));
    QCOMPARE(trainer.trainingSettings().batchSize, Index(4));
  }

  // --- settings beyond the documented limits

  void validateNamesTheField_data() {
    QTest::addColumn<NetworkSpec>("spec");
    QTest::addColumn<QString>("field");
    NetworkSpec base;
    base.inputs = 4;
    base.layers = {LayerSpec::dense(8, ActivationKind::Relu), LayerSpec::batchNormalization(),
                   LayerSpec::dropout(0.2), LayerSpec::dense(8, ActivationKind::Relu),
                   LayerSpec::dense(2, ActivationKind::Softmax)};
    QTest::newRow("valid") << base << "(accepted)";
    auto with = [&](auto change) {
      NetworkSpec spec = base;
      change(spec);
      return spec;
    };
    QTest::newRow("inputs 0") << with([](NetworkSpec& s) { s.inputs = 0; }) << "inputs";
    QTest::newRow("inputs too many")
        << with([](NetworkSpec& s) { s.inputs = kMaxUnits + 1; }) << "inputs";
    QTest::newRow("too many layers") << with([](NetworkSpec& s) {
      s.layers.insert(s.layers.begin(), std::size_t(kMaxLayers), LayerSpec::dropout(0.0));
    }) << "layers";
    QTest::newRow("units 0") << with([](NetworkSpec& s) { s.layers[3].units = 0; })
                             << "layers[3].units";
    QTest::newRow("units negative")
        << with([](NetworkSpec& s) { s.layers[3].units = -5; }) << "layers[3].units";
    QTest::newRow("units 10^7") << with([](NetworkSpec& s) { s.layers[3].units = 10'000'000; })
                                << "layers[3].units";
    QTest::newRow("units max + 1")
        << with([](NetworkSpec& s) { s.layers[3].units = kMaxUnits + 1; }) << "layers[3].units";
    QTest::newRow("units 10^15") << with([](NetworkSpec& s) {
      s.layers[0].units = Index(1'000'000'000'000'000);
    }) << "layers[0].units";
    QTest::newRow("rate 1") << with([](NetworkSpec& s) { s.layers[2].rate = 1.0; })
                            << "layers[2].rate";
    QTest::newRow("rate negative")
        << with([](NetworkSpec& s) { s.layers[2].rate = -0.1; }) << "layers[2].rate";
    QTest::newRow("rate nan") << with([](NetworkSpec& s) { s.layers[2].rate = std::nan(""); })
                              << "layers[2].rate";
    QTest::newRow("alpha dropout rate 1")
        << with([](NetworkSpec& s) { s.layers[2] = LayerSpec::alphaDropout(1.0); })
        << "layers[2].rate";
    QTest::newRow("l2 negative") << with([](NetworkSpec& s) { s.layers[3].l2 = -0.01; })
                                 << "layers[3].l2";
    QTest::newRow("l2 nan") << with([](NetworkSpec& s) { s.layers[3].l2 = std::nan(""); })
                            << "layers[3].l2";
    QTest::newRow("softmax hidden")
        << with([](NetworkSpec& s) { s.layers[3].activation.kind = ActivationKind::Softmax; })
        << "layers[3].activation";
    QTest::newRow("softmax activation layer hidden") << with([](NetworkSpec& s) {
      s.layers[2] = LayerSpec::activationLayer(ActivationKind::Softmax);
    }) << "layers[2].activation";
    QTest::newRow("momentum 1") << with([](NetworkSpec& s) { s.layers[1].momentum = 1.0; })
                                << "layers[1].momentum";
    QTest::newRow("epsilon 0") << with([](NetworkSpec& s) { s.layers[1].epsilon = 0.0; })
                               << "layers[1].epsilon";
    QTest::newRow("leaky slope") << with([](NetworkSpec& s) {
      s.layers[3].activation = {ActivationKind::LeakyRelu, 2.0};
    }) << "layers[3].activation.negative_slope";
    QTest::newRow("initializer") << with([](NetworkSpec& s) {
      s.layers[3].kernelInitializer = {InitializerKind::RandomNormal};
      s.layers[3].kernelInitializer.stddev = -1;
    }) << "layers[3].kernel_initializer.stddev";
    // 16384 x 16384 weights (268 million) exceed kMaxParameters although each size is legal.
    QTest::newRow("too many parameters") << with([](NetworkSpec& s) {
      s.inputs = kMaxUnits;
      s.layers[0].units = kMaxUnits;
    }) << "layers[0]";
  }
  void validateNamesTheField() {
    QFETCH(NetworkSpec, spec);
    QFETCH(QString, field);
    QCOMPARE(QString::fromStdString(fieldOfError(spec)), field);
    if (field == "(accepted)") return;
    // The network and the trainer refuse the spec too: an Error, no allocation, no crash.
    try {
      Network<float> net(spec);
      QFAIL("the network was built");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY(QString::fromStdString(e.what()).startsWith(field + ": "));
    }
    QVERIFY_THROWS_EXCEPTION(
        Error, Trainer<double>(spec, LossKind::CategoricalCrossentropy, blobs(4, 2, 8, 5),
                               Dataset{}, adam(), ScheduleSettings{}, training(4)));
  }

  void dataMustFitTheNetwork() {
    const Dataset wrongInputs = blobs(5, 3, 10, 6);
    try {
      Trainer<float> t(classifierSpec(), LossKind::CategoricalCrossentropy, wrongInputs, Dataset{},
                       adam(), ScheduleSettings{}, training(4));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("data.train.inputs"));
    }
    try {
      Trainer<float> t(classifierSpec(), LossKind::CategoricalCrossentropy, blobs(4, 3, 10, 6),
                       blobs(4, 2, 10, 6), adam(), ScheduleSettings{}, training(4));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("data.validation.targets"));
    }
    // A cross-entropy needs its output activation.
    NetworkSpec linearOut = classifierSpec();
    linearOut.layers.back().activation.kind = ActivationKind::Linear;
    try {
      Trainer<float> t(linearOut, LossKind::CategoricalCrossentropy, blobs(4, 3, 10, 6), Dataset{},
                       adam(), ScheduleSettings{}, training(4));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("loss"));
    }
  }

  // --- activation as a live per-layer setting

  void networkSetActivationKeepsWeights() {
    NetworkSpec spec;
    spec.inputs = 3;
    spec.layers = {LayerSpec::dense(8, ActivationKind::Relu),
                   LayerSpec::dense(8, ActivationKind::Relu),
                   LayerSpec::activationLayer(ActivationKind::Sigmoid),
                   LayerSpec::dense(1, ActivationKind::Linear)};
    Network<double> net(spec);
    Rng rng(3);
    net.initialize(rng);
    const Matrix<double> x = blobs(3, 1, 6, 7).inputs;
    const Matrix<double> before = net.forward(x, Mode::Inference, rng);
    const Vector<double> weights = net.parameters();
    const ParameterLayout layout = net.layout();

    net.setActivation(1, {ActivationKind::Tanh});
    QVERIFY(bitIdentical(net.parameters(), weights));
    QCOMPARE(net.layout().size(), layout.size());
    QVERIFY(net.spec().layers[1].activation.kind == ActivationKind::Tanh);
    QVERIFY(net.layerAs<DenseLayer<double>>(1)->activation().kind() == ActivationKind::Tanh);
    const Matrix<double> afterDense = net.forward(x, Mode::Inference, rng);
    QVERIFY((afterDense - before).cwiseAbs().maxCoeff() > 1e-6);

    net.setActivation(2, {ActivationKind::LeakyRelu, 0.3});  // an Activation layer
    QVERIFY(bitIdentical(net.parameters(), weights));
    QCOMPARE(net.spec().layers[2].activation.negativeSlope, 0.3);
    QVERIFY((net.forward(x, Mode::Inference, rng) - afterDense).cwiseAbs().maxCoeff() > 1e-6);

    // Switching back restores the original function exactly.
    net.setActivation(1, {ActivationKind::Relu});
    net.setActivation(2, {ActivationKind::Sigmoid});
    QCOMPARE(net.forward(x, Mode::Inference, rng), before);
    QVERIFY(net.spec() == spec);
  }

  void networkSetActivationRefusesBadChanges() {
    Network<double> net(classifierSpec());
    Rng rng(4);
    net.initialize(rng);
    const Vector<double> weights = net.parameters();
    auto fieldOf = [&](int layer, ActivationSpec activation) -> std::string {
      try {
        net.setActivation(layer, activation);
      } catch (const Error& e) {
        return e.field();
      }
      return "(accepted)";
    };
    QCOMPARE(fieldOf(0, {ActivationKind::Softmax}), std::string("layers[0].activation"));
    QCOMPARE(fieldOf(3, {ActivationKind::Elu, 1.0, -2.0}),
             std::string("layers[3].activation.alpha"));
    QCOMPARE(fieldOf(2, {ActivationKind::Tanh}), std::string("layers[2]"));  // a Dropout layer
    QCOMPARE(fieldOf(6, {ActivationKind::Tanh}), std::string("layer"));
    QCOMPARE(fieldOf(-1, {ActivationKind::Tanh}), std::string("layer"));
    QVERIFY(net.spec() == classifierSpec());
    QVERIFY(bitIdentical(net.parameters(), weights));
  }

  void trainerSetActivationKeepsWeights() {
    Trainer<float> trainer(classifierSpec(), LossKind::CategoricalCrossentropy, blobs(4, 3, 40, 8),
                           Dataset{}, adam(), ScheduleSettings{}, training(8));
    for (int i = 0; i < 5; ++i) trainer.step();
    const Vector<float> weights = trainer.network().parameters();
    const Evaluation before = trainer.evaluateTraining();
    trainer.setActivation(0, {ActivationKind::Elu});
    QVERIFY(bitIdentical(trainer.network().parameters(), weights));
    QVERIFY(trainer.network().spec().layers[0].activation.kind == ActivationKind::Elu);
    const Evaluation after = trainer.evaluateTraining();
    QVERIFY(after.loss != before.loss);
    // Training continues from the same weights and step count.
    QCOMPARE(trainer.stepCount(), std::int64_t(5));
    QVERIFY(trainer.step().finite);
    QCOMPARE(trainer.stepCount(), std::int64_t(6));
  }

  void trainerRefusesAnActivationItsLossCannotUse() {
    // The categorical cross-entropy is computed from the softmax's logits: a sigmoid output
    // is refused when it is set, naming the setting, and the trainer keeps working.
    Trainer<float> trainer(classifierSpec(), LossKind::CategoricalCrossentropy, blobs(4, 3, 40, 9),
                           Dataset{}, adam(), ScheduleSettings{}, training(8));
    trainer.step();
    const Vector<float> weights = trainer.network().parameters();
    try {
      trainer.setActivation(5, {ActivationKind::Sigmoid});
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("layers[5].activation"));
    }
    QVERIFY(trainer.network().spec().layers[5].activation.kind == ActivationKind::Softmax);
    QVERIFY(bitIdentical(trainer.network().parameters(), weights));
    QVERIFY(trainer.step().finite);
  }

  // --- reproducibility

  void sameSeedBitIdenticalRuns() {
    const Dataset data = blobs(4, 3, 40, 10);
    auto run = [&](std::uint64_t seed, std::vector<double>& losses) {
      auto trainer = std::make_unique<Trainer<float>>(
          classifierSpec(), LossKind::CategoricalCrossentropy, data, Dataset{}, adam(),
          ScheduleSettings{}, training(8, seed));
      for (int i = 0; i < 50; ++i) {
        const StepRecord record = trainer->step();
        losses.push_back(record.loss.total());
        losses.push_back(record.accuracy);
      }
      return trainer;
    };
    std::vector<double> lossesA, lossesB, lossesC;
    auto a = run(7, lossesA);
    auto b = run(7, lossesB);
    auto c = run(8, lossesC);
    QCOMPARE(a->epoch(), 10);  // 50 steps of 8 over 40 samples: shuffled ten times
    QVERIFY(lossesA == lossesB);
    QVERIFY(bitIdentical(a->network().parameters(), b->network().parameters()));
    auto buffersA = a->network().buffers();
    auto buffersB = b->network().buffers();
    QCOMPARE(buffersA.size(), std::size_t(2));
    for (std::size_t i = 0; i < buffersA.size(); ++i) {
      QVERIFY(bitIdentical(*buffersA[i].second.values, *buffersB[i].second.values));
    }
    // Another seed: another run.
    QVERIFY(lossesA != lossesC);
    QVERIFY(!bitIdentical(a->network().parameters(), c->network().parameters()));
    // reset() replays the run exactly.
    a->reset();
    std::vector<double> replay;
    for (int i = 0; i < 50; ++i) {
      const StepRecord record = a->step();
      replay.push_back(record.loss.total());
      replay.push_back(record.accuracy);
    }
    QVERIFY(replay == lossesA);
    QVERIFY(bitIdentical(a->network().parameters(), b->network().parameters()));
  }

  void streamsAreIndependent() {
    // Initial weights, shuffling and dropout masks come from separate streams of one seed:
    // turning shuffling off keeps the initial weights and changes only the batches.
    const Dataset data = blobs(4, 3, 40, 11);
    TrainingSettings noShuffle = training(8, 7);
    noShuffle.shuffle = false;
    Trainer<double> a(classifierSpec(), LossKind::CategoricalCrossentropy, data, Dataset{}, adam(),
                      ScheduleSettings{}, noShuffle);
    Trainer<double> b(classifierSpec(), LossKind::CategoricalCrossentropy, data, Dataset{}, adam(),
                      ScheduleSettings{}, training(8, 7));
    QVERIFY(bitIdentical(a.network().parameters(), b.network().parameters()));
    QVERIFY(a.step().loss.total() != b.step().loss.total());
  }

  void floatAndDoubleAgree() {
    NetworkSpec spec = classifierSpec();
    const Dataset data = blobs(4, 3, 40, 12);
    OptimizerSettings sgd;
    sgd.learningRate = 0.05;
    Trainer<float> f(spec, LossKind::CategoricalCrossentropy, data, Dataset{}, sgd,
                     ScheduleSettings{}, training(8, 3));
    Trainer<double> d(spec, LossKind::CategoricalCrossentropy, data, Dataset{}, sgd,
                      ScheduleSettings{}, training(8, 3));
    // Same initial weights up to float rounding.
    QVERIFY(
        (f.network().parameters().cast<double>() - d.network().parameters()).cwiseAbs().maxCoeff() <
        1e-6);
    for (int i = 0; i < 20; ++i) {
      const double lf = f.step().loss.total();
      const double ld = d.step().loss.total();
      QVERIFY2(std::abs(lf - ld) < 1e-4 * std::max(1.0, ld),
               qPrintable(QString("step %1: %2 vs %3").arg(i).arg(lf).arg(ld)));
    }
    const double drift =
        (f.network().parameters().cast<double>() - d.network().parameters()).cwiseAbs().maxCoeff();
    QVERIFY2(drift < 1e-3, qPrintable(QString::number(drift)));
  }

  // --- copies

  void copyCarriesParametersAndBuffers() {
    NetworkSpec spec = classifierSpec();
    LayerSpec frozen = LayerSpec::batchNormalization();
    frozen.trainable = false;
    spec.layers.insert(spec.layers.begin() + 4, frozen);  // after the second Dense
    Network<double> original(spec);
    Rng rng(13);
    original.initialize(rng);
    const Matrix<double> x = blobs(4, 3, 16, 14).inputs;
    for (int i = 0; i < 5; ++i) original.forward(x, Mode::Training, rng);  // moves the stats
    for (auto& [layer, buffer] : original.buffers()) {
      if (buffer.name == "gamma") buffer.values->setConstant(1.5);
    }
    original.setActivation(3, {ActivationKind::Tanh});

    Network<double> copy(original);
    QVERIFY(copy.spec() == original.spec());
    QVERIFY(bitIdentical(copy.parameters(), original.parameters()));
    auto mine = copy.buffers();
    auto theirs = original.buffers();
    QCOMPARE(mine.size(), std::size_t(6));  // moving stats of both; frozen gamma and beta
    for (std::size_t i = 0; i < mine.size(); ++i) {
      QCOMPARE(mine[i].second.name, theirs[i].second.name);
      QVERIFY(bitIdentical(*mine[i].second.values, *theirs[i].second.values));
      QVERIFY(mine[i].second.values != theirs[i].second.values);
    }
    QVERIFY(!copy.layerAs<BatchNormLayer<double>>(1)->movingMean().isZero());
    // The copy computes the same function...
    const Matrix<double> expected = original.forward(x, Mode::Inference, rng);
    QCOMPARE(copy.forward(x, Mode::Inference, rng), expected);
    // ...from its own storage: changing it leaves the original alone.
    copy.parameters().setZero();
    QVERIFY(copy.forward(x, Mode::Inference, rng) != expected);
    QCOMPARE(original.forward(x, Mode::Inference, rng), expected);
    // Copy assignment does the same.
    Network<double> assigned(classifierSpec());
    assigned = original;
    QVERIFY(bitIdentical(assigned.parameters(), original.parameters()));
    QCOMPARE(assigned.forward(x, Mode::Inference, rng), expected);
    // Gradients of the copy go to the copy.
    const auto loss = makeLoss<double>(LossKind::CategoricalCrossentropy);
    const Matrix<double> y = blobs(4, 3, 16, 14).targets;
    original.gradients().setZero();
    assigned.forward(x, Mode::Training, rng);
    assigned.backward(*loss, y);
    QVERIFY(original.gradients().isZero());
    QVERIFY(!assigned.gradients().isZero());
  }
};

QTEST_GUILESS_MAIN(TestNetwork)
#include "tst_network.moc"
