// The engine under conventions = pytorch against float64 reference runs of torch.optim and
// torch.nn (tests/data/pytorch_reference/pytorch-cases.json, written by generate.py beside it
// with Debian's python3-torch). Every optimiser, under a piecewise-constant rate, with
// clip_grad_norm_ and with BatchNorm1d: the network comes from buildNetworkSpec under PyTorch's
// conventions, the optimiser from its PyTorch defaults (which must be torch's, as recorded),
// and each per-step loss and rate, the clip flags, the step-0 predictions and gradients, the
// weights after the first step and the final weights, BatchNorm's running statistics and loss
// must match within 1e-9 * max(1, |expected|).
#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <set>

#include "core/model/experiment_config.h"
#include "core/model/trainer.h"
#include "core/optimizers/optimizer_registry.h"

using namespace gradscope::core;

namespace {

QJsonObject loadReference() {
  QFile file(QStringLiteral(GRADSCOPE_TEST_DATA "/pytorch_reference/pytorch-cases.json"));
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot open pytorch-cases.json");
  return QJsonDocument::fromJson(file.readAll()).object();
}

Eigen::MatrixXd matrixOf(const QJsonValue& value) {
  const QJsonArray rows = value.toArray();
  if (rows.isEmpty()) return {};
  if (!rows[0].isArray()) {  // a vector: one column
    Eigen::MatrixXd m(rows.size(), 1);
    for (int i = 0; i < rows.size(); ++i) m(i, 0) = rows[i].toDouble();
    return m;
  }
  Eigen::MatrixXd m(rows.size(), rows[0].toArray().size());
  for (int i = 0; i < rows.size(); ++i) {
    const QJsonArray row = rows[i].toArray();
    for (int j = 0; j < row.size(); ++j) m(i, j) = row[j].toDouble();
  }
  return m;
}

double tolerance(double expected) { return 1e-9 * std::max(1.0, std::abs(expected)); }

// The values of "layers[i].key": a trainable tensor or a buffer (BatchNorm's statistics).
Eigen::MatrixXd valueOf(Network<double>& net, int layer, const std::string& key) {
  const std::string name = "layers[" + std::to_string(layer) + "]." + key;
  if (const ParameterTensor* tensor = net.findTensor(name)) return net.tensorValue(*tensor);
  for (auto& [index, buffer] : net.buffers()) {
    if (index == layer && buffer.name == key) return *buffer.values;
  }
  qFatal("weight %s not found", name.c_str());
}

void setWeights(Network<double>& net, const QJsonArray& weights) {
  for (int i = 0; i < weights.size(); ++i) {
    const QJsonObject layer = weights[i].toObject();
    for (const QString& key : layer.keys()) {
      const std::string name = "layers[" + std::to_string(i) + "]." + key.toStdString();
      if (const ParameterTensor* tensor = net.findTensor(name)) {
        net.setTensorValue(*tensor, matrixOf(layer[key]));
        continue;
      }
      bool found = false;
      for (auto& [index, buffer] : net.buffers()) {
        if (index == i && buffer.name == key.toStdString()) {
          *buffer.values = matrixOf(layer[key]).col(0);
          found = true;
        }
      }
      if (!found) qFatal("weight %s not found", name.c_str());
    }
  }
}

// Every weight and statistic of `weights` against the network's; false with a message at the
// first that differs.
bool sameWeights(Network<double>& net, const QJsonArray& weights, QString& message) {
  int compared = 0;
  for (int i = 0; i < weights.size(); ++i) {
    const QJsonObject layer = weights[i].toObject();
    for (const QString& key : layer.keys()) {
      const Eigen::MatrixXd expected = matrixOf(layer[key]);
      const Eigen::MatrixXd actual = valueOf(net, i, key.toStdString());
      if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
        message = QString("layers[%1].%2: shape").arg(i).arg(key);
        return false;
      }
      for (Index k = 0; k < expected.size(); ++k) {
        ++compared;
        if (!(std::abs(actual(k) - expected(k)) <= tolerance(expected(k)))) {
          message = QString("layers[%1].%2[%3]: %4 vs PyTorch %5")
                        .arg(i)
                        .arg(key)
                        .arg(k)
                        .arg(actual(k), 0, 'g', 17)
                        .arg(expected(k), 0, 'g', 17);
          return false;
        }
      }
    }
  }
  if (compared == 0) message = "no weights compared";
  return compared > 0;
}

// The optimiser of a case: its kind's PyTorch defaults, then the values the case names.
OptimizerSettings optimizerOf(const QJsonObject& o) {
  const auto kind = optimizerKindFromString(o["name"].toString().toStdString());
  if (!kind) qFatal("unknown optimiser %s", qPrintable(o["name"].toString()));
  OptimizerSettings s = OptimizerSettings::defaultsFor(*kind, Conventions::PyTorch);
  s.learningRate = o["lr"].toDouble();
  if (o.contains("momentum")) s.momentum = o["momentum"].toDouble();
  if (o.contains("nesterov")) s.nesterov = o["nesterov"].toBool();
  if (o.contains("centered")) s.centered = o["centered"].toBool();
  if (o.contains("amsgrad")) s.amsgrad = o["amsgrad"].toBool();
  if (o.contains("weight_decay")) s.weightDecay = o["weight_decay"].toDouble();
  return s;
}

}  // namespace

