// Training steps at every kernel level this processor supports (core/kernels/kernel_level.h):
// a few float32 steps of a sigmoid network on teacher data, whose products cover the blocked
// paths (tiles, edge panels, rows computed apart), stay within float rounding of the same
// steps computed in double precision (the plain reference), and repeat bit for bit at one
// level. A level the processor or build lacks is reported as skipped.
#include <QtTest>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/kernels/kernel_level.h"
#include "core/kernels/matrix_product.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer.h"

using namespace gradscope::core;

namespace {

constexpr int kSteps = 5;

SplitData teacherData() {
  DataSpec d;
  d.kind = DatasetKind::Teacher;
  d.samples = 256;
  d.features = 40;
  d.classes = 10;
  return splitData(generate(d), SplitOptions{0.0, 1, true});
}

template <typename T>
Vector<double> trainedParameters(const SplitData& data) {
  ModelConfig model;
  model.hiddenLayers = 3;
  model.width = 100;  // three 32-row tiles and 4 rows (AVX-512), six 16-row tiles and 4 (AVX2)
  model.hiddenActivation = ActivationSpec{ActivationKind::Sigmoid};
  const NetworkSpec spec = buildNetworkSpec(model, 40, 10, TaskKind::MultiClass);
  OptimizerSettings optimizer;
  optimizer.kind = OptimizerKind::Sgd;
  optimizer.learningRate = 0.5;
  TrainingSettings training;
  training.batchSize = 64;
  Trainer<T> trainer(spec, LossKind::CategoricalCrossentropy, data.train, data.validation,
                     optimizer, ScheduleSettings{}, training);
  for (int i = 0; i < kSteps; ++i) trainer.step();
  return trainer.network().parameters().template cast<double>();
}

}  // namespace

Q_DECLARE_METATYPE(gradscope::core::KernelLevel)

class TestKernelLevels : public QObject {
  Q_OBJECT

 private slots:
  void cleanup() { setKernelLevel(bestKernelLevel()); }

  void namesRoundTrip() {
    for (KernelLevel level : kKernelLevels) {
      QCOMPARE(kernelLevelFromName(kernelLevelName(level)), std::optional<KernelLevel>(level));
    }
    QVERIFY(!kernelLevelFromName("sse9"));
    QVERIFY(kernelLevelSupported(KernelLevel::Baseline));
    QVERIFY(kernelLevelSupported(bestKernelLevel()));
  }

  void unsupportedLevelIsRefused() {
    for (KernelLevel level : kKernelLevels) {
      if (kernelLevelSupported(level)) continue;
      const KernelLevel before = kernelLevel();
      QVERIFY(!setKernelLevel(level));
      QCOMPARE(kernelLevel(), before);
    }
  }

  void stepsMatchReference_data() {
    QTest::addColumn<KernelLevel>("level");
    for (KernelLevel level : kKernelLevels) QTest::newRow(kernelLevelName(level)) << level;
  }

  void stepsMatchReference() {
    QFETCH(KernelLevel, level);
    if (!kernelLevelSupported(level)) {
      QSKIP(qPrintable(QStringLiteral("this processor or build lacks the %1 kernels")
                           .arg(QLatin1String(kernelLevelName(level)))));
    }
    QVERIFY(setKernelLevel(level));
    QCOMPARE(usesBlockedFloatProduct(), level != KernelLevel::Baseline);
    const SplitData data = teacherData();
    const Vector<double> reference = trainedParameters<double>(data);
    const Vector<double> first = trainedParameters<float>(data);
    const Vector<double> second = trainedParameters<float>(data);
    QVERIFY(first == second);  // same seed, same level: the same bits
    const double error = (first - reference).cwiseAbs().maxCoeff();
    QVERIFY2(error < 1e-4, qPrintable(QString::number(error)));
  }
};

QTEST_GUILESS_MAIN(TestKernelLevels)
#include "tst_kernel_levels.moc"
