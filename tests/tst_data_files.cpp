// Data named by one path (--data, Open data…): a CSV file, an IDX images file with its labels
// beside it (plain or .gz), a folder holding an IDX pair, and the test pair as the data set's
// own test split; missing halves named in the error.
#include <QtTest>

#include <cstdint>
#include <string>

#include "core/data/data_files.h"

using gradscope::core::DataFiles;
using gradscope::core::Dataset;
using gradscope::core::Error;
using gradscope::core::Index;
using gradscope::core::loadDataFiles;
using gradscope::core::locateDataFiles;

namespace {

void appendBigEndian(QByteArray& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += char((value >> shift) & 0xFF);
}

QByteArray imagesFile(std::uint32_t count, std::uint32_t side, char pixel) {
  QByteArray bytes;
  for (std::uint32_t v : {0x00000803u, count, side, side}) appendBigEndian(bytes, v);
  return bytes + QByteArray(int(count * side * side), pixel);
}

QByteArray labelsFile(const QByteArray& labels) {
  QByteArray bytes;
  appendBigEndian(bytes, 0x00000801u);
  appendBigEndian(bytes, std::uint32_t(labels.size()));
  return bytes + labels;
}

}  // namespace

class TestDataFiles : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  std::string write(const QString& name, const QByteArray& content) {
    const QString path = m_dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    file.write(content);
    return path.toStdString();
  }
  std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }

  void expectError(const std::string& at, const QString& field, const QString& reason) {
    try {
      loadDataFiles(locateDataFiles(at));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.what());
    }
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void csvFile() {
    const std::string csv = write("table.csv", "a;b;y\n1;2;x\n3;4;z\n");
    const DataFiles files = locateDataFiles(csv);
    QCOMPARE(files.format, DataFiles::Format::Csv);
    gradscope::core::CsvOptions options;
    options.targetColumn = "y";
    const Dataset data = loadDataFiles(files, options);
    QCOMPARE(data.featureCount(), Index(2));
    QCOMPARE(data.classNames, (std::vector<std::string>{"x", "z"}));
    QCOMPARE(data.source, csv);
    QVERIFY(!data.testSplit);
  }

  void idxImagesFileFindsItsLabelsAndTestPair() {
    // Fashion-MNIST's names: training pair .gz-named, the test pair plain.
    write("fashion/train-images-idx3-ubyte.gz", imagesFile(4, 3, '\x40'));
    write("fashion/train-labels-idx1-ubyte.gz", labelsFile(QByteArray("\x00\x01\x02\x03", 4)));
    write("fashion/t10k-images-idx3-ubyte", imagesFile(2, 3, '\x80'));
    write("fashion/t10k-labels-idx1-ubyte", labelsFile(QByteArray("\x0B\x01", 2)));
    const DataFiles files = locateDataFiles(path("fashion/train-images-idx3-ubyte.gz"));
    QCOMPARE(files.format, DataFiles::Format::Idx);
    QCOMPARE(files.trainLabels, path("fashion/train-labels-idx1-ubyte.gz"));
    QCOMPARE(files.testImages, path("fashion/t10k-images-idx3-ubyte"));
    QCOMPARE(files.testLabels, path("fashion/t10k-labels-idx1-ubyte"));
    // The folder names the same files.
    QCOMPARE(locateDataFiles(path("fashion")), files);

    int reports = 0;
    const Dataset data = loadDataFiles(files, {}, [&](double) { return ++reports > 0; });
    QVERIFY(reports >= 2);
    QCOMPARE(data.sampleCount(), Index(4));
    QCOMPARE(data.featureCount(), Index(9));
    QCOMPARE(data.image.width, Index(3));
    QVERIFY(data.testSplit);
    QCOMPARE(data.testSplit->sampleCount(), Index(2));
    // Label 11 in the test pair: both sides get 12 classes.
    QCOMPARE(data.outputCount(), Index(12));
    QCOMPARE(data.testSplit->outputCount(), Index(12));
    QCOMPARE(data.testSplit->classOf(0), 11);
    QCOMPARE(data.testSplit->inputs(0, 1), 128.0 / 255.0);
    // maxSamples reads part of each file.
    QCOMPARE(loadDataFiles(files, {}, {}, 3).sampleCount(), Index(3));
  }

  void emnistNamesAndNoTestPair() {
    write("emnist/emnist-digits-train-images-idx3-ubyte", imagesFile(2, 2, '\x01'));
    write("emnist/emnist-digits-train-labels-idx1-ubyte", labelsFile(QByteArray("\x01\x02", 2)));
    write("emnist/emnist-digits-test-images-idx3-ubyte", imagesFile(1, 2, '\x01'));
    write("emnist/emnist-digits-test-labels-idx1-ubyte", labelsFile(QByteArray("\x03", 1)));
    const DataFiles files = locateDataFiles(path("emnist"));
    QCOMPARE(files.trainImages, path("emnist/emnist-digits-train-images-idx3-ubyte"));
    QCOMPARE(files.testImages, path("emnist/emnist-digits-test-images-idx3-ubyte"));
    write("single/digits-images-idx3-ubyte", imagesFile(2, 2, '\x01'));
    write("single/digits-labels-idx1-ubyte", labelsFile(QByteArray("\x01\x02", 2)));
    const DataFiles single = locateDataFiles(path("single"));
    QVERIFY(single.testImages.empty());
    QCOMPARE(loadDataFiles(single).sampleCount(), Index(2));
  }

  void missingPiecesAreNamed() {
    expectError(path("nowhere.csv"), "nowhere.csv", "not found");
    QDir().mkpath(m_dir.filePath("empty"));
    expectError(path("empty"), "empty", "no IDX images file");
    write("lonely/train-images-idx3-ubyte", imagesFile(2, 2, '\x01'));
    expectError(path("lonely/train-images-idx3-ubyte"), "train-images-idx3-ubyte",
                "train-labels-idx1-ubyte");
    write("two/a-images-idx3-ubyte", imagesFile(2, 2, '\x01'));
    write("two/b-images-idx3-ubyte", imagesFile(2, 2, '\x01'));
    expectError(path("two"), "two", "several");
  }

  void testPairOfAnotherShapeIsRefused() {
    write("mixed/train-images-idx3-ubyte", imagesFile(2, 3, '\x01'));
    write("mixed/train-labels-idx1-ubyte", labelsFile(QByteArray("\x01\x02", 2)));
    write("mixed/t10k-images-idx3-ubyte", imagesFile(2, 2, '\x01'));
    write("mixed/t10k-labels-idx1-ubyte", labelsFile(QByteArray("\x01\x02", 2)));
    expectError(path("mixed"), "t10k-images-idx3-ubyte", "training images are 3 x 3");
  }
};

QTEST_GUILESS_MAIN(TestDataFiles)
#include "tst_data_files.moc"
