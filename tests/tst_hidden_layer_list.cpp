// The layer list (model.layers): its one-line text form parses and prints back, errors name
// the layer and the field, the schema sets it like any setting, and the network built from it
// has each layer's width, activation, BatchNorm and dropout.
#include <QtTest>

#include "core/model/experiment_config.h"
#include "core/model/hidden_layer_list.h"
#include "core/model/settings_schema.h"

using namespace gradscope::core;

class TestHiddenLayerList : public QObject {
  Q_OBJECT
 private slots:
  void parsesTheTextForms();
  void roundTrip_data();
  void roundTrip();
  void errorsNameLayerAndField_data();
  void errorsNameLayerAndField();
  void schemaSetting();
  void networkFromTheList();
};

void TestHiddenLayerList::parsesTheTextForms() {
  const ActivationSpec tanh{ActivationKind::Tanh};
  const HiddenLayerList two = parseHiddenLayers("300 relu, 100 relu", tanh);
  QCOMPARE(two.layers.size(), std::size_t(2));
  QCOMPARE(two.layers[0].units, Index(300));
  QCOMPARE(two.layers[1].units, Index(100));
  QVERIFY(two.layers[1].activation.kind == ActivationKind::Relu);
  QVERIFY(!two.inputBatchNorm);

  const HiddenLayerList deep = parseHiddenLayers("100x20 selu", tanh);
  // COUNTxUNITS, as "100 hidden layers x 100 units": a hundred layers of 20 units.
  QCOMPARE(deep.layers.size(), std::size_t(100));
  for (const HiddenLayer& l : deep.layers) {
    QCOMPARE(l.units, Index(20));
    QVERIFY(l.activation.kind == ActivationKind::Selu);
  }

  const HiddenLayerList book = parseHiddenLayers(" bn , 300 relu bn, 100 relu bn ", tanh);
  QVERIFY(book.inputBatchNorm);
  QCOMPARE(book.layers.size(), std::size_t(2));
  QVERIFY(book.layers[0].batchNorm == BatchNormPlacement::AfterActivation);

  const HiddenLayerList options = parseHiddenLayers("64 elu bn_before dropout 0.2, 32", tanh);
  QVERIFY(options.layers[0].batchNorm == BatchNormPlacement::BeforeActivation);
  QCOMPARE(options.layers[0].dropoutRate, 0.2);
  QVERIFY(options.layers[1].activation.kind == ActivationKind::Tanh);  // the default
  QCOMPARE(options.layers[1].dropoutRate, 0.0);

  QVERIFY(parseHiddenLayers("  ", tanh).layers.empty());
}

void TestHiddenLayerList::roundTrip_data() {
  QTest::addColumn<QString>("text");
  QTest::newRow("two") << "300 relu, 100 relu";
  QTest::newRow("deep") << "100x20 selu";
  QTest::newRow("book") << "bn, 300 relu bn, 100 relu bn";
  QTest::newRow("mixed") << "3x64 elu bn_before dropout 0.25, 32 tanh, 2x8 leaky_relu";
  QTest::newRow("empty") << "";
}

void TestHiddenLayerList::roundTrip() {
  QFETCH(QString, text);
  const ActivationSpec tanh{ActivationKind::Tanh};
  const HiddenLayerList list = parseHiddenLayers(text.toStdString(), tanh);
  const std::string printed = formatHiddenLayers(list.layers, list.inputBatchNorm);
  QCOMPARE(QString::fromStdString(printed), text);
  QVERIFY(parseHiddenLayers(printed, tanh) == list);
}

void TestHiddenLayerList::errorsNameLayerAndField_data() {
  QTest::addColumn<QString>("text");
  QTest::addColumn<QString>("field");
  QTest::addColumn<QString>("reason");
  QTest::newRow("units not a number") << "300 relu, abc relu"
                                      << "model.layers[2].units"
                                      << "'abc' is not a whole number of units";
  QTest::newRow("units out of range") << "300 relu, 0 relu"
                                      << "model.layers[2].units"
                                      << "must be in [1, 16384]";
  QTest::newRow("unknown activation") << "10 relu, 10 swish"
                                      << "model.layers[2].activation"
                                      << "unknown activation 'swish'";
  QTest::newRow("softmax") << "10 softmax"
                           << "model.layers[1].activation"
                           << "softmax is only used by the output layer";
  QTest::newRow("dropout") << "10 relu, 20 relu dropout 1.5"
                           << "model.layers[2].dropout"
                           << "expected a rate in [0, 1), got '1.5'";
  QTest::newRow("option") << "10 relu batchnorm"
                          << "model.layers[1]"
                          << "unknown option 'batchnorm' (expected bn, bn_before or dropout RATE)";
  QTest::newRow("empty item") << "10 relu,, 5 relu"
                              << "model.layers"
                              << "empty item 2 between commas";
  QTest::newRow("count") << "0x10 relu"
                         << "model.layers[1].count"
                         << "'0' is not a layer count in [1, 250]";
}

