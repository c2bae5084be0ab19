// The loss surface around a network's weights: filter normalisation gives each filter of a
// random direction the norm of the weights' filter and leaves biases and BatchNorm
// parameters out; a slice's centre is the training loss at the weights (and computing it
// leaves the run untouched); the interpolation's ends are the losses at the initial and the
// current weights; the principal plane of a known trajectory is found and the path projected
// on it; the weight history stays within its bound; the curvature of a known quadratic.
#include <QtTest>

#include <algorithm>
#include <cmath>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/loss_surface/filter_directions.h"
#include "core/loss_surface/loss_surface.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer.h"

using namespace gradscope::core;

namespace {

SplitData moons() {
  DataSpec d;
  d.kind = DatasetKind::Moons;
  d.samples = 200;
  return splitData(generate(d), SplitOptions{0.25, 1, true});
}

template <typename T>
Trainer<T> trainer(const SplitData& data, BatchNormPlacement batchNorm = BatchNormPlacement::None) {
  ModelConfig model;
  model.hiddenLayers = 2;
  model.width = 8;
  model.batchNorm = batchNorm;
  const NetworkSpec spec = buildNetworkSpec(model, 2, 1, TaskKind::Binary);
  TrainingSettings training;
  training.batchSize = 32;
  return Trainer<T>(spec, LossKind::BinaryCrossentropy, data.train, data.validation,
                    OptimizerSettings::defaultsFor(OptimizerKind::Adam), ScheduleSettings{},
                    training);
}

}  // namespace

class TestLossSurface : public QObject {
  Q_OBJECT
 private slots:
  void filterNormalisation() {
    const SplitData data = moons();
    auto t = trainer<double>(data, BatchNormPlacement::AfterActivation);
    for (int i = 0; i < 5; ++i) t.step();
    Eigen::VectorXd weights = t.network().parameters();
    const ParameterLayout& layout = t.network().layout();
    // A filter of zeros (a unit whose incoming weights are all 0) stays 0 in the direction.
    const ParameterTensor* first = t.network().findTensor("layers[0].kernel");
    QVERIFY(first);
    weights.segment(first->offset, first->rows).setZero();
    Rng rng(7);
    const Eigen::VectorXd d = filterNormalizedDirection(layout, weights, rng);
    int filters = 0, others = 0;
    bool sawGamma = false;
    for (const ParameterTensor& tensor : layout) {
      if (tensor.role != TensorRole::Kernel) {
        QCOMPARE(d.segment(tensor.offset, tensor.size).norm(), 0.0);
        sawGamma = sawGamma || tensor.role == TensorRole::Gamma;
        ++others;
        continue;
      }
      for (Index u = 0; u < tensor.cols; ++u) {
        const Index at = tensor.offset + u * tensor.rows;
        const double want = weights.segment(at, tensor.rows).norm();
        const double got = d.segment(at, tensor.rows).norm();
        QVERIFY2(std::abs(got - want) <= 1e-12 * std::max(1.0, want),
                 qPrintable(QString::fromStdString(tensor.name) +
                            QStringLiteral(" unit %1: %2 vs %3").arg(u).arg(got).arg(want)));
        ++filters;
      }
    }
    QCOMPARE(d.segment(first->offset, first->rows).norm(), 0.0);
    QVERIFY(filters >= 8 + 8 + 1);
    QVERIFY(others > 0);
    QVERIFY(sawGamma);
    // The direction is random within each filter: not the weights themselves.
    const auto second = std::find_if(layout.rbegin(), layout.rend(), [](const ParameterTensor& x) {
      return x.role == TensorRole::Kernel;
    });
    QVERIFY(second != layout.rend());
    QVERIFY(
        (d.segment(second->offset, second->rows) - weights.segment(second->offset, second->rows))
            .norm() > 1e-3);
  }

