// The dense layers' matrix products (c = a^T b, a b^T, a b) against a double-precision
// reference, for shapes that exercise every path of the float product: tiny products,
// edge tiles of every width, a last panel of at most 8 rows (computed apart), operands
// read in place and packed, depth blocks that accumulate, row blocks, sub-matrices with a leading
// dimension larger than their rows, and a split over two threads (bit-identical to one thread).
// Every test runs at every kernel level (kernel_level.h) this processor supports; a level it
// lacks is reported as skipped.
#include <QtTest>

#include <cmath>

#include "core/kernels/kernel_level.h"
#include "core/kernels/matrix_product.h"
#include "core/kernels/threading.h"
#include "core/model/random.h"

using namespace gradscope::core;

namespace {

enum class Op { TransposedA, TransposedB, Plain };

Matrix<float> randomMatrix(Index rows, Index cols, Rng& rng) {
  Matrix<float> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m(i) = float(rng.uniform(-1.0, 1.0));
  return m;
}

struct Case {
  Matrix<float> a, b;  // stored with `pad` extra rows, so ld > rows
  Index m, n, k, pad;
  Op op;
};

Case makeCase(Op op, Index m, Index n, Index k, Index pad, std::uint64_t seed) {
  Rng rng(seed);
  Case c{{}, {}, m, n, k, pad, op};
  c.a = op == Op::TransposedA ? randomMatrix(k + pad, m, rng) : randomMatrix(m + pad, k, rng);
  c.b = op == Op::TransposedB ? randomMatrix(n + pad, k, rng) : randomMatrix(k + pad, n, rng);
  return c;
}

// Runs the product into rows [0, m) of a larger matrix whose extra rows must stay intact.
Matrix<float> run(const Case& c, Matrix<float>& big) {
  big = Matrix<float>::Constant(c.m + 3, c.n, 7.0f);
  auto out = big.topRows(c.m);
  const auto a = c.a.topRows(c.a.rows() - c.pad);
  const auto b = c.b.topRows(c.b.rows() - c.pad);
  switch (c.op) {
    case Op::TransposedA:
      multiplyTransposedA<float>(a, b, out);
      break;
    case Op::TransposedB:
      multiplyTransposedB<float>(a, b, out);
      break;
    case Op::Plain:
      multiply<float>(a, b, out);
      break;
  }
  return out;
}

Eigen::MatrixXd reference(const Case& c) {
  const Eigen::MatrixXd a = c.a.topRows(c.a.rows() - c.pad).cast<double>();
  const Eigen::MatrixXd b = c.b.topRows(c.b.rows() - c.pad).cast<double>();
  switch (c.op) {
    case Op::TransposedA:
      return a.transpose() * b;
    case Op::TransposedB:
      return a * b.transpose();
    case Op::Plain:
      break;
  }
  return a * b;
}

// Switches products to `level`, or skips the test row when the processor or build lacks it.
#define USE_LEVEL(level)                                                              \
  do {                                                                                \
    if (!setKernelLevel(level)) {                                                     \
      QSKIP(qPrintable(QStringLiteral("this processor or build lacks the %1 kernels") \
                           .arg(QLatin1String(kernelLevelName(level)))));             \
    }                                                                                 \
  } while (false)

}  // namespace

Q_DECLARE_METATYPE(Op)
Q_DECLARE_METATYPE(KernelLevel)

class TestMatrixProduct : public QObject {
  Q_OBJECT

 private slots:
  void cleanup() {
    setThreadCount(1);
    setKernelLevel(bestKernelLevel());
  }

  void floatMatchesReference_data() {
    QTest::addColumn<KernelLevel>("level");
    QTest::addColumn<Op>("op");
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("pad");
    const struct {
      const char* name;
      int m, n, k, pad;
    } shapes[] = {
        {"1x1x1", 1, 1, 1, 0},
        {"tiny 8x10x2", 8, 10, 2, 0},
        {"tiny 1x10x8", 1, 10, 8, 1},
        {"tiny with 17 rows", 17, 3, 5, 2},
        {"deep layer", 100, 64, 100, 0},
        {"deep output", 10, 64, 100, 0},
        {"edges 33x25x7", 33, 25, 7, 1},
        {"edges 47x13x40", 47, 13, 40, 3},
        {"rows 8 narrow", 8, 40, 30, 0},
        {"rows 9..16", 12, 41, 30, 0},
        {"depth blocks", 40, 30, 700, 2},
        {"row blocks", 300, 20, 50, 0},
        {"few rows 4 after tiles", 100, 70, 37, 1},
        {"few rows 8 after tiles", 40, 66, 30, 2},
        {"few rows 1 after tiles", 33, 9, 20, 0},
        {"few rows alone", 5, 40, 90, 1},
        {"few rows, depth blocks", 36, 30, 600, 1},
        {"few rows, row blocks", 260, 20, 50, 0},
        {"ld 256 packed", 256, 24, 24, 0},
        {"mnist layer", 256, 128, 784, 0},
    };
    for (KernelLevel level : kKernelLevels) {
      for (const auto& s : shapes) {
        for (Op op : {Op::TransposedA, Op::TransposedB, Op::Plain}) {
          const char* opName =
              op == Op::TransposedA ? "a^T b" : (op == Op::TransposedB ? "a b^T" : "a b");
          QTest::addRow("%s: %s %s", kernelLevelName(level), s.name, opName)
              << level << op << s.m << s.n << s.k << s.pad;
        }
      }
    }
  }