class TestPytorchReference : public QObject {
  Q_OBJECT
 private slots:
  void everyOptimiserHasACase() {
    // Each registered optimiser is checked against torch at least once.
    std::set<std::string> covered;
    for (const QJsonValue& v : loadReference()["cases"].toArray()) {
      covered.insert(v.toObject()["optimizer"].toObject()["name"].toString().toStdString());
    }
    for (const OptimizerDescriptor* d : optimizerRegistry()) {
      QVERIFY2(covered.count(std::string(d->key)) == 1, d->key.data());
    }
  }

  void training_data() {
    QTest::addColumn<QJsonObject>("testCase");
    const QJsonArray cases = loadReference()["cases"].toArray();
    for (const QJsonValue& v : cases) {
      const QJsonObject c = v.toObject();
      QTest::newRow(qPrintable(c["id"].toString())) << c;
    }
    QCOMPARE(cases.size(), 16);  // the committed reference runs, every one
  }

  void training() {
    QFETCH(QJsonObject, testCase);
    const QJsonObject reference = loadReference();
    const QJsonObject data = testCase["data"].toObject();
    Dataset train;
    train.inputs = matrixOf(data["X"]).transpose();
    train.targets = matrixOf(data["y"]).transpose();
    train.task = TaskKind::Regression;

    // The network as the application builds it: 3-5-2, tanh, BatchNorm before the
    // activation in the BatchNorm cases, under PyTorch's conventions.
    ModelConfig model;
    HiddenLayer hidden;
    hidden.units = 5;
    hidden.activation = ActivationSpec{ActivationKind::Tanh};
    hidden.batchNorm = testCase["batch_norm"].toBool() ? BatchNormPlacement::BeforeActivation
                                                       : BatchNormPlacement::None;
    model.layers = {hidden};
    const NetworkSpec spec = buildNetworkSpec(model, train.featureCount(), train.outputCount(),
                                              TaskKind::Regression, Conventions::PyTorch);

    // The engine's PyTorch defaults are torch.optim's, as the generator recorded them.
    const OptimizerSettings optimizer = optimizerOf(testCase["optimizer"].toObject());
    const QJsonObject torch = testCase["torch_hyperparameters"].toObject();
    if (torch.contains("eps")) QCOMPARE(optimizer.epsilon, torch["eps"].toDouble());
    if (torch.contains("alpha")) QCOMPARE(optimizer.rho, torch["alpha"].toDouble());
    if (torch.contains("initial_accumulator_value")) {
      QCOMPARE(optimizer.initialAccumulatorValue, torch["initial_accumulator_value"].toDouble());
    }
    if (torch.contains("betas")) {
      QCOMPARE(optimizer.beta1, torch["betas"].toArray()[0].toDouble());
      QCOMPARE(optimizer.beta2, torch["betas"].toArray()[1].toDouble());
    }
    QCOMPARE(optimizer.weightDecay, torch["weight_decay"].toDouble());

    ScheduleSettings schedule;
    schedule.kind = ScheduleKind::PiecewiseConstant;
    const QJsonObject plan = reference["schedule"].toObject();
    schedule.boundaries.clear();
    schedule.values.clear();
    for (const QJsonValue& b : plan["boundaries"].toArray()) {
      schedule.boundaries.push_back(b.toDouble());
    }
    for (const QJsonValue& f : plan["factors"].toArray()) {
      schedule.values.push_back(optimizer.learningRate * f.toDouble());
    }

    TrainingSettings settings;
    settings.batchSize = train.sampleCount();
    settings.epochs = testCase["steps"].toInt();
    settings.shuffle = false;
    if (testCase["clip_norm"].isDouble()) {
      settings.clip = {ClipMode::Norm, testCase["clip_norm"].toDouble()};
    }

    Trainer<double> trainer(spec, LossKind::MeanSquaredError, train, Dataset{}, optimizer, schedule,
                            settings);
    setWeights(trainer.network(), testCase["initial_weights"].toArray());

    const QJsonObject expected = testCase["expected"].toObject();
    const QJsonArray losses = expected["losses"].toArray();
    const QJsonArray rates = expected["learning_rates"].toArray();
    const QJsonArray clipActive = expected["clip_active"].toArray();
    QCOMPARE(losses.size(), testCase["steps"].toInt());
    QString message;
    for (int k = 0; k < losses.size(); ++k) {
      if (k == 0) {
        // A training-mode forward moves BatchNorm's running statistics: put them back after.
        std::vector<Vector<double>> statistics;
        for (auto& [index, buffer] : trainer.network().buffers()) {
          statistics.push_back(*buffer.values);
        }
        Rng unused(0);
        trainer.network().forward(train.inputs, Mode::Training, unused);
        const Eigen::MatrixXd predictions = trainer.network().output().transpose();
        QVERIFY((predictions - matrixOf(expected["predictions_step0"])).cwiseAbs().maxCoeff() <=
                1e-9);
        trainer.network().backward(*makeLoss<double>(trainer.lossKind()), train.targets);
        const QJsonObject grads = expected["gradients_step0"].toObject();
        for (const QString& name : grads.keys()) {
          const ParameterTensor* tensor = trainer.network().findTensor(name.toStdString());
          QVERIFY2(tensor, qPrintable(name));
          const Eigen::MatrixXd g = Eigen::Map<const Eigen::MatrixXd>(
              trainer.network().gradients().data() + tensor->offset, tensor->rows, tensor->cols);
          const Eigen::MatrixXd want = matrixOf(grads[name]);
          QVERIFY2((g - want).cwiseAbs().maxCoeff() <= 1e-9, qPrintable("gradient " + name));
        }
        std::size_t i = 0;
        for (auto& [index, buffer] : trainer.network().buffers()) *buffer.values = statistics[i++];
      }
      const StepRecord record = trainer.step();
      const double wantLoss = losses[k].toDouble();
      QVERIFY2(std::abs(record.loss.total() - wantLoss) <= tolerance(wantLoss),
               qPrintable(QString("step %1 loss %2 vs PyTorch %3")
                              .arg(k)
                              .arg(record.loss.total(), 0, 'g', 17)
                              .arg(wantLoss, 0, 'g', 17)));
      QVERIFY2(
          std::abs(record.learningRate - rates[k].toDouble()) <= tolerance(rates[k].toDouble()),
          qPrintable(QString("step %1 learning rate").arg(k)));
      if (!clipActive.isEmpty()) QCOMPARE(record.clip.clipped, clipActive[k].toBool());
      if (k == 0) {
        QVERIFY2(sameWeights(trainer.network(), expected["weights_after_step1"].toArray(), message),
                 qPrintable("after step 1: " + message));
      }
    }
    QVERIFY2(sameWeights(trainer.network(), expected["final_weights"].toArray(), message),
             qPrintable("final: " + message));
    Rng unused(0);
    trainer.network().forward(train.inputs, Mode::Training, unused);
    const double finalLoss =
        trainer.network().loss(*makeLoss<double>(trainer.lossKind()), train.targets).total();
    QVERIFY(std::abs(finalLoss - expected["final_loss"].toDouble()) <=
            tolerance(expected["final_loss"].toDouble()));
  }

