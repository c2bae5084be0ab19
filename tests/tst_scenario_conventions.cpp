// Scenario 27, "Keras and PyTorch: the same run, two momentum formulas": the twin runs (SGD
// with momentum 0.9, piecewise-constant rate, float64) are trained headless side by side from
// the same initial weights and mini-batches, and after every step their weights are compared.
// The claim: while the rate is constant they agree to rounding level; after the first drop
// they part. The measured figures are printed, e.g.
//   keras-versus-pytorch: largest relative weight difference 6.6e-15 up to the drop (step
//   400), 9.8e-02 after it
#include <QtTest>

#include <algorithm>

#include "app/scenarios/scenario_library.h"
#include "app/worker/training_run.h"

using namespace gradscope;

namespace {

const app::Scenario& scenario() {
  const app::Scenario* s =
      app::ScenarioLibrary::builtIn().find(QStringLiteral("keras-versus-pytorch"));
  if (!s) qFatal("no scenario 'keras-versus-pytorch' in the library");
  return *s;
}

// Every weight tensor of a run ("layers[i].kernel" and "layers[i].bias"), by name.
std::vector<std::pair<std::string, Eigen::MatrixXd>> weightsOf(const app::TrainingRun& run) {
  std::vector<std::pair<std::string, Eigen::MatrixXd>> tensors;
  for (int i = 0; i < 100; ++i) {
    for (const char* role : {"kernel", "bias"}) {
      const std::string name = "layers[" + std::to_string(i) + "]." + role;
      Eigen::MatrixXd values = run.tensor(name);
      if (values.size() > 0) tensors.emplace_back(name, std::move(values));
    }
  }
  return tensors;
}

// The largest difference between the twins' weights, relative to the size of the weights:
// max over tensors of max |a - b| / max |a|.
double largestRelativeDifference(const app::TrainingRun& a, const app::TrainingRun& b) {
  const auto wa = weightsOf(a);
  const auto wb = weightsOf(b);
  if (wa.size() != wb.size() || wa.empty()) return std::numeric_limits<double>::infinity();
  double worst = 0.0;
  for (std::size_t t = 0; t < wa.size(); ++t) {
    const double scale = std::max(wa[t].second.cwiseAbs().maxCoeff(), 1e-300);
    worst = std::max(worst, (wa[t].second - wb[t].second).cwiseAbs().maxCoeff() / scale);
  }
  return worst;
}

}  // namespace

class TestScenarioConventions : public QObject {
  Q_OBJECT
 private slots:
  void twinsAgreeUntilTheRateDrops() {
    const app::Scenario& s = scenario();
    QCOMPARE(int(s.runs.size()), 2);
    const core::ExperimentConfig& keras = s.runs[0].config;
    const core::ExperimentConfig& torch = s.runs[1].config;
    QVERIFY(keras.optimizer.conventions == core::Conventions::Keras);
    QVERIFY(torch.optimizer.conventions == core::Conventions::PyTorch);
    QVERIFY(keras.precision == core::Precision::Float64);
    QVERIFY(keras.schedule.kind == core::ScheduleKind::PiecewiseConstant);
    // The first step at the lower rate (PiecewiseConstantDecay: step <= boundary keeps it).
    const std::int64_t drop = std::int64_t(keras.schedule.boundaries.front()) + 1;
    QVERIFY(drop < s.steps);

    auto a = app::TrainingRun::create(keras);
    auto b = app::TrainingRun::create(torch);
    // Twins: the same initial weights (same seed, same initialiser, zero biases in both).
    QCOMPARE(largestRelativeDifference(*a, *b), 0.0);

    double beforeDrop = 0.0, afterDrop = 0.0;
    for (std::int64_t t = 0; t < s.steps; ++t) {
      const double rateA = a->step().record.learningRate;
      const double rateB = b->step().record.learningRate;
      QCOMPARE(rateA, rateB);
      const double d = largestRelativeDifference(*a, *b);
      (t < drop ? beforeDrop : afterDrop) = std::max(t < drop ? beforeDrop : afterDrop, d);
    }
    qInfo().noquote() << QString(
                             "keras-versus-pytorch: largest relative weight difference %1 up to "
                             "the drop (step %2), %3 after it")
                             .arg(beforeDrop, 0, 'e', 1)
                             .arg(drop)
                             .arg(afterDrop, 0, 'e', 1);
    QVERIFY2(beforeDrop < 1e-10, qPrintable(QString::number(beforeDrop)));
    QVERIFY2(afterDrop > 1e-2, qPrintable(QString::number(afterDrop)));
  }
};

QTEST_GUILESS_MAIN(TestScenarioConventions)
#include "tst_scenario_conventions.moc"