  void sliceCentreIsTheLossAtTheWeights() {
    const SplitData data = moons();
    auto t = trainer<float>(data);
    for (int i = 0; i < 20; ++i) t.step();
    const Vector<float> before = t.network().parameters();
    auto loss = makeWeightSpaceLoss(t, 100000);
    QCOMPARE(loss->sampleCount(), t.trainSize());
    LossSurfaceSettings settings;
    settings.resolution = 7;
    const auto surface = computeLossSurface(*loss, WeightHistory{}, settings, t.stepCount());
    QVERIFY(surface);
    const double expected = t.evaluateTraining().loss;
    QCOMPARE(surface->map.grid.at(3, 3), expected);
    QCOMPARE(surface->currentLoss, expected);
    QVERIFY(surface->map.grid.maxValue > expected);  // the weights are moved elsewhere
    QVERIFY(!surface->map.levels.empty());
    // The run's weights are untouched, and it trains on as before.
    QCOMPARE(t.network().parameters(), before);
    QVERIFY(std::isfinite(t.step().loss.total()));
  }

  void sliceCancels() {
    const SplitData data = moons();
    auto t = trainer<float>(data);
    auto loss = makeWeightSpaceLoss(t, 64);
    QCOMPARE(loss->sampleCount(), Index(64));
    int calls = 0;
    const auto surface = computeLossSurface(*loss, WeightHistory{}, LossSurfaceSettings{}, 0,
                                            [&calls](double) { return ++calls < 10; });
    QVERIFY(!surface);
    QCOMPARE(calls, 10);
  }

  void interpolationEndsAreTheLossesAtBothWeights() {
    const SplitData data = moons();
    auto t = trainer<double>(data);
    const Eigen::VectorXd initial = t.network().parameters();
    const double initialLoss = t.evaluateTraining().loss;
    for (int i = 0; i < 40; ++i) t.step();
    const Eigen::VectorXd current = t.network().parameters();
    const double currentLoss = t.evaluateTraining().loss;
    QVERIFY(currentLoss < initialLoss);
    auto loss = makeWeightSpaceLoss(t, 100000);
    const auto line = lossAlongLine(*loss, initial, current);
    QVERIFY(line);
    const auto& [alphas, losses] = *line;
    const auto at = [&](double alpha) {
      const auto it = std::find(alphas.begin(), alphas.end(), alpha);
      return it == alphas.end() ? std::nan("") : losses[std::size_t(it - alphas.begin())];
    };
    QCOMPARE(at(0.0), initialLoss);
    QCOMPARE(at(1.0), currentLoss);
    QCOMPARE(alphas.front(), -LossSurfaceSettings::kLineBefore);
    QCOMPARE(alphas.back(), 1.0 + LossSurfaceSettings::kLineBefore);

    // The same through the history, whose first sample is the initial weights (kept in float).
    WeightHistory history;
    history.record(0, initial);
    history.record(40, current);
    const auto surface = computeLossSurface(*loss, history, {LossSurfaceMode::Interpolation}, 40);
    QVERIFY(surface);
    QCOMPARE(surface->currentLoss, currentLoss);
    QVERIFY(std::abs(surface->lineLoss[std::size_t(LossSurfaceSettings::kLineBefore *
                                                   LossSurfaceSettings::kLinePointsPerUnit)] -
                     initialLoss) < 1e-5);
  }

