// GradientClipper: Keras's clipvalue, clipnorm and global_clipnorm on a flat gradient with
// several weight tensors: bounds, preserved directions, the clip_active flag, untouched
// gradients below the threshold, and norms of tiny float gradients.
#include <QtTest>

#include <cmath>
#include <limits>

#include "core/optimizers/gradient_clipper.h"

using namespace gradscope::core;

namespace {

// Three tensors: a 2x2 kernel (norm 5), a bias (norm 0.5) and a kernel of norm 13.
ParameterLayout threeTensors() {
  ParameterLayout layout(3);
  layout[0] = {"layers[0].kernel", 0, TensorRole::Kernel, 0, 4, 2, 2};
  layout[1] = {"layers[0].bias", 0, TensorRole::Bias, 4, 2, 2, 1};
  layout[2] = {"layers[1].kernel", 1, TensorRole::Kernel, 6, 2, 2, 1};
  return layout;
}

template <typename T>
Vector<T> threeTensorGradient() {
  Vector<T> g(8);
  g << 3, 0, 0, -4, 0.3, -0.4, 5, -12;
  return g;
}

template <typename T>
double norm(const Vector<T>& v) {
  return std::sqrt(v.template cast<double>().squaredNorm());
}

}  // namespace

class TestGradientClipper : public QObject {
  Q_OBJECT
 private slots:
  void noneLeavesGradientAlone() {
    const auto g0 = threeTensorGradient<double>();
    Vector<double> g = g0;
    const ClipResult r = GradientClipper<double>().apply(g, threeTensors());
    QCOMPARE(g, g0);
    QVERIFY(!r.clipped);
    QCOMPARE(r.normBefore, std::sqrt(25.0 + 0.25 + 169.0));
    QCOMPARE(r.normAfter, r.normBefore);
  }

  void clipValueBoundsElements_data() {
    QTest::addColumn<double>("threshold");
    QTest::addColumn<bool>("active");
    QTest::newRow("0.35") << 0.35 << true;
    QTest::newRow("4.5") << 4.5 << true;
    QTest::newRow("12") << 12.0 << false;  // |g| == c is not clipped
    QTest::newRow("100") << 100.0 << false;
  }
  void clipValueBoundsElements() {
    QFETCH(double, threshold);
    QFETCH(bool, active);
    const auto g0 = threeTensorGradient<double>();
    Vector<double> g = g0;
    const ClipResult r =
        GradientClipper<double>({ClipMode::Value, threshold}).apply(g, threeTensors());
    QCOMPARE(r.clipped, active);
    for (Index i = 0; i < g.size(); ++i) {
      QVERIFY(std::abs(g[i]) <= threshold);
      // Elements inside the band are untouched, the others sit on the band's edge.
      QCOMPARE(g[i], std::clamp(g0[i], -threshold, threshold));
    }
    if (!active) QCOMPARE(g, g0);
    QCOMPARE(r.normAfter, norm(g));
  }

  void clipNormPreservesEachTensorsDirection() {
    const auto g0 = threeTensorGradient<double>();
    Vector<double> g = g0;
    const auto layout = threeTensors();
    const double c = 1.0;
    const ClipResult r = GradientClipper<double>({ClipMode::Norm, c}).apply(g, layout);
    QVERIFY(r.clipped);
    // Keras: g * c / max(||g||, c) per tensor: norms 5 and 13 become 1, 0.5 stays.
    const double expectedScale[3] = {1.0 / 5.0, 1.0, 1.0 / 13.0};
    for (int k = 0; k < 3; ++k) {
      const auto& t = layout[k];
      const Vector<double> clipped = g.segment(t.offset, t.size);
      const Vector<double> original = g0.segment(t.offset, t.size);
      QVERIFY(norm(clipped) <= c * (1 + 1e-15));
      for (Index i = 0; i < t.size; ++i) {
        QVERIFY(std::abs(clipped[i] - original[i] * expectedScale[k]) <= 1e-15);
      }
      // Same direction: the cosine with the original is 1.
      if (norm(original) > 0) {
        QVERIFY(std::abs(clipped.dot(original) / (norm(clipped) * norm(original)) - 1) < 1e-15);
      }
    }
    QCOMPARE(g.segment(4, 2), g0.segment(4, 2));  // the bias (norm 0.5) is bit-for-bit intact
    QCOMPARE(r.normBefore, norm(g0));
    QVERIFY(std::abs(r.normAfter - std::sqrt(1 + 0.25 + 1)) < 1e-15);
  }

  void clipNormBelowThresholdChangesNothing() {
    const auto g0 = threeTensorGradient<double>();
    Vector<double> g = g0;
    const ClipResult r = GradientClipper<double>({ClipMode::Norm, 13.0}).apply(g, threeTensors());
    QVERIFY(!r.clipped);  // the largest tensor norm equals the threshold
    QCOMPARE(g, g0);
    QCOMPARE(r.normAfter, r.normBefore);
  }

  void clipNormNeedsACompleteLayout() {
    Vector<double> g = threeTensorGradient<double>();
    auto layout = threeTensors();
    layout.pop_back();
    QVERIFY_THROWS_EXCEPTION(Error,
                             GradientClipper<double>({ClipMode::Norm, 1.0}).apply(g, layout));
    layout = threeTensors();
    layout[2].size = 5;  // past the end
    QVERIFY_THROWS_EXCEPTION(Error,
                             GradientClipper<double>({ClipMode::Norm, 1.0}).apply(g, layout));
  }

