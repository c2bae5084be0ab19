// Built-in real data sets: the four classics compiled in (shapes, classes, Digits as 8x8 images
// in [0, 1]), Fashion-MNIST from its Debian package (its test split and class names; where it
// is missing, the entry names the package and nothing else breaks), the settings schema naming
// them beside the generators, a run built on one, a subset of it, and data sources by path.
#include <QtTest>

#include "app/data/builtin_datasets.h"
#include "app/data/configured_data.h"
#include "app/data/data_source.h"
#include "app/worker/training_run.h"
#include "core/model/settings_schema.h"

using namespace gradscope;
using app::BuiltinDataset;
using core::Index;
using core::TaskKind;

class TestBuiltinDatasets : public QObject {
  Q_OBJECT
 private slots:
  void listNamesEveryCoreName() {
    const QList<BuiltinDataset> sets = app::builtinDatasets();
    QCOMPARE(sets.size(), qsizetype(std::size(core::kBuiltinDatasets)));
    for (const auto name : core::kBuiltinDatasets)
      QVERIFY2(app::findBuiltinDataset(QString::fromLatin1(name.data(), qsizetype(name.size()))),
               name.data());
    // The schema lists them after the generators.
    const core::SettingMeta* meta = core::findSetting("data.dataset");
    QVERIFY(meta);
    QCOMPARE(meta->choices.back(), std::string("digits"));
    QVERIFY(std::find(meta->choices.begin(), meta->choices.end(), "moons") != meta->choices.end());
  }