  void floatMatchesReference() {
    QFETCH(KernelLevel, level);
    USE_LEVEL(level);
    QFETCH(Op, op);
    QFETCH(int, m);
    QFETCH(int, n);
    QFETCH(int, k);
    QFETCH(int, pad);
    const Case c = makeCase(op, m, n, k, pad, std::uint64_t(m * 7919 + n * 104729 + k));
    Matrix<float> big;
    const Eigen::MatrixXd got = run(c, big).cast<double>();
    const Eigen::MatrixXd want = reference(c);
    // Float rounding of k products of magnitude <= 1, with a wide margin.
    const double tolerance = 1e-6 * std::sqrt(double(k)) * 4.0;
    QVERIFY2((got - want).cwiseAbs().maxCoeff() <= tolerance,
             qPrintable(QString::number((got - want).cwiseAbs().maxCoeff())));
    QVERIFY((big.bottomRows(3).array() == 7.0f).all());
  }

  // z = K^T x + b in one product, for every path: tiny, tiles, few rows, depth blocks, no
  // depth at all; equal to the product followed by the bias.
  void biasStartsTheSums_data() {
    QTest::addColumn<KernelLevel>("level");
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("k");
    for (KernelLevel level : kKernelLevels) {
      const char* name = kernelLevelName(level);
      QTest::addRow("%s: tiny", name) << level << 7 << 5 << 3;
      QTest::addRow("%s: deep layer, 4 rows apart", name) << level << 100 << 64 << 100;
      QTest::addRow("%s: edges", name) << level << 47 << 13 << 40;
      QTest::addRow("%s: depth blocks", name) << level << 36 << 30 << 600;
      QTest::addRow("%s: no depth", name) << level << 20 << 4 << 0;
    }
  }

  void biasStartsTheSums() {
    QFETCH(KernelLevel, level);
    USE_LEVEL(level);
    QFETCH(int, m);
    QFETCH(int, n);
    QFETCH(int, k);
    Rng rng(11);
    const Matrix<float> a = randomMatrix(k, m, rng), b = randomMatrix(k, n, rng);
    const Vector<float> bias = randomMatrix(m, 1, rng).col(0);
    Matrix<float> withBias(m, n), product(m, n);
    multiplyTransposedA<float>(a, b, withBias, bias.data());
    multiplyTransposedA<float>(a, b, product);
    const Matrix<float> want = product.colwise() + bias;
    QVERIFY2((withBias - want).cwiseAbs().maxCoeff() <= 1e-5f,
             qPrintable(QString::number((withBias - want).cwiseAbs().maxCoeff())));

    Matrix<double> withBiasD(m, n);
    const Vector<double> biasD = bias.cast<double>();
    multiplyTransposedA<double>(a.cast<double>(), b.cast<double>(), withBiasD, biasD.data());
    const Matrix<double> wantD =
        (a.cast<double>().transpose() * b.cast<double>()).colwise() + biasD;
    QVERIFY((withBiasD - wantD).cwiseAbs().maxCoeff() <= 1e-12);
  }

  void twoThreadsMatchOneThread_data() {
    QTest::addColumn<KernelLevel>("level");
    for (KernelLevel level : kKernelLevels) QTest::newRow(kernelLevelName(level)) << level;
  }

  void twoThreadsMatchOneThread() {
    QFETCH(KernelLevel, level);
    USE_LEVEL(level);
#if defined(GRADSCOPE_THREADED_PRODUCTS)
    // The threaded build (tests/CMakeLists.txt) exists to run this: it must not skip.
    QVERIFY2(maxThreadCount() >= 2, "the threaded product build sees one processor");
#else
    if (maxThreadCount() < 2) QSKIP("built without OpenMP: tst_matrix_product_threads runs this");
#endif
    // 300 rows end in a 12-row tile, 260 in 4 rows computed apart.
    for (Index rows : {300, 260}) {
      for (Op op : {Op::TransposedA, Op::TransposedB, Op::Plain}) {
        const Case c = makeCase(op, rows, 256, 100, 1, 3);
        Matrix<float> big1, big2;
        setThreadCount(1);
        const Matrix<float> one = run(c, big1);
        QCOMPARE(setThreadCount(2), 2);
        const Matrix<float> two = run(c, big2);
        QVERIFY(one == two);
      }
    }
  }

  void doubleUsesEigen() {
    const Eigen::MatrixXd a = Eigen::MatrixXd::Random(30, 20), b = Eigen::MatrixXd::Random(30, 10);
    Matrix<double> c(20, 10);
    multiplyTransposedA<double>(a, b, c);
    const Matrix<double> want = a.transpose() * b;
    QVERIFY(c == want);
  }
};

QTEST_GUILESS_MAIN(TestMatrixProduct)
#include "tst_matrix_product.moc"