  void globalNormBoundsTheWholeGradient_data() {
    QTest::addColumn<double>("threshold");
    QTest::newRow("1") << 1.0;
    QTest::newRow("5") << 5.0;
    QTest::newRow("13.5") << 13.5;
  }
  void globalNormBoundsTheWholeGradient() {
    QFETCH(double, threshold);
    const auto g0 = threeTensorGradient<double>();
    Vector<double> g = g0;
    const double n0 = norm(g0);
    const ClipResult r =
        GradientClipper<double>({ClipMode::GlobalNorm, threshold}).apply(g, threeTensors());
    QVERIFY(r.clipped);
    QCOMPARE(r.normBefore, n0);
    QVERIFY(std::abs(r.normAfter - threshold) <= 1e-14 * threshold);
    QVERIFY(r.normAfter <= threshold * (1 + 1e-15));
    // One common factor c / N for every tensor: the direction of the whole vector is kept.
    for (Index i = 0; i < g.size(); ++i) {
      QVERIFY(std::abs(g[i] - g0[i] * threshold / n0) <= 1e-15 * std::max(1.0, std::abs(g0[i])));
    }
  }

  void globalNormBelowThresholdChangesNothing() {
    const auto g0 = threeTensorGradient<double>();
    Vector<double> g = g0;
    const ClipResult r =
        GradientClipper<double>({ClipMode::GlobalNorm, 100.0}).apply(g, threeTensors());
    QVERIFY(!r.clipped);
    QCOMPARE(g, g0);
  }

  void globalNormOfNonFiniteGradientIsNaN() {
    // Keras's clip_by_global_norm turns every gradient into NaN when the norm is inf or NaN.
    Vector<double> g = threeTensorGradient<double>();
    g[1] = std::numeric_limits<double>::infinity();
    const ClipResult r =
        GradientClipper<double>({ClipMode::GlobalNorm, 1.0}).apply(g, threeTensors());
    QVERIFY(r.clipped);
    QVERIFY(std::isinf(r.normBefore));
    for (Index i = 0; i < g.size(); ++i) QVERIFY(std::isnan(g[i]));
  }

  // The lecture's example: clipvalue turns (0.9, 0.1) into (c, c), 38.7 degrees away;
  // clipnorm and global_clipnorm only shorten each tensor's gradient.
  void directionChangeIsMeasured() {
    ParameterLayout layout(2);
    layout[0] = {"layers[0].kernel", 0, TensorRole::Kernel, 0, 2, 2, 1};
    layout[1] = {"layers[0].bias", 0, TensorRole::Bias, 2, 1, 1, 1};
    const Vector<double> g = (Vector<double>(3) << 0.9, 0.1, 0.01).finished();
    Vector<double> v = g;
    const ClipResult byValue = GradientClipper<double>({ClipMode::Value, 0.05}).apply(v, layout);
    const double expected =
        (0.9 * 0.05 + 0.1 * 0.05) / (std::hypot(0.9, 0.1) * std::hypot(0.05, 0.05));
    QVERIFY(std::abs(byValue.directionCosine - expected) < 1e-12);
    for (ClipMode mode : {ClipMode::Norm, ClipMode::GlobalNorm}) {
      Vector<double> n = g;
      const ClipResult r = GradientClipper<double>({mode, 0.05}).apply(n, layout);
      QVERIFY(r.clipped);
      QVERIFY(std::abs(r.directionCosine - 1.0) < 1e-12);
    }
    Vector<double> small = g;
    QCOMPARE(GradientClipper<double>({ClipMode::Value, 10.0}).apply(small, layout).directionCosine,
             1.0);
  }

  void tinyFloatGradientsKeepTheirNorm() {
    // 1e-30 squared underflows in float; the double accumulation keeps the norm.
    Vector<float> g = Vector<float>::Constant(4, 1e-30f);
    ParameterLayout layout(1);
    layout[0] = {"layers[0].bias", 0, TensorRole::Bias, 0, 4, 4, 1};
    const ClipResult r = GradientClipper<float>({ClipMode::Norm, 1e-31}).apply(g, layout);
    QVERIFY(std::abs(r.normBefore - 2e-30) < 1e-36);
    QVERIFY(r.clipped);
    QVERIFY(std::abs(norm(g) - 1e-31) < 1e-36);
    QVERIFY(std::abs(g[0] - 0.5e-31f) < 1e-37f);
  }

  void floatMatchesDouble() {
    for (ClipMode mode : {ClipMode::Value, ClipMode::Norm, ClipMode::GlobalNorm}) {
      Vector<float> gf = threeTensorGradient<float>();
      Vector<double> gd = threeTensorGradient<double>();
      const ClipResult rf = GradientClipper<float>({mode, 2.0}).apply(gf, threeTensors());
      const ClipResult rd = GradientClipper<double>({mode, 2.0}).apply(gd, threeTensors());
      QCOMPARE(rf.clipped, rd.clipped);
      for (Index i = 0; i < gd.size(); ++i) QVERIFY(std::abs(gf[i] - gd[i]) < 1e-6);
    }
  }

  void validation() {
    validate(ClipSettings{ClipMode::None, -1.0});  // inactive: anything goes
    validate(ClipSettings{ClipMode::Norm, 0.5});
    for (ClipMode mode : {ClipMode::Value, ClipMode::Norm, ClipMode::GlobalNorm}) {
      QVERIFY_THROWS_EXCEPTION(Error, validate(ClipSettings{mode, 0.0}));
      QVERIFY_THROWS_EXCEPTION(Error, validate(ClipSettings{mode, std::nan("")}));
    }
  }
};

QTEST_GUILESS_MAIN(TestGradientClipper)
#include "tst_gradient_clipper.moc"
