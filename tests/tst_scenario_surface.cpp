// Scenario 24, sharp and flat minima: the same network trained with mini-batches of 8 and
// with the whole training set, from the same initial weights; the curvature at the minimum of
// a random filter-normalised slice of the training loss around each trained network (Li et
// al. 2018) is larger for the full-batch run. Prints the figures, e.g.
//   loss-surface: curvature at the minimum: batch 8 1.23, full batch 4.56 (loss 0.08, 0.07)
// Set GRADSCOPE_SCENARIOS to a folder to check scenario files without rebuilding.
#include <QtTest>

#include "app/scenarios/scenario_library.h"
#include "app/worker/training_run.h"
#include "core/loss_surface/loss_surface.h"

#include "test_scenario_library.h"

using namespace gradscope;

namespace {

const app::ScenarioLibrary& library() { return test::scenarioLibrary(); }

struct Measured {
  double curvature = 0.0;  // mean of d2f/dalpha2 and d2f/dbeta2 at the slice's minimum
  double alpha = 0.0, beta = 0.0;
  double loss = 0.0;  // training loss at the trained weights (the slice's centre)
  double finalBatchLoss = 0.0;
};

// Trains the run headless for the scenario's steps, then slices the loss around it exactly
// as the Loss surface view does (default settings: 31 x 31, span 1, the same seed).
Measured trainAndSlice(const app::ScenarioRun& scenarioRun, std::int64_t steps) {
  auto run = app::TrainingRun::create(scenarioRun.config);
  core::ProbeSettings probes;
  probes.histograms = false;
  probes.budget = 0.0;
  run->setProbeSettings(probes);
  Measured m;
  for (std::int64_t t = 0; t < steps; ++t) {
    const core::StepProbe& probe = run->step();
    if (!probe.record.finite) qFatal("run '%s' diverged", qPrintable(scenarioRun.name));
    m.finalBatchLoss = probe.record.loss.total();
  }
  const core::LossSurfaceSettings settings;
  auto loss = run->weightSpaceLoss(settings.maxSamples);
  const auto surface =
      core::computeLossSurface(*loss, run->weightHistory(), settings, run->stepCount());
  if (!surface) qFatal("the slice was cancelled");
  m.curvature = surface->curvature.mean();
  m.alpha = surface->curvature.alpha;
  m.beta = surface->curvature.beta;
  m.loss = surface->currentLoss;
  return m;
}

}  // namespace

class TestScenarioSurface : public QObject {
  Q_OBJECT
 private slots:
  void largeBatchesEndInSharperMinima() {
    const app::Scenario* s = library().find(QStringLiteral("loss-surface"));
    QVERIFY(s);
    QCOMPARE(s->runs.size(), std::size_t(2));
    const Measured small = trainAndSlice(s->runs[0], s->steps);
    const Measured large = trainAndSlice(s->runs[1], s->steps);
    qInfo().noquote() << QStringLiteral(
                             "loss-surface: curvature at the minimum: %1 %2 (%3, %4), %5 %6 (%7, "
                             "%8); training loss %9 and %10")
                             .arg(s->runs[0].name)
                             .arg(small.curvature, 0, 'f', 3)
                             .arg(small.alpha, 0, 'f', 3)
                             .arg(small.beta, 0, 'f', 3)
                             .arg(s->runs[1].name)
                             .arg(large.curvature, 0, 'f', 3)
                             .arg(large.alpha, 0, 'f', 3)
                             .arg(large.beta, 0, 'f', 3)
                             .arg(small.loss, 0, 'f', 3)
                             .arg(large.loss, 0, 'f', 3);
    // Both trained to the same loss (the noisy moons' floor): the comparison is between two
    // minima, not a minimum and a slope.
    QVERIFY(small.loss < 0.3);
    QVERIFY(large.loss < 0.3);
    QVERIFY(std::abs(small.loss - large.loss) < 0.05);
    // The claim: the full-batch minimum is sharper, by a clear margin.
    QVERIFY2(large.curvature > 1.5 * small.curvature,
             qPrintable(QStringLiteral("full batch %1 vs batch 8 %2")
                            .arg(large.curvature)
                            .arg(small.curvature)));
  }
};

QTEST_GUILESS_MAIN(TestScenarioSurface)
#include "tst_scenario_surface.moc"
