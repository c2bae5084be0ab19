// The engine against the Keras 3 reference vectors (tests/data/keras-cases.json, float64):
// every training case is rebuilt from its initial weights and trained full batch without
// shuffling; each per-step loss, learning rate and clip flag, the step-0 predictions and
// gradients, the weights after the first update and the final weights and loss must match
// within 1e-9 * max(1, |expected|).
#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/model/trainer.h"

using namespace gradscope::core;

namespace {

QJsonObject loadCases() {
  QFile file(QStringLiteral(GRADSCOPE_TEST_DATA "/keras-cases.json"));
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot open keras-cases.json");
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

ActivationSpec activationOf(const QJsonObject& layer) {
  ActivationSpec spec;
  spec.kind = *activationKindFromString(layer["activation"].toString().toStdString());
  const QJsonObject params = layer["activation_params"].toObject();
  if (params.contains("negative_slope")) spec.negativeSlope = params["negative_slope"].toDouble();
  if (params.contains("alpha")) spec.alpha = params["alpha"].toDouble();
  return spec;
}

NetworkSpec networkOf(const QJsonObject& model) {
  NetworkSpec spec;
  spec.inputs = model["input_dim"].toInt();
  for (const QJsonValue& v : model["layers"].toArray()) {
    const QJsonObject layer = v.toObject();
    const QString type = layer["type"].toString();
    LayerSpec l;
    if (type == "dense") {
      l.kind = LayerKind::Dense;
      l.units = layer["units"].toInt();
      l.activation = activationOf(layer);
      l.useBias = layer["use_bias"].toBool(true);
      if (layer["kernel_regularizer"].isObject()) {
        l.l2 = layer["kernel_regularizer"].toObject()["l2"].toDouble();
      }
    } else if (type == "activation") {
      l.kind = LayerKind::Activation;
      l.activation = activationOf(layer);
    } else if (type == "batch_normalization") {
      l.kind = LayerKind::BatchNormalization;
      l.momentum = layer["momentum"].toDouble(0.99);
      l.epsilon = layer["epsilon"].toDouble(1e-3);
      l.center = layer["center"].toBool(true);
      l.scale = layer["scale"].toBool(true);
      l.trainable = layer["trainable"].toBool(true);
    } else {
      qFatal("unknown layer type");
    }
    spec.layers.push_back(l);
  }
  return spec;
}

// Keras weights (one object per layer) into the network: trainable tensors and buffers.
void setWeights(Network<double>& net, const QJsonArray& weights) {
  auto buffers = net.buffers();
  for (int i = 0; i < weights.size(); ++i) {
    const QJsonObject layer = weights[i].toObject();
    for (const QString& key : layer.keys()) {
      const std::string name = "layers[" + std::to_string(i) + "]." + key.toStdString();
      if (const ParameterTensor* tensor = net.findTensor(name)) {
        net.setTensorValue(*tensor, matrixOf(layer[key]));
        continue;
      }
      bool found = false;
      for (auto& [index, buffer] : buffers) {
        if (index == i && buffer.name == key.toStdString()) {
          *buffer.values = matrixOf(layer[key]).col(0);
          found = true;
        }
      }
      if (!found) qFatal("weight %s not found", name.c_str());
    }
  }
}

double tolerance(double expected) { return 1e-9 * std::max(1.0, std::abs(expected)); }

// Compares every Keras weight of `weights` with the network's; returns the worst excess.
void compareWeights(Network<double>& net, const QJsonArray& weights, const char* what) {
  auto buffers = net.buffers();
  for (int i = 0; i < weights.size(); ++i) {
    const QJsonObject layer = weights[i].toObject();
    for (const QString& key : layer.keys()) {
      const std::string name = "layers[" + std::to_string(i) + "]." + key.toStdString();
      const Eigen::MatrixXd expected = matrixOf(layer[key]);
      Eigen::MatrixXd actual;
      if (const ParameterTensor* tensor = net.findTensor(name)) {
        actual = net.tensorValue(*tensor);
      } else {
        for (auto& [index, buffer] : buffers) {
          if (index == i && buffer.name == key.toStdString()) actual = *buffer.values;
        }
      }
      QVERIFY2(actual.rows() == expected.rows() && actual.cols() == expected.cols(),
               qPrintable(QString("%1 %2: shape").arg(what, name.c_str())));
      for (Index k = 0; k < expected.size(); ++k) {
        QVERIFY2(std::abs(actual(k) - expected(k)) <= tolerance(expected(k)),
                 qPrintable(QString("%1 %2[%3]: %4 vs expected %5")
                                .arg(what, name.c_str())
                                .arg(k)
                                .arg(actual(k), 0, 'g', 17)
                                .arg(expected(k), 0, 'g', 17)));
      }
    }
  }
}

OptimizerSettings optimizerOf(const QJsonObject& o) {
  const QString name = o["name"].toString();
  OptimizerKind kind = *optimizerKindFromString(name.toStdString());
  if (kind == OptimizerKind::Sgd && o["momentum"].toDouble() > 0) {
    kind = o["nesterov"].toBool() ? OptimizerKind::Nesterov : OptimizerKind::Momentum;
  }
  OptimizerSettings s = OptimizerSettings::defaultsFor(kind);
  if (o["learning_rate"].isDouble()) s.learningRate = o["learning_rate"].toDouble();
  if (o.contains("momentum")) s.momentum = o["momentum"].toDouble();
  if (o.contains("nesterov")) s.nesterov = o["nesterov"].toBool();
  if (o.contains("initial_accumulator_value")) {
    s.initialAccumulatorValue = o["initial_accumulator_value"].toDouble();
  }
  if (o.contains("rho")) s.rho = o["rho"].toDouble();
  if (o.contains("centered")) s.centered = o["centered"].toBool();
  if (o.contains("beta_1")) s.beta1 = o["beta_1"].toDouble();
  if (o.contains("beta_2")) s.beta2 = o["beta_2"].toDouble();
  if (o.contains("epsilon")) s.epsilon = o["epsilon"].toDouble();
  if (o.contains("amsgrad")) s.amsgrad = o["amsgrad"].toBool();
  return s;
}

ScheduleSettings scheduleOf(const QJsonValue& lr) {
  ScheduleSettings s;
  if (!lr.isObject()) return s;  // a number: the Constant schedule
  const QJsonObject o = lr.toObject();
  const QString type = o["type"].toString();
  auto list = [](const QJsonValue& v) {
    std::vector<double> out;
    for (const QJsonValue& x : v.toArray()) out.push_back(x.toDouble());
    return out;
  };
  if (type == "piecewise_constant_decay") {
    s.kind = ScheduleKind::PiecewiseConstant;
    s.boundaries = list(o["boundaries"]);
    s.values = list(o["values"]);
  } else if (type == "one_cycle") {
    s.kind = ScheduleKind::OneCycle;
    s.totalSteps = o["iterations"].toInt();
    s.maxRate = o["max_rate"].toDouble();
    s.lastRate = o["last_rate"].toDouble();
  } else if (type == "exponential_decay") {
    s.kind = ScheduleKind::ExponentialDecay;
    s.initialLearningRate = o["initial_learning_rate"].toDouble();
    s.decaySteps = o["decay_steps"].toDouble();
    s.decayRate = o["decay_rate"].toDouble();
    s.staircase = o["staircase"].toBool();
  } else if (type == "inverse_time_decay") {
    s.kind = ScheduleKind::InverseTimeDecay;
    s.initialLearningRate = o["initial_learning_rate"].toDouble();
    s.decaySteps = o["decay_steps"].toDouble();
    s.decayRate = o["decay_rate"].toDouble();
    s.staircase = o["staircase"].toBool();
  } else {
    qFatal("schedule type %s not handled by this test", qPrintable(type));
  }
  return s;
}

ClipSettings clipOf(const QJsonObject& o) {
  ClipSettings c;
  if (o["clipnorm"].isDouble()) c = {ClipMode::Norm, o["clipnorm"].toDouble()};
  if (o["clipvalue"].isDouble()) c = {ClipMode::Value, o["clipvalue"].toDouble()};
  if (o["global_clipnorm"].isDouble()) c = {ClipMode::GlobalNorm, o["global_clipnorm"].toDouble()};
  return c;
}

LossKind lossOf(const QString& name) { return *lossKindFromString(name.toStdString()); }

}  // namespace

class TestKerasReference : public QObject {
  Q_OBJECT
 private slots:
  void training_data() {
    QTest::addColumn<QJsonObject>("testCase");
    int count = 0;
    for (const QJsonValue& v : loadCases()["cases"].toArray()) {
      const QJsonObject c = v.toObject();
      // Every case is run here (training) or by tst_schedules (lr_schedule): a new kind of
      // case must not be skipped without a word.
      const QString kind = c["kind"].toString();
      QVERIFY2(kind == "training" || kind == "lr_schedule",
               qPrintable("unknown case kind " + kind));
      if (kind != "training") continue;
      QTest::newRow(qPrintable(c["id"].toString())) << c;
      ++count;
    }
    QCOMPARE(count, 12);  // the shared vectors' training cases, every one
  }

