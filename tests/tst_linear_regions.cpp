// Linear regions of piecewise-linear networks (core/regions): the count of distinct activation
// patterns on a grid against hand-built networks whose regions are known — n lines in general
// position make 1 + n + n(n-1)/2 regions inside a square holding every crossing; a hand-placed
// arrangement with parallel and concurrent lines; a two-layer network whose second layer bends
// its line along the first layer's — that a coarse grid never finds more, that region ids stay
// with their pattern from one labelling to the next, and which networks have regions at all.
#include <QtTest>

#include <cmath>
#include <set>

#include "core/model/network.h"
#include "core/regions/activation_patterns.h"
#include "core/regions/region_grid.h"
#include "core/regions/region_labeler.h"

using namespace gradscope::core;

namespace {

// A resolution x resolution grid over [lo, hi]^2, corners included, row-major from (lo, lo).
Matrix<double> grid(double lo, double hi, int resolution) {
  Matrix<double> points(2, resolution * resolution);
  for (int row = 0; row < resolution; ++row) {
    for (int col = 0; col < resolution; ++col) {
      points(0, row * resolution + col) = lo + (hi - lo) * col / (resolution - 1);
      points(1, row * resolution + col) = lo + (hi - lo) * row / (resolution - 1);
    }
  }
  return points;
}

// Units whose pre-activation w . x + b is 0 on the given lines (one row each: w1, w2, b).
NetworkSpec lineNetwork(Index lines, ActivationKind kind = ActivationKind::Relu) {
  NetworkSpec spec;
  spec.inputs = 2;
  spec.layers = {LayerSpec::dense(lines, kind), LayerSpec::dense(1, ActivationKind::Linear)};
  return spec;
}

void setDense(Network<double>& net, int layer, const Eigen::MatrixXd& kernel,
              const Eigen::VectorXd& bias) {
  const std::string prefix = "layers[" + std::to_string(layer) + "].";
  net.setTensorValue(*net.findTensor(prefix + "kernel"), kernel);
  net.setTensorValue(*net.findTensor(prefix + "bias"), bias);
}

void setLines(Network<double>& net, const Eigen::MatrixXd& lines) {
  setDense(net, 0, lines.leftCols(2).transpose(), lines.col(2));
  setDense(net, 1, Eigen::MatrixXd::Ones(lines.rows(), 1), Eigen::VectorXd::Zero(1));
}

// n lines tangent to the circle of radius 0.5 at normal angles pi k / n: no two parallel, no
// three through one point (a point outside a circle lies on two tangents at most), every
// crossing within 0.5 / cos(pi (n-1) / 2n) of the origin.
Eigen::MatrixXd tangentLines(int n) {
  Eigen::MatrixXd lines(n, 3);
  for (int k = 0; k < n; ++k) {
    const double angle = M_PI * k / n;
    lines.row(k) << std::cos(angle), std::sin(angle), -0.5;
  }
  return lines;
}

int countRegions(Network<double>& net, double lo, double hi, int resolution) {
  RegionLabeler labeler;
  labeler.label(activationPatterns(net, grid(lo, hi, resolution)));
  return labeler.regionCount();
}

}  // namespace

class TestLinearRegions : public QObject {
  Q_OBJECT
 private slots:
  void linesInGeneralPosition_data();
  void linesInGeneralPosition();
  void handPlacedArrangement();
  void deeperNetworkBendsItsLines();
  void coarseGridIsALowerBound();
  void leakyReluHasTheSameRegions();
  void chunksDoNotChangePatterns();
  void idsStayWithTheirPattern();
  void whichNetworksHaveRegions();
  void gridResolutionFollowsTheCost();
};

void TestLinearRegions::linesInGeneralPosition_data() {
  QTest::addColumn<int>("lines");
  for (const int n : {1, 2, 3, 5, 8}) QTest::addRow("%d lines", n) << n;
}

void TestLinearRegions::linesInGeneralPosition() {
  QFETCH(int, lines);
  Network<double> net(lineNetwork(lines));
  setLines(net, tangentLines(lines));
  // Every crossing lies within 2.6 of the origin for n <= 8; the square reaches 3.
  const int expected = 1 + lines + lines * (lines - 1) / 2;
  const int counted = countRegions(net, -3.0, 3.01, 601);
  qInfo("%d lines: %d regions counted on a 601 x 601 grid, %d expected", lines, counted, expected);
  QCOMPARE(counted, expected);
}

