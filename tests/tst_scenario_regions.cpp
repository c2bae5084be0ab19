// Scenario 25, linear regions (after Hanin & Rolnick 2019, "Deep ReLU networks have surprisingly
// few activation patterns"): networks with the same 48 hidden ReLU units in 1, 2, 3 and 4
// layers. The count is the one the dashboard shows: distinct activation patterns on the
// decision field's region grid over the data's square (core/regions). The claim, measured:
// at initialisation the counts are within a factor of 3 of each other and of the order of the
// number of neurons (Keras's zero biases make every boundary a ray from the data's centre: the
// regions are wedges, 2 x 48 for one layer; the check is at most 2 x 48 + 1), nowhere near the
// 2^48 patterns 48 units could make; after training they are still within a factor of 3 of each
// other, not growing with depth. Prints, e.g.
//   linear regions at step 0: 1 x 48: 96 (256x256), 2 x 24: 86 (256x256), ...
#include <QtTest>

#include <algorithm>
#include <climits>

#include "app/scenarios/scenario_library.h"
#include "app/worker/snapshot.h"
#include "app/worker/training_run.h"

using namespace gradscope;

namespace {

constexpr int kFieldResolution = 64;  // the worker's decision field (training_worker.h)

const app::Scenario& regionsScenario() {
  const app::Scenario* s = app::ScenarioLibrary::builtIn().find(QStringLiteral("linear-regions"));
  if (!s) qFatal("no scenario 'linear-regions' in the library");
  return *s;
}

struct Counts {
  QString name;
  int units = 0;
  int resolution = 0;
  int atInit = 0;
  int trained = 0;
};

void report(const QString& line) { qInfo().noquote() << line; }

}  // namespace

class TestScenarioRegions : public QObject {
  Q_OBJECT
 private slots:
  void countsGrowWithNeuronsNotDepth();
};

void TestScenarioRegions::countsGrowWithNeuronsNotDepth() {
  const app::Scenario& s = regionsScenario();
  QCOMPARE(s.runs.size(), std::size_t(4));
  std::vector<Counts> counts;
  for (const app::ScenarioRun& run : s.runs) {
    auto training = app::TrainingRun::create(run.config);
    core::ProbeSettings probes;
    probes.histograms = false;
    probes.budget = 0.0;
    training->setProbeSettings(probes);
    Counts c;
    c.name = run.name;
    const auto initial = training->decisionField(kFieldResolution);
    QVERIFY(initial);
    QVERIFY2(initial->hasRegions(), qPrintable(initial->regionsUnavailable));
    c.units = initial->patternUnits;
    c.resolution = initial->regionResolution;
    c.atInit = initial->regionCount;
    for (std::int64_t t = 0; t < s.steps; ++t) training->step();
    c.trained = training->decisionField(kFieldResolution)->regionCount;
    counts.push_back(c);
  }
  QString init, trained;
  for (const Counts& c : counts) {
    init += QStringLiteral("%1: %2 (%3x%3), ").arg(c.name).arg(c.atInit).arg(c.resolution);
    trained += QStringLiteral("%1: %2, ").arg(c.name).arg(c.trained);
  }
  report(QStringLiteral("linear regions at step 0: %1 needs within x3 of each other, <= 97")
             .arg(init));
  report(QStringLiteral("linear regions at step %1: %2 needs within x3 of each other")
             .arg(s.steps)
             .arg(trained));

  int lo = INT_MAX, hi = 0, trainedLo = INT_MAX, trainedHi = 0;
  for (const Counts& c : counts) {
    // The same 48 hidden units in every network: 2^48 patterns could exist.
    QCOMPARE(c.units, 48);
    lo = std::min(lo, c.atInit);
    hi = std::max(hi, c.atInit);
    trainedLo = std::min(trainedLo, c.trained);
    trainedHi = std::max(trainedHi, c.trained);
    // Zero biases: every region is a wedge from the data's centre; of the order of the 2 x 48
    // wedges of one layer's 48 lines whatever the depth.
    QVERIFY2(c.atInit <= 2 * 48 + 1, qPrintable(c.name));
  }
  QVERIFY2(hi <= 3 * lo, qPrintable(QStringLiteral("at initialisation %1 .. %2").arg(lo).arg(hi)));
  QVERIFY2(trainedHi <= 3 * trainedLo,
           qPrintable(QStringLiteral("after training %1 .. %2").arg(trainedLo).arg(trainedHi)));
  // Not exponential in depth: the deepest network does not have more than three times the
  // regions of the shallowest.
  QVERIFY(counts.back().atInit <= 3 * counts.front().atInit);
  QVERIFY(counts.back().trained <= 3 * counts.front().trained);
}

QTEST_GUILESS_MAIN(TestScenarioRegions)
#include "tst_scenario_regions.moc"
