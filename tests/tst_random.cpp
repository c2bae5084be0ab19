// Rng: reproducible streams, correct moments, bounded truncation, exact state restore.
#include <QtTest>

#include <cmath>
#include <numeric>

#include "core/model/random.h"

using gradscope::core::Rng;

class TestRandom : public QObject {
  Q_OBJECT
 private slots:
  void sameSeedSameStream() {
    Rng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
      const auto x = a.nextU64();
      QCOMPARE(x, b.nextU64());
      QVERIFY(x != c.nextU64());
    }
  }
  void uniformMoments() {
    Rng rng(1);
    const int n = 200000;
    double sum = 0, sumSq = 0;
    for (int i = 0; i < n; ++i) {
      const double u = rng.uniform();
      QVERIFY(u >= 0.0 && u < 1.0);
      sum += u;
      sumSq += u * u;
    }
    const double mean = sum / n;
    QVERIFY(std::abs(mean - 0.5) < 0.005);
    QVERIFY(std::abs(sumSq / n - mean * mean - 1.0 / 12.0) < 0.002);
  }
  void normalMoments() {
    Rng rng(2);
    const int n = 200000;
    double sum = 0, sumSq = 0;
    for (int i = 0; i < n; ++i) {
      const double z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    QVERIFY(std::abs(sum / n) < 0.01);
    QVERIFY(std::abs(sumSq / n - 1.0) < 0.01);
  }
  void truncatedNormalStaysWithinTwoSigma() {
    Rng rng(3);
    for (int i = 0; i < 100000; ++i) {
      const double z = rng.truncatedNormal(1.0, 0.5);
      QVERIFY(z >= 0.0 && z <= 2.0);
    }
  }
  void shuffleIsAPermutation() {
    Rng rng(4);
    std::vector<std::int64_t> v(1000);
    std::iota(v.begin(), v.end(), 0);
    rng.shuffle(v);
    auto sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 1000; ++i) QCOMPARE(sorted[i], std::int64_t(i));
    QVERIFY(v != sorted);
  }
  void restoreContinuesExactly() {
    Rng a(5);
    a.normal();  // leaves a spare normal cached
    Rng b;
    b.restore(a.state(), a.hasSpareNormal(), a.spareNormal());
    for (int i = 0; i < 10; ++i) QCOMPARE(a.normal(), b.normal());
  }
};

QTEST_GUILESS_MAIN(TestRandom)
#include "tst_random.moc"