void TestHiddenLayerList::errorsNameLayerAndField() {
  QFETCH(QString, text);
  QFETCH(QString, field);
  QFETCH(QString, reason);
  try {
    parseHiddenLayers(text.toStdString(), ActivationSpec{ActivationKind::Tanh});
    QFAIL("no error");
  } catch (const Error& e) {
    QCOMPARE(QString::fromStdString(e.field()), field);
    QCOMPARE(QString::fromStdString(e.reason()), reason);
  }
}

void TestHiddenLayerList::schemaSetting() {
  ExperimentConfig config;
  const SettingMeta* meta = findSetting("model.layers");
  QVERIFY(meta);
  QCOMPARE(meta->effect, SettingEffect::Rebuild);
  QCOMPARE(std::get<std::string>(getSetting(config, "model.layers")), std::string());
  QVERIFY(findSetting("model.width")->relevant(config));
  setSetting(config, "model.layers", parseSettingValue(*meta, "300 relu, 100 relu"));
  QCOMPARE(config.model.layers.size(), std::size_t(2));
  QCOMPARE(std::get<std::string>(getSetting(config, "model.layers")),
           std::string("300 relu, 100 relu"));
  // While a list is set, the equal stack's controls do not apply.
  for (const char* key : {"model.hidden_layers", "model.width", "model.activation",
                          "model.batch_norm", "model.dropout"}) {
    QVERIFY2(!findSetting(key)->relevant(config), key);
  }
  QVERIFY(findSetting("model.initializer")->relevant(config));
  QCOMPARE(config.model.hiddenLayerCount(), 2);
  try {
    setSetting(config, "model.layers", std::string("300 relu, 100 foo"));
    QFAIL("no error");
  } catch (const Error& e) {
    QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("model.layers[2].activation"));
  }
  // The config is unchanged by a refused value.
  QCOMPARE(config.model.layers[1].units, Index(100));
  setSetting(config, "model.layers", std::string());
  QVERIFY(config.model.layers.empty());
  QVERIFY(findSetting("model.width")->relevant(config));
}

void TestHiddenLayerList::networkFromTheList() {
  ModelConfig model;
  model.initializer = InitializerSpec{InitializerKind::HeNormal};
  const HiddenLayerList list =
      parseHiddenLayers("bn, 300 relu bn, 100 elu bn_before dropout 0.2", model.hiddenActivation);
  model.layers = list.layers;
  model.inputBatchNorm = list.inputBatchNorm;
  validate(model);
  const NetworkSpec spec = buildNetworkSpec(model, 784, 10, TaskKind::MultiClass);
  const std::vector<LayerKind> kinds{LayerKind::BatchNormalization,
                                     LayerKind::Dense,
                                     LayerKind::BatchNormalization,
                                     LayerKind::Dense,
                                     LayerKind::BatchNormalization,
                                     LayerKind::Activation,
                                     LayerKind::Dropout,
                                     LayerKind::Dense};
  QCOMPARE(spec.layers.size(), kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) QVERIFY(spec.layers[i].kind == kinds[i]);
  QCOMPARE(spec.layers[1].units, Index(300));
  QVERIFY(spec.layers[1].activation.kind == ActivationKind::Relu);
  QVERIFY(spec.layers[1].kernelInitializer.kind == InitializerKind::HeNormal);
  QCOMPARE(spec.layers[3].units, Index(100));
  QVERIFY(spec.layers[3].activation.kind == ActivationKind::Linear);  // BN before the activation
  QVERIFY(spec.layers[5].activation.kind == ActivationKind::Elu);
  QCOMPARE(spec.layers[6].rate, 0.2);
  QCOMPARE(spec.layers[7].units, Index(10));
  QCOMPARE(denseLayerIndices(spec), (std::vector<int>{1, 3, 7}));
  // A layer's field out of range is refused by validate(), naming it.
  model.layers[1].units = 0;
  try {
    validate(model);
    QFAIL("no error");
  } catch (const Error& e) {
    QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("model.layers[2].units"));
  }
}

QTEST_GUILESS_MAIN(TestHiddenLayerList)
#include "tst_hidden_layer_list.moc"