  void training() {
    QFETCH(QJsonObject, testCase);
    const NetworkSpec spec = networkOf(testCase["model"].toObject());
    const QJsonObject data = testCase["data"].toObject();
    Dataset train;
    train.inputs = matrixOf(data["X"]).transpose();
    train.targets = matrixOf(data["y"]).transpose();
    const QJsonObject opt = testCase["optimizer"].toObject();
    const QJsonObject training = testCase["training"].toObject();
    TrainingSettings settings;
    settings.batchSize = training["batch_size"].toInt();
    settings.epochs = training["epochs"].toInt();
    settings.shuffle = training["shuffle"].toBool();
    settings.clip = clipOf(opt);

    Trainer<double> trainer(spec, lossOf(testCase["loss"].toString()), train, Dataset{},
                            optimizerOf(opt), scheduleOf(opt["learning_rate"]), settings);
    setWeights(trainer.network(), testCase["initial_weights"].toArray());

    const QJsonObject expected = testCase["expected"].toObject();
    const int steps = testCase["steps"].toInt();
    const QJsonArray losses = expected["losses"].toArray();
    const QJsonArray rates = expected["learning_rates"].toArray();
    const QJsonArray clipActive = expected["clip_active"].toArray();
    QCOMPARE(losses.size(), steps);

    for (int k = 0; k < steps; ++k) {
      if (k == 0) {
        // Step-0 predictions and gradients at the initial weights.
        Rng unused(0);
        trainer.network().forward(train.inputs, Mode::Training, unused);
        const Eigen::MatrixXd predictions = trainer.network().output().transpose();
        const Eigen::MatrixXd want = matrixOf(expected["predictions_step0"]);
        QVERIFY((predictions - want).cwiseAbs().maxCoeff() <= 1e-9);
        trainer.network().backward(*makeLoss<double>(trainer.lossKind()), train.targets);
        const QJsonObject grads = expected["gradients_step0"].toObject();
        QVERIFY(!grads.isEmpty());
        for (const QString& name : grads.keys()) {
          const ParameterTensor* tensor = trainer.network().findTensor(name.toStdString());
          QVERIFY2(tensor, qPrintable(name));
          const Eigen::MatrixXd g = Eigen::Map<const Eigen::MatrixXd>(
              trainer.network().gradients().data() + tensor->offset, tensor->rows, tensor->cols);
          const Eigen::MatrixXd want = matrixOf(grads[name]);
          QVERIFY2(
              (g - want).cwiseAbs().maxCoeff() <= 1e-9 * std::max(1.0, want.cwiseAbs().maxCoeff()),
              qPrintable("gradient " + name));
        }
      }
      const StepRecord record = trainer.step();
      const double wantLoss = losses[k].toDouble();
      QVERIFY2(std::abs(record.loss.total() - wantLoss) <= tolerance(wantLoss),
               qPrintable(QString("step %1 loss %2 vs %3")
                              .arg(k)
                              .arg(record.loss.total(), 0, 'g', 17)
                              .arg(wantLoss, 0, 'g', 17)));
      if (!rates.isEmpty()) {
        QVERIFY(std::abs(record.learningRate - rates[k].toDouble()) <=
                tolerance(rates[k].toDouble()));
      }
      if (!clipActive.isEmpty()) {
        QCOMPARE(record.clip.clipped, clipActive[k].toBool());
      }
      if (k == 0) {
        compareWeights(trainer.network(), expected["weights_after_step1"].toArray(), "step 1");
      }
    }
    compareWeights(trainer.network(), expected["final_weights"].toArray(), "final");
    // final_loss: training-mode forward of the final weights.
    Rng unused(0);
    trainer.network().forward(train.inputs, Mode::Training, unused);
    const double finalLoss =
        trainer.network().loss(*makeLoss<double>(trainer.lossKind()), train.targets).total();
    QVERIFY(std::abs(finalLoss - expected["final_loss"].toDouble()) <=
            tolerance(expected["final_loss"].toDouble()));
  }
};

QTEST_GUILESS_MAIN(TestKerasReference)
#include "tst_keras_reference.moc"
