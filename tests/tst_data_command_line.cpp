// --data and --target on the command line, run as a user would: a CSV file (target by name,
// delimiter detected), an IDX folder with its test pair, a built-in data set for run and
// lr-find, the session written by run --out naming the file by absolute path, and bad files
// refused with one line naming file, line and reason, exit 2, before anything runs.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Result {
  int code = -1;
  QString out, err;
};

Result runGradscope(const QStringList& args) {
  QProcess process;
  process.start(QStringLiteral(GRADSCOPE_EXECUTABLE), args);
  process.waitForFinished(300'000);
  return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
          QString::fromUtf8(process.readAllStandardError())};
}

void appendBigEndian(QByteArray& bytes, quint32 value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += char((value >> shift) & 0xFF);
}

const QStringList kSmall{"--set", "model.hidden_layers=1", "--set", "model.width=4",
                         "--set", "training.batch_size=8"};

}  // namespace

class TestDataCommandLine : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  QString write(const QString& name, const QByteArray& content) {
    const QString path = m_dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    file.write(content);
    return path;
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void helpDocumentsData() {
    const Result r = runGradscope({"--help"});
    QCOMPARE(r.code, 0);
    for (const char* word : {"--data PATH", "--target COLUMN", "builtin:", "fashion-mnist"})
      QVERIFY2(r.out.contains(QLatin1String(word)), word);
  }

  void csvWithTargetRunsAndIsSaved() {
    QByteArray csv = "label;x1;x2\n";
    for (int i = 0; i < 40; ++i)
      csv += QByteArray(i % 2 ? "yes" : "no") + ";" + QByteArray::number(i % 5) + ";" +
             QByteArray::number((i * 7) % 3) + "\n";
    const QString path = write("table.csv", csv);
    const QString out = m_dir.filePath("out");
    const Result r = runGradscope(
        QStringList{"run", "--data", path, "--target", "label", "--steps", "5", "--out", out} +
        kSmall);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile session(out + "/default.gradscope");
    QVERIFY(session.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(session.readAll());
    // The data file's path, written relative to the session's folder (or absolute), leads to it.
    const QJsonObject data = QJsonDocument::fromJson(text.toUtf8())
                                 .object()
                                 .value("runs")
                                 .toArray()
                                 .at(0)
                                 .toObject()
                                 .value("data")
                                 .toObject();
    const QString saved = data.value("path").toString();
    QVERIFY2(!saved.isEmpty(), "the data file's path");
    QCOMPARE(QFileInfo(QDir(out).absoluteFilePath(saved)).canonicalFilePath(),
             QFileInfo(path).canonicalFilePath());
    QVERIFY(text.contains(QLatin1String("\"target_column\": \"label\"")));
    // The saved session opens again and trains on.
    const Result again = runGradscope({"run", out + "/default.gradscope", "--steps", "2"});
    QVERIFY2(again.code == 0, qPrintable(again.err));
  }

  void idxFolderWithTestPair() {
    for (const char* prefix : {"train", "t10k"}) {
      const quint32 count = prefix[0] == 't' && prefix[1] == 'r' ? 30 : 10;
      QByteArray images, labels;
      for (quint32 v : {0x803u, count, 4u, 4u}) appendBigEndian(images, v);
      for (quint32 i = 0; i < count * 16; ++i) images += char((i * 37) % 256);
      for (quint32 v : {0x801u, count}) appendBigEndian(labels, v);
      for (quint32 i = 0; i < count; ++i) labels += char(i % 3);
      write(QStringLiteral("idx/%1-images-idx3-ubyte").arg(prefix), images);
      write(QStringLiteral("idx/%1-labels-idx1-ubyte").arg(prefix), labels);
    }
    const Result r = runGradscope(QStringList{"run", "--data", m_dir.filePath("idx"), "--steps",
                                              "3", "--set", "data.validate_on_test_split=true"} +
                                  kSmall);
    QVERIFY2(r.code == 0, qPrintable(r.err));
  }

  void builtinForRunAndLrFind() {
    const QString out = m_dir.filePath("iris-out");
    const Result run = runGradscope(QStringList{"run", "--data", "builtin:iris", "--steps", "3",
                                                "--set", "data.subset=60", "--out", out} +
                                    kSmall);
    QVERIFY2(run.code == 0, qPrintable(run.err));
    // The session names the built-in set by its configuration (data.dataset): reopened, its
    // network is the set's (4 inputs, 3 classes), not the generator's, so the charts are
    // drawn and it trains on (both once refused its saved weights as the wrong size).
    QVERIFY2(!run.err.contains(QLatin1String("charts: ")), qPrintable(run.err));
    QVERIFY(!QDir(out + "/charts").entryList({"*.png"}).isEmpty());
    const Result again = runGradscope({"run", out + "/default.gradscope", "--steps", "2"});
    QVERIFY2(again.code == 0, qPrintable(again.err));
    const Result find =
        runGradscope(QStringList{"lr-find", "--dataset", "wine", "--steps", "20"} + kSmall);
    QVERIFY2(find.code == 0, qPrintable(find.err));
    QVERIFY(find.out.contains(QLatin1String("suggested maximum learning rate")));
    const Result csv =
        runGradscope(QStringList{"lr-find", "--data", write("lr.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n"),
                                 "--steps", "10"} +
                     kSmall);
    QVERIFY2(csv.code == 0, qPrintable(csv.err));
  }

  void badDataIsOneLineAndExitTwo_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("message");
    QTest::newRow("ragged") << QByteArray("a,y\n1,0\n2,1,5\n") << QStringList{}
                            << "bad.csv:3: expected 2 fields";
    QTest::newRow("non-numeric") << QByteArray("a,y\n1,0\nx,1\n") << QStringList{}
                                 << "bad.csv:3: column 1 'a': 'x' is not a finite number";
    QTest::newRow("empty") << QByteArray() << QStringList{} << "bad.csv: empty file";
    QTest::newRow("header only") << QByteArray("a,y\n") << QStringList{} << "bad.csv: header only";
    QTest::newRow("unknown target") << QByteArray("a,y\n1,0\n2,1\n") << QStringList{"--target", "z"}
                                    << "bad.csv:1: no column named 'z'";
  }
  void badDataIsOneLineAndExitTwo() {
    QFETCH(QByteArray, content);
    QFETCH(QStringList, extra);
    QFETCH(QString, message);
    const Result r = runGradscope(
        QStringList{"run", "--data", write("bad.csv", content), "--steps", "1"} + extra);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    // One line of ours (the platform may add its own warnings).
    QCOMPARE(r.err.count(QLatin1String("gradscope: ")), 1);
  }

  void misuseOfTheOptions() {
    Result r = runGradscope({"run", "--target", "y"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains(QLatin1String("--target: only with --data")));
    r = runGradscope({"run", "--data", m_dir.filePath("missing.csv")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("missing.csv: file not found")), qPrintable(r.err));
    r = runGradscope({"run", "--data", "builtin:mnist"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("--data: 'mnist' is not one of: circle")),
             qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestDataCommandLine)
#include "tst_data_command_line.moc"