  void kerasConventionsDifferFromTorch() {
    // The same momentum case under Keras's conventions leaves PyTorch's numbers once the rate
    // drops (the reference can tell the two apart).
    for (const QJsonValue& v : loadReference()["cases"].toArray()) {
      const QJsonObject c = v.toObject();
      if (c["id"].toString() != "momentum") continue;
      Dataset train;
      train.inputs = matrixOf(c["data"].toObject()["X"]).transpose();
      train.targets = matrixOf(c["data"].toObject()["y"]).transpose();
      ModelConfig model;
      model.layers = {HiddenLayer{5, ActivationSpec{ActivationKind::Tanh}}};
      const NetworkSpec spec = buildNetworkSpec(model, 3, 2, TaskKind::Regression);
      OptimizerSettings optimizer = optimizerOf(c["optimizer"].toObject());
      optimizer.conventions = Conventions::Keras;
      ScheduleSettings schedule;
      schedule.kind = ScheduleKind::PiecewiseConstant;
      schedule.boundaries = {9, 19};
      schedule.values = {0.05, 0.015, 0.005};
      TrainingSettings settings;
      settings.batchSize = 16;
      settings.shuffle = false;
      Trainer<double> trainer(spec, LossKind::MeanSquaredError, train, Dataset{}, optimizer,
                              schedule, settings);
      setWeights(trainer.network(), c["initial_weights"].toArray());
      const QJsonArray losses = c["expected"].toObject()["losses"].toArray();
      double before = 0.0, after = 0.0;
      for (int k = 0; k < losses.size(); ++k) {
        const double d = std::abs(trainer.step().loss.total() - losses[k].toDouble());
        (k <= 10 ? before : after) = std::max(k <= 10 ? before : after, d);
      }
      QVERIFY2(before <= 1e-12, qPrintable(QString::number(before)));  // equal at a constant rate
      QVERIFY2(after > 1e-6, qPrintable(QString::number(after)));      // apart after the drop
      return;
    }
    QFAIL("no momentum case");
  }
};

QTEST_GUILESS_MAIN(TestPytorchReference)
#include "tst_pytorch_reference.moc"