void TestLinearRegions::handPlacedArrangement() {
  // x = 0 and x = 1 (parallel), y = 0, y = x: three lines through the origin, two crossings at
  // (1, 0) and (1, 1). Regions = 1 + lines + sum over crossings of (lines there - 1) = 1 + 4 +
  // 2 + 1 + 1 = 9: three strips, each halved by y = 0, one half of each cut by y = x.
  Eigen::MatrixXd lines(4, 3);
  lines << 1, 0, 0,  //
      1, 0, -1,      //
      0, 1, 0,       //
      -1, 1, 0;
  Network<double> net(lineNetwork(4));
  setLines(net, lines);
  QCOMPARE(countRegions(net, -2.03, 3.02, 301), 9);
  // Points inside one cell of the arrangement (x > 1, 0 < y < 1) share one pattern.
  RegionLabeler labeler;
  Matrix<double> corner(2, 4);
  corner << 1.2, 2.0, 1.2, 2.0, 0.2, 0.2, 0.8, 0.8;
  labeler.label(activationPatterns(net, corner));
  QCOMPARE(labeler.regionCount(), 1);
}

void TestLinearRegions::deeperNetworkBendsItsLines() {
  // h = (relu(x), relu(y)), g = relu(h1 + h2 - 1): the quadrants of the first layer, and the
  // second layer's line bent where it crosses the first layer's: x + y = 1 in the first
  // quadrant, x = 1 in the fourth, y = 1 in the second, nowhere in the third. 4 + 3 = 7.
  NetworkSpec spec;
  spec.inputs = 2;
  spec.layers = {LayerSpec::dense(2, ActivationKind::Relu),
                 LayerSpec::dense(1, ActivationKind::Relu),
                 LayerSpec::dense(1, ActivationKind::Sigmoid)};
  Network<double> net(spec);
  setDense(net, 0, Eigen::MatrixXd::Identity(2, 2), Eigen::VectorXd::Zero(2));
  setDense(net, 1, Eigen::MatrixXd::Ones(2, 1), Eigen::VectorXd::Constant(1, -1.0));
  setDense(net, 2, Eigen::MatrixXd::Ones(1, 1), Eigen::VectorXd::Zero(1));
  QCOMPARE(checkPiecewiseLinear(spec).units, 3);
  QCOMPARE(countRegions(net, -2.01, 2.02, 201), 7);
}

void TestLinearRegions::coarseGridIsALowerBound() {
  // A grid never invents a pattern: coarse grids find at most the true 37 regions of 8 lines,
  // and the count grows to it as the grid gets finer.
  Network<double> net(lineNetwork(8));
  setLines(net, tangentLines(8));
  int previous = 0;
  for (const int resolution : {5, 17, 65, 601}) {
    const int counted = countRegions(net, -3.0, 3.01, resolution);
    qInfo("8 lines on a %d x %d grid: %d regions", resolution, resolution, counted);
    QVERIFY(counted <= 37);
    QVERIFY(counted >= previous);
    previous = counted;
  }
  QCOMPARE(previous, 37);
  QVERIFY(countRegions(net, -3.0, 3.01, 5) < 37);
}

void TestLinearRegions::leakyReluHasTheSameRegions() {
  // leaky_relu bends at the same z = 0 as relu: the same lines, the same regions.
  Network<double> relu(lineNetwork(5));
  Network<double> leaky(lineNetwork(5, ActivationKind::LeakyRelu));
  setLines(relu, tangentLines(5));
  setLines(leaky, tangentLines(5));
  const Matrix<double> points = grid(-3.0, 3.01, 201);
  RegionLabeler a, b;
  QCOMPARE(a.label(activationPatterns(relu, points)), b.label(activationPatterns(leaky, points)));
  QCOMPARE(a.regionCount(), 16);
}

void TestLinearRegions::chunksDoNotChangePatterns() {
  // 70 units span two words per pattern; chunks of 7 points give the same bits as one pass.
  NetworkSpec spec = lineNetwork(70);
  spec.layers[0].biasInitializer = InitializerSpec{InitializerKind::RandomNormal};
  Network<double> net(spec);
  Rng rng(3);
  net.initialize(rng);
  const Matrix<double> points = grid(-2.0, 2.0, 33);
  const ActivationPatterns whole = activationPatterns(net, points);
  const ActivationPatterns chunked = activationPatterns(net, points, 7);
  QCOMPARE(whole.units, 70);
  QCOMPARE(whole.words, 2);
  QCOMPARE(whole.points, points.cols());
  QCOMPARE(chunked.bits, whole.bits);
  // Bit u of a point is unit u's state: check one unit directly against its pre-activation.
  const Eigen::MatrixXd kernel = net.tensorValue(*net.findTensor("layers[0].kernel"));
  const Eigen::MatrixXd bias = net.tensorValue(*net.findTensor("layers[0].bias"));
  for (const int unit : {0, 63, 64, 69}) {
    for (Index p = 0; p < points.cols(); p += 97) {
      const double z = kernel.col(unit).dot(points.col(p)) + bias(unit, 0);
      QCOMPARE(whole.unitOn(p, unit), z > 0);
    }
  }
}