  void classics_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<Index>("samples");
    QTest::addColumn<Index>("features");
    QTest::addColumn<int>("classes");
    QTest::addColumn<QString>("firstClass");
    QTest::newRow("iris") << "iris" << Index(150) << Index(4) << 3 << "setosa";
    QTest::newRow("wine") << "wine" << Index(178) << Index(13) << 3 << "class_0";
    QTest::newRow("breast cancer") << "breast-cancer" << Index(569) << Index(30) << 2 << "benign";
    QTest::newRow("digits") << "digits" << Index(1797) << Index(64) << 10 << "0";
  }
  void classics() {
    QFETCH(QString, key);
    QFETCH(Index, samples);
    QFETCH(Index, features);
    QFETCH(int, classes);
    QFETCH(QString, firstClass);
    const app::BuiltinDataset* set = app::findBuiltinDataset(key);
    QVERIFY(set && set->available());
    const core::Dataset data = app::loadBuiltinDataset(key);
    QCOMPARE(data.sampleCount(), samples);
    QCOMPARE(data.featureCount(), features);
    QCOMPARE(int(data.classNames.size()), classes);
    QCOMPARE(data.task, classes == 2 ? TaskKind::Binary : TaskKind::MultiClass);
    QCOMPARE(QString::fromStdString(data.classNames[0]), firstClass);
    QCOMPARE(QString::fromStdString(data.name), set->name);
    QCOMPARE(QString::fromStdString(data.source), "builtin:" + key);
    // Every class occurs.
    std::vector<int> counts(std::size_t(classes), 0);
    for (Index i = 0; i < data.sampleCount(); ++i) ++counts[std::size_t(data.classOf(i))];
    QVERIFY(std::all_of(counts.begin(), counts.end(), [](int n) { return n > 0; }));
    if (key == QLatin1String("digits")) {
      QCOMPARE(data.image, (core::ImageShape{8, 8, 1}));
      QCOMPARE(data.inputs.minCoeff(), 0.0);
      QCOMPARE(data.inputs.maxCoeff(), 1.0);  // 16 / 16
    } else {
      QVERIFY(!data.image.isImage());
    }
  }

  void fashionMnistWhenInstalled() {
    const app::BuiltinDataset* set = app::findBuiltinDataset(QStringLiteral("fashion-mnist"));
    QVERIFY(set);
    if (!set->available()) {
      QVERIFY(set->unavailableReason.contains(QLatin1String("dataset-fashion-mnist")));
      QSKIP("dataset-fashion-mnist is not installed");
    }
    const core::Dataset data = app::loadBuiltinDataset(QStringLiteral("fashion-mnist"));
    QCOMPARE(data.sampleCount(), Index(60000));
    QCOMPARE(data.featureCount(), Index(784));
    QCOMPARE(data.image, (core::ImageShape{28, 28, 1}));
    QCOMPARE(data.classNames.size(), std::size_t(10));
    QCOMPARE(data.classNames[9], std::string("Ankle boot"));
    QVERIFY(data.testSplit);
    QCOMPARE(data.testSplit->sampleCount(), Index(10000));
    QCOMPARE(data.testSplit->classNames[0], std::string("T-shirt/top"));
    // 6,000 images of each class in the training set.
    const Eigen::VectorXd perClass = data.targets.rowwise().sum();
    QVERIFY((perClass.array() == 6000.0).all());
  }

  void missingFashionMnistNamesThePackage() {
    const QByteArray before = qgetenv("GRADSCOPE_FASHION_MNIST");
    qputenv("GRADSCOPE_FASHION_MNIST", "/nonexistent/fashion-mnist");
    const QList<BuiltinDataset> sets = app::builtinDatasets();
    QVERIFY(!sets[0].available());
    QVERIFY(sets[0].unavailableReason.contains(QLatin1String("dataset-fashion-mnist")));
    QVERIFY(sets[1].available());
    try {
      app::loadBuiltinDataset(QStringLiteral("fashion-mnist"));
      QFAIL("no error");
    } catch (const core::Error& e) {
      QCOMPARE(e.field(), std::string("builtin:fashion-mnist"));
      QVERIFY2(QString::fromStdString(e.reason()).contains("dataset-fashion-mnist"), e.what());
    }
    if (before.isEmpty())
      qunsetenv("GRADSCOPE_FASHION_MNIST");
    else
      qputenv("GRADSCOPE_FASHION_MNIST", before);
  }

  void runOnABuiltinSetWithASubset() {
    core::ExperimentConfig config;
    core::setSetting(config, "data.dataset", core::SettingValue(std::string("digits")));
    QCOMPARE(config.data.builtin, std::string("digits"));
    QCOMPARE(std::get<std::string>(core::getSetting(config, "data.dataset")),
             std::string("digits"));
    QVERIFY(!core::findSetting("data.samples")->relevant(config));
    config.split.subset = 500;
    config.split.validationFraction = 0.2;
    config.model.hiddenLayers = 1;
    config.model.width = 8;
    const auto run = app::TrainingRun::create(config);
    // 400 training samples in batches of the configured size.
    QCOMPARE(run->stepsPerEpoch(),
             (Index(400) + config.training.batchSize - 1) / config.training.batchSize);
    for (int i = 0; i < 3; ++i) QVERIFY(std::isfinite(run->step().record.loss.total()));
    // Back to a generator.
    core::setSetting(config, "data.dataset", core::SettingValue(std::string("moons")));
    QVERIFY(config.data.builtin.empty());
    // An unknown name is refused by the setting.
    QVERIFY_THROWS_EXCEPTION(
        core::Error,
        core::setSetting(config, "data.dataset", core::SettingValue(std::string("mnist"))));
  }

  void dataSourceByPathFingerprintsTheFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("t.csv"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("a;b;label\n1;2;x\n3;4;y\n5;6;x\n");
    file.close();
    app::DataSource source;
    source.location = path;
    source.targetColumn = QStringLiteral("label");
    const app::LoadedData loaded = app::loadDataSource(source);
    QCOMPARE(loaded.data.sampleCount(), Index(3));
    QCOMPARE(loaded.file, path);
    QCOMPARE(loaded.sha256, QCryptographicHash::hash("a;b;label\n1;2;x\n3;4;y\n5;6;x\n",
                                                     QCryptographicHash::Sha256));
    source.location = QStringLiteral("builtin:iris");
    const app::LoadedData iris = app::loadDataSource(source);
    QCOMPARE(iris.data.sampleCount(), Index(150));
    QCOMPARE(iris.sha256.size(), 32);
  }
};

QTEST_GUILESS_MAIN(TestBuiltinDatasets)
#include "tst_builtin_datasets.moc"
