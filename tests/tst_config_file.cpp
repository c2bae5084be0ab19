// Configuration files: every experiment round-trips through the settings-schema JSON, only
// the settings that apply are written, and bad files are refused with the field named.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include "app/scenarios/default_experiment.h"
#include "app/sessions/config_file.h"
#include "core/model/settings_schema.h"

using namespace gradscope;

class TestConfigFile : public QObject {
  Q_OBJECT
 private slots:
  void roundTrip_data() {
    QTest::addColumn<QString>("change");
    QTest::newRow("defaults") << "";
    QTest::newRow("default experiment") << "default";
    QTest::newRow("adam") << "adam";
    QTest::newRow("piecewise") << "piecewise";
    QTest::newRow("early stopping and plateau") << "callbacks";
    QTest::newRow("teacher float64") << "teacher";
    QTest::newRow("per-layer activations") << "layers";
  }
  void roundTrip() {
    QFETCH(QString, change);
    core::ExperimentConfig c;
    if (change == "default") c = app::defaultExperiment();
    if (change == "adam") {
      core::setSetting(c, "optimizer.type", std::string("adam"));
      core::setSetting(c, "optimizer.learning_rate", 3e-4);
      core::setSetting(c, "optimizer.amsgrad", true);
    }
    if (change == "piecewise") {
      core::setSetting(c, "schedule.type", std::string("piecewise_constant"));
      core::setSetting(c, "schedule.boundaries", std::vector<double>{100, 300});
      core::setSetting(c, "schedule.values", std::vector<double>{0.1, 0.01, 0.001});
    }
    if (change == "callbacks") {
      core::setSetting(c, "early_stopping.enabled", true);
      core::setSetting(c, "early_stopping.patience", std::int64_t(7));
      core::setSetting(c, "plateau.enabled", true);
      core::setSetting(c, "plateau.factor", 0.5);
    }
    if (change == "teacher") {
      core::setSetting(c, "data.dataset", std::string("teacher"));
      core::setSetting(c, "data.features", std::int64_t(100));
      core::setSetting(c, "training.precision", std::string("float64"));
    }
    if (change == "layers") {
      c.model.hiddenLayers = 4;
      c.model.layerActivations = {std::nullopt, core::ActivationSpec{core::ActivationKind::Relu},
                                  std::nullopt,
                                  core::ActivationSpec{core::ActivationKind::Sigmoid}};
    }
    const QJsonObject json = app::configToJson(c);
    QCOMPARE(json.value("format").toString(), QString("gradscope-config"));
    QCOMPARE(json.value("version").toInt(), 1);
    QVERIFY(app::configFromJson(json) == c);

    QTemporaryDir dir;
    const QString path = dir.filePath("c.json");
    QString error;
    QVERIFY2(app::saveConfigFile(path, c, &error), qPrintable(error));
    const auto loaded = app::loadConfigFile(path, &error);
    QVERIFY2(loaded.has_value(), qPrintable(error));
    QVERIFY(*loaded == c);
  }

  void writesOnlyWhatApplies() {
    core::ExperimentConfig c;
    core::setSetting(c, "optimizer.type", std::string("adam"));
    const QJsonObject settings = app::configToJson(c).value("settings").toObject();
    QVERIFY(settings.contains("optimizer.beta_1"));
    QVERIFY(!settings.contains("optimizer.momentum"));
    QVERIFY(!settings.contains("plateau.factor"));
    QCOMPARE(settings.value("plateau.enabled").toBool(true), false);
  }

  void refusesWithTheField_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    auto row = [](const char* name, const char* settings, const char* field) {
      QTest::newRow(name) << (QByteArray("{\"format\":\"gradscope-config\",\"version\":1,"
                                         "\"settings\":") +
                              settings + "}")
                          << field;
    };
    row("number as text", "{\"optimizer.learning_rate\":\"0.1\"}",
        "settings.optimizer.learning_rate");
    row("out of range", "{\"optimizer.learning_rate\":1e6}", "settings.optimizer.learning_rate");
    row("fraction for a count", "{\"model.hidden_layers\":2.5}", "settings.model.hidden_layers");
    row("unknown choice", "{\"model.activation\":\"swish\"}", "settings.model.activation");
    row("list", "{\"schedule.type\":\"piecewise_constant\",\"schedule.boundaries\":[1,\"x\"]}",
        "settings.schedule.boundaries");
    row("inconsistent", "{\"schedule.type\":\"piecewise_constant\",\"schedule.values\":[0.1]}",
        "settings.schedule.values");
    row("unknown key", "{\"model.depth\":3}", "settings.model.depth");
    row("layer activation", "{\"model.layer_activations\":[null,\"swish\"]}",
        "settings.model.layer_activations[1]");
    row("too many layer activations",
        "{\"model.hidden_layers\":1,"
        "\"model.layer_activations\":[\"relu\",\"relu\"]}",
        "settings.model.layer_activations");
    row("not an object", "[1, 2]", "settings");
    QTest::newRow("format") << QByteArray("{\"format\":\"other\",\"version\":1,\"settings\":{}}")
                            << "format";
    QTest::newRow("newer") << QByteArray(
                                  "{\"format\":\"gradscope-config\",\"version\":9,\"settings\":{}}")
                           << "version";
  }
  void refusesWithTheField() {
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    const QJsonDocument document = QJsonDocument::fromJson(json);
    QVERIFY(document.isObject());
    try {
      (void)app::configFromJson(document.object());
      QFAIL("accepted");
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
    }
  }

  void unreadableFiles() {
    QTemporaryDir dir;
    QString error;
    QVERIFY(!app::loadConfigFile(dir.filePath("missing.json"), &error));
    QVERIFY(!error.isEmpty());
    const QString path = dir.filePath("broken.json");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"format\": \"gradscope-config\", ");
    file.close();
    QVERIFY(!app::loadConfigFile(path, &error));
    QVERIFY2(error.contains("JSON"), qPrintable(error));
    QVERIFY(
        !app::saveConfigFile(dir.filePath("no/such/dir/c.json"), core::ExperimentConfig{}, &error));
  }
};

QTEST_GUILESS_MAIN(TestConfigFile)
#include "tst_config_file.moc"
