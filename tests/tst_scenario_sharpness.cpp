// Scenario 23, the edge of stability (Cohen et al. 2021, Figure 1): full-batch gradient
// descent on a small tanh network at three learning rates. Claims, measured on every run:
// the sharpness starts below 2/lr, rises until it reaches 2/lr, then hovers at it (the band
// below, over the second half of the run) while the loss keeps falling non-monotonically.
// The measured figures are printed, e.g.
//   lr 0.1: sharpness 3.1 -> reaches 2/lr = 20 at step 410; second half 0.96-1.04 x 2/lr ...
#include <QtTest>

#include <algorithm>
#include <cmath>

#include "app/scenarios/scenario_library.h"
#include "app/worker/training_run.h"
#include "core/probes/probes.h"

#include "test_scenario_library.h"

using namespace gradscope;

namespace {

const app::ScenarioLibrary& library() { return test::scenarioLibrary(); }

// Every kEvery steps, as the dashboard's default.
constexpr int kEvery = 10;
// "Reaches 2/lr": within 10% of it; "hovers": between these multiples of 2/lr.
constexpr double kReach = 0.9;
constexpr double kBandLow = 0.9;
constexpr double kBandHigh = 1.1;

}  // namespace

class TestScenarioSharpness : public QObject {
  Q_OBJECT

 private slots:
  void edgeOfStability_data() {
    QTest::addColumn<int>("run");
    const app::Scenario* s = library().find("edge-of-stability");
    if (!s) qFatal("no scenario 'edge-of-stability' in the library");
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      QTest::newRow(qPrintable(s->runs[i].name)) << int(i);
    }
  }

  void edgeOfStability() {
    QFETCH(int, run);
    const app::Scenario& s = *library().find("edge-of-stability");
    const app::ScenarioRun& scenarioRun = s.runs[std::size_t(run)];
    QVERIFY(scenarioRun.config.optimizer.kind == core::OptimizerKind::Sgd);
    auto training = app::TrainingRun::create(scenarioRun.config);
    core::ProbeSettings probes;
    probes.histograms = false;
    probes.budget = 0.0;
    training->setProbeSettings(probes);

    std::vector<double> losses, sharpness;
    std::vector<std::int64_t> sharpnessSteps;
    double threshold = 0.0;
    int batch = 0;
    for (std::int64_t step = 0; step < s.steps; ++step) {
      const core::StepProbe& probe = training->step();
      QVERIFY2(probe.record.finite, "the run diverged");
      QCOMPARE(probe.record.batchSize, core::Index(400));  // full batch
      losses.push_back(probe.record.loss.total());
      if (step % kEvery == 0) {
        const auto m = training->measureSharpness();
        QVERIFY(m.has_value());
        threshold = m->threshold;
        batch = int(m->samples);
        sharpness.push_back(m->lambdaMax);
        sharpnessSteps.push_back(step);
      }
    }
    QCOMPARE(threshold, 2.0 / scenarioRun.config.optimizer.learningRate);
    QCOMPARE(batch, 400);

    // Rises until it reaches 2/lr.
    const double initial = sharpness.front();
    std::size_t reached = sharpness.size();
    for (std::size_t i = 0; i < sharpness.size(); ++i) {
      if (sharpness[i] >= kReach * threshold) {
        reached = i;
        break;
      }
    }
    // Hovers over the second half of the run.
    const std::size_t half = sharpness.size() / 2;
    double low = INFINITY, high = 0.0, sum = 0.0;
    for (std::size_t i = half; i < sharpness.size(); ++i) {
      low = std::min(low, sharpness[i] / threshold);
      high = std::max(high, sharpness[i] / threshold);
      sum += sharpness[i] / threshold;
    }
    const double mean = sum / double(sharpness.size() - half);
    // The loss keeps falling, non-monotonically: lower at the end than when the edge was
    // reached, with steps that raise it in the second half.
    const std::size_t edgeStep =
        reached < sharpness.size() ? std::size_t(sharpnessSteps[reached]) : 0;
    const std::size_t lossHalf = losses.size() / 2;
    int rises = 0;
    for (std::size_t i = lossHalf + 1; i < losses.size(); ++i) rises += losses[i] > losses[i - 1];
    const double atEdge = losses[edgeStep];
    const double lastLoss = losses.back();
    const double halfLoss = losses[lossHalf];
    qInfo(
        "%s: sharpness %.3g at step 0 -> reaches 0.9 x 2/lr (2/lr = %.4g) at step %lld; "
        "second half %.3f-%.3f x 2/lr (mean %.3f); loss %.3g at the edge, %.3g at mid-run, "
        "%.3g at the end, %d of %zu second-half steps raise it",
        qPrintable(scenarioRun.name), initial, threshold,
        reached < sharpness.size() ? (long long)sharpnessSteps[reached] : -1LL, low, high, mean,
        atEdge, halfLoss, lastLoss, rises, losses.size() - lossHalf - 1);
    QVERIFY2(initial < kReach * threshold, "the sharpness starts at the edge already");
    QVERIFY2(reached < half, "the sharpness does not reach 2/lr in the first half");
    QVERIFY2(low >= kBandLow && high <= kBandHigh, "the sharpness leaves the band");
    QVERIFY2(lastLoss < halfLoss && halfLoss < atEdge, "the loss stops falling");
    QVERIFY2(rises >= 10, "the loss falls monotonically");
  }
};

QTEST_GUILESS_MAIN(TestScenarioSharpness)
#include "tst_scenario_sharpness.moc"
