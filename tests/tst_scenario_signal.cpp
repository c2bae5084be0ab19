// Scenario "signal-propagation" (resources/scenarios/22-signal-propagation.json): tanh networks
// initialised in the ordered phase, at the edge of chaos and in the chaotic phase. Its claim,
// measured on each run's network at its initial weights with the engine's own forward and
// backward pass, with the figures printed:
//   - q^l and c^l follow the mean-field recursions (q within 10%, c within 0.05);
//   - the gradient's decay rate per layer, -ln(||dL/dz^1||^2 / ||dL/dz^L||^2) / (L - 1), matches
//     the predicted 1 / xi = -ln chi_1 within a factor 1.5 in the ordered and chaotic runs (the
//     first layer gets under 1/1000, resp. over 10 times, the last one's gradient); at the edge
//     (1/xi = 0) it is under a quarter of the ordered rate, and in every run the first/last
//     ratio is within a factor 1.5 of the mean-field curve's, which follows q^l's transient.
// Set GRADSCOPE_SCENARIOS to a folder to check scenario files without rebuilding.
#include <QtTest>

#include <cmath>
#include <map>

#include "app/scenarios/scenario_library.h"
#include "app/worker/training_run.h"

#include "test_scenario_library.h"

using namespace gradscope;

namespace {

const app::ScenarioLibrary& library() { return test::scenarioLibrary(); }

struct Figures {
  double worstLength = 0;       // max over layers of |q measured / q predicted - 1|
  double worstCorrelation = 0;  // max over layers of |c measured - c predicted|
  double measuredRate = 0;      // -ln(g_1^2 / g_L^2) / (L - 1)
  double predictedRate = 0;     // -ln chi_1 at the fixed point
  double gradientRatio = 0;     // g_1 / g_L
  double predictedRatio = 0;    // the same along the mean-field curve
  double chi1 = 0;
};

Figures measure(const app::ScenarioRun& run) {
  const std::unique_ptr<app::TrainingRun> training = app::TrainingRun::create(run.config);
  const std::shared_ptr<const core::SignalPropagation> s = training->signalPropagation();
  if (!s || !s->meanFieldApplies || s->depth() < 2)
    qFatal("no signal for %s", qPrintable(run.name));
  Figures f;
  for (const core::SignalLayer& l : s->layers) {
    f.worstLength = std::max(f.worstLength, std::abs(l.measuredLength / l.predictedLength - 1));
    f.worstCorrelation =
        std::max(f.worstCorrelation, std::abs(l.measuredCorrelation - l.predictedCorrelation));
  }
  for (int i = 0; i < s->depth(); i += std::max(1, s->depth() / 6)) {
    const core::SignalLayer& l = s->layers[std::size_t(i)];
    qInfo("  layer %2d: q %.3e / %.3e  c %.3f / %.3f  |dL/dz| %.3e / %.3e (measured / mean field)",
          i + 1, l.measuredLength, l.predictedLength, l.measuredCorrelation, l.predictedCorrelation,
          l.measuredGradient, l.predictedGradient);
  }
  const double first = s->layers.front().measuredGradient;
  const double last = s->layers.back().measuredGradient;
  f.gradientRatio = first / last;
  f.predictedRatio = s->layers.front().predictedGradient / s->layers.back().predictedGradient;
  f.measuredRate = -std::log(first * first / (last * last)) / (s->depth() - 1);
  f.chi1 = s->fixedPoint.chi1;
  f.predictedRate = -std::log(f.chi1);
  qInfo(
      "%-32s chi1 = %.3f (%s): q within %.1f%%, c within %.3f; gradient first/last = %.2e, "
      "(mean-field curve %.2e); decay rate per layer %.3f measured vs 1/xi = %.3f predicted\n  %s",
      qPrintable(run.name), f.chi1, std::string(core::toString(s->fixedPoint.phase)).c_str(),
      100 * f.worstLength, f.worstCorrelation, f.gradientRatio, f.predictedRatio, f.measuredRate,
      f.predictedRate, s->verdict.c_str());
  return f;
}

}  // namespace

class TestScenarioSignal : public QObject {
  Q_OBJECT
 private slots:
  void signalPropagation() {
    const app::Scenario* s = library().find(QStringLiteral("signal-propagation"));
    QVERIFY2(s, qPrintable("no scenario 'signal-propagation': " + library().errors().join('\n')));
    QCOMPARE(int(s->runs.size()), 3);
    QCOMPARE(s->view.show, QStringLiteral("Signal propagation"));  // the view it is about
    std::map<QString, Figures> figures;
    for (const app::ScenarioRun& run : s->runs) figures[run.name] = measure(run);
    for (const auto& [name, f] : figures) {
      QVERIFY2(f.worstLength < 0.10, qPrintable(name));
      QVERIFY2(f.worstCorrelation < 0.05, qPrintable(name));
    }
    const Figures& ordered = figures.at(s->runs[0].name);
    const Figures& edge = figures.at(s->runs[1].name);
    const Figures& chaotic = figures.at(s->runs[2].name);
    QVERIFY(ordered.chi1 < 1 && chaotic.chi1 > 1);
    for (const Figures* f : {&ordered, &chaotic}) {
      const double factor = f->measuredRate / f->predictedRate;
      QVERIFY2(factor > 1 / 1.5 && factor < 1.5, qPrintable(QString::number(factor)));
    }
    QVERIFY(std::abs(edge.measuredRate) < ordered.measuredRate / 4);
    QVERIFY(ordered.gradientRatio < 1e-3);
    QVERIFY(chaotic.gradientRatio > 10);
    for (const auto& [name, f] : figures) {
      const double factor = f.gradientRatio / f.predictedRatio;
      QVERIFY2(factor > 1 / 1.5 && factor < 1.5, qPrintable(name));
    }
  }
};

QTEST_GUILESS_MAIN(TestScenarioSignal)
#include "tst_scenario_signal.moc"