void TestLinearRegions::idsStayWithTheirPattern() {
  Network<double> net(lineNetwork(5));
  Eigen::MatrixXd lines = tangentLines(5);
  setLines(net, lines);
  const Matrix<double> points = grid(-3.0, 3.01, 301);
  RegionLabeler labeler;
  const std::vector<int> first = labeler.label(activationPatterns(net, points));
  QCOMPARE(labeler.regionCount(), 16);
  // Ids are 0..count-1 the first time, numbered in the order the points meet them.
  QCOMPARE(std::set<int>(first.begin(), first.end()).size(), std::size_t(16));
  QCOMPARE(*std::max_element(first.begin(), first.end()), 15);
  QCOMPARE(first.front(), 0);
  // The same network again: the same ids.
  QCOMPARE(labeler.label(activationPatterns(net, points)), first);

  // Move one line a little: points whose pattern did not change keep their id; the ids of the
  // patterns that are new are fresh (never one of the old ones).
  const ActivationPatterns before = activationPatterns(net, points);
  lines(2, 2) = -0.6;
  setLines(net, lines);
  const ActivationPatterns after = activationPatterns(net, points);
  const std::vector<int> moved = labeler.label(after);
  int kept = 0, changed = 0;
  for (Index p = 0; p < points.cols(); ++p) {
    if (std::equal(before.pattern(p), before.pattern(p) + before.words, after.pattern(p))) {
      QCOMPARE(moved[std::size_t(p)], first[std::size_t(p)]);
      ++kept;
    } else {
      ++changed;
    }
  }
  QVERIFY(kept > 0);
  QVERIFY(changed > 0);
  // Shifting a line in general position keeps every region, so no pattern is new.
  QCOMPARE(labeler.regionCount(), 16);
  QCOMPARE(std::set<int>(moved.begin(), moved.end()), std::set<int>(first.begin(), first.end()));

  // A line moved out of the square removes regions; moving it back brings its patterns back
  // with new ids, never reused ones.
  lines(2, 2) = -10.0;
  setLines(net, lines);
  labeler.label(activationPatterns(net, points));
  QVERIFY(labeler.regionCount() < 16);
  lines(2, 2) = -0.5;
  setLines(net, lines);
  const std::vector<int> back = labeler.label(activationPatterns(net, points));
  QCOMPARE(labeler.regionCount(), 16);
  QVERIFY(*std::max_element(back.begin(), back.end()) > 15);

  labeler.reset();
  QCOMPARE(labeler.label(activationPatterns(net, points)), first);
}

void TestLinearRegions::whichNetworksHaveRegions() {
  NetworkSpec spec;
  spec.inputs = 2;
  spec.layers = {LayerSpec::dense(6, ActivationKind::Relu),
                 LayerSpec::dense(4, ActivationKind::Linear),
                 LayerSpec::batchNormalization(),
                 LayerSpec::activationLayer(ActivationKind::LeakyRelu),
                 LayerSpec::dropout(0.2),
                 LayerSpec::dense(3, ActivationKind::Softmax)};
  PiecewiseLinearCheck check = checkPiecewiseLinear(spec);
  QVERIFY(check.piecewiseLinear);
  QCOMPARE(check.units, 10);  // 6 relu + 4 leaky_relu; the linear layer and softmax add none
  QCOMPARE(check.layers, (std::vector<int>{0, 3}));

  spec.layers[1].activation.kind = ActivationKind::Tanh;
  check = checkPiecewiseLinear(spec);
  QVERIFY(!check.piecewiseLinear);
  QCOMPARE(check.reason, std::string("layers[1] (dense) uses tanh, which is not piecewise linear"));
  QCOMPARE(check.units, 0);

  // The output layer's activation does not matter; a network without hidden units has one
  // region.
  NetworkSpec logistic;
  logistic.inputs = 2;
  logistic.layers = {LayerSpec::dense(1, ActivationKind::Sigmoid)};
  check = checkPiecewiseLinear(logistic);
  QVERIFY(check.piecewiseLinear);
  QCOMPARE(check.units, 0);
  Network<double> net(logistic);
  QCOMPARE(countRegions(net, -1.0, 1.0, 11), 1);
}

void TestLinearRegions::gridResolutionFollowsTheCost() {
  // 2 -> 48 -> 1 costs 144 multiply-adds a point: 256 x 256 fits the budget; 2 -> 10 x 256 ->
  // 1 does not fit even 96 x 96 and falls back to the decision boundary's grid.
  const NetworkSpec small = lineNetwork(48);
  QCOMPARE(multiplyAddsPerPoint(small), 144.0);
  QCOMPARE(regionGridResolution(small, 64), 256);
  NetworkSpec wide;
  wide.inputs = 2;
  for (int i = 0; i < 10; ++i) wide.layers.push_back(LayerSpec::dense(256, ActivationKind::Relu));
  wide.layers.push_back(LayerSpec::dense(1, ActivationKind::Sigmoid));
  QCOMPARE(regionGridResolution(wide, 64), 64);
}

QTEST_GUILESS_MAIN(TestLinearRegions)
#include "tst_linear_regions.moc"