  void principalPlaneOfAKnownTrajectory() {
    // theta_i = theta* + 3 (i - 11) u + (i - 5.5)^2 / 8 v in 50 dimensions: a path in the
    // plane of u and v, mostly along u, ending at theta* (i = 11); the two coordinates are
    // uncorrelated, so that u and v are the principal directions.
    const Index n = 50;
    Eigen::VectorXd u = Eigen::VectorXd::Zero(n), v = Eigen::VectorXd::Zero(n);
    u.head(25).setConstant(1.0 / 5.0);  // |u| = 1
    v.tail(25).setConstant(1.0 / 5.0);  // |v| = 1, orthogonal to u
    Eigen::VectorXd current = Eigen::VectorXd::LinSpaced(n, -1.0, 1.0);
    WeightHistory history;
    std::vector<Eigen::VectorXd> thetas;
    for (int i = 0; i <= 11; ++i) {
      // Values exact in float, so that the float history holds them as they are.
      const double a = 3.0 * double(i - 11), b = (double(i) - 5.5) * (double(i) - 5.5) / 8.0;
      thetas.push_back(current + a * u + b * v);
      history.record(i * 10, Eigen::VectorXd(thetas.back().cast<float>().cast<double>()));
    }
    current = thetas.back().cast<float>().cast<double>();
    const TrajectoryPlane plane = trajectoryPlane(history, current);
    QVERIFY(std::abs(std::abs(plane.direction1.dot(u)) - 1.0) < 1e-5);
    QVERIFY(std::abs(std::abs(plane.direction2.dot(v)) - 1.0) < 1e-5);
    QVERIFY(std::abs(plane.explained1 + plane.explained2 - 1.0) < 1e-6);
    QVERIFY(plane.explained1 > 0.9);
    QCOMPARE(plane.path.size(), std::size_t(12));
    QCOMPARE(plane.steps.back(), std::int64_t(110));
    for (std::size_t i = 0; i < plane.path.size(); ++i) {
      const Eigen::VectorXd offset = history.sample(i).cast<double>() - current;
      QVERIFY(std::abs(std::abs(plane.path[i].x()) - std::abs(offset.dot(u))) < 1e-4);
      QVERIFY(std::abs(std::abs(plane.path[i].y()) - std::abs(offset.dot(v))) < 1e-4);
    }
    QVERIFY(plane.path.back().norm() < 1e-9);  // the current weights sit at the origin
  }

  void historyStaysWithinItsBound() {
    // A budget of 6 samples of 10 floats.
    WeightHistory history(6 * 10 * sizeof(float), 200);
    const Eigen::VectorXd w = Eigen::VectorXd::Ones(10);
    for (std::int64_t step = 0; step <= 1000; ++step) {
      if (history.due(step)) history.record(step, Eigen::VectorXd(w * double(step)));
      QVERIFY(int(history.size()) < history.capacity());
    }
    QCOMPARE(history.capacity(), 6);
    QCOMPARE(history.steps().front(), std::int64_t(0));
    QCOMPARE(history.sample(0)(0), 0.0f);
    // Evenly spaced by the stride the history has reached.
    for (std::size_t i = 1; i < history.size(); ++i)
      QCOMPARE(history.steps()[i] - history.steps()[i - 1], history.stride());
    QVERIFY(history.steps().back() > 1000 - history.stride());
    // Another network starts afresh.
    history.record(1001, Eigen::VectorXd::Zero(3));
    QCOMPARE(history.size(), std::size_t(1));
  }

  void curvatureOfAKnownQuadratic() {
    // f = 2 a^2 + 0.5 (b - 0.2)^2 + 1: d2f/da2 = 4, d2f/db2 = 1, minimum near (0, 0.2).
    SurfaceGrid grid;
    grid.rect = sliceRect(1.0, 21);
    grid.columns = grid.rows = 21;
    for (int r = 0; r < 21; ++r) {
      for (int c = 0; c < 21; ++c) {
        const Point2 p = grid.cellCentre(c, r);
        grid.values.push_back(2.0 * p.x() * p.x() + 0.5 * (p.y() - 0.2) * (p.y() - 0.2) + 1.0);
      }
    }
    const SliceCurvature k = sliceCurvature(grid);
    QVERIFY(std::abs(k.alpha - 4.0) < 1e-9);
    QVERIFY(std::abs(k.beta - 1.0) < 1e-9);
    QVERIFY(std::abs(k.at.y() - 0.2) < 1e-9);
    QVERIFY(std::abs(k.at.x()) < 1e-9);
  }
};

QTEST_GUILESS_MAIN(TestLossSurface)
#include "tst_loss_surface.moc"
