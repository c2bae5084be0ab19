// The command line, run as a user would: --help, one-line errors with exit code 2 for unknown
// options and bad values, 4 for a missing file, 3 for a diverging run; `run --out` writes the
// session, metrics.csv (its columns and one row per step) and the chart images; `run SESSION
// --steps N` continues the saved run; `export` and `lr-find` work on a saved session; and a
// headless run of a session gives the same losses, bit for bit, as the dashboard's worker.
#include <QtTest>

#include <QCryptographicHash>
#include <QProcess>
#include <QTemporaryDir>

#include "app/cli/headless_run.h"
#include "app/history/history_csv.h"
#include "app/sessions/session_file.h"
#include "app/worker/session_runner.h"

using namespace gradscope::app;

namespace {

struct Result {
  int code = -1;
  QString out, err;
};

Result runGradscope(const QStringList& args, const QString& directory = QString()) {
  QProcess process;
  if (!directory.isEmpty()) process.setWorkingDirectory(directory);
  process.start(QStringLiteral(GRADSCOPE_EXECUTABLE), args);
  process.waitForFinished(300'000);
  return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
          QString::fromUtf8(process.readAllStandardError())};
}

// The same under shell limits (`ulimit` options, e.g. "-v 2000000" for 2 GB of address space or
// "-f 4" for files of at most 4 KB: a full disk as a process sees it, without filling one).
Result runLimited(const QString& limits, const QStringList& args) {
  QString script = QStringLiteral("ulimit %1 && trap '' XFSZ && exec '%2'")
                       .arg(limits, QStringLiteral(GRADSCOPE_EXECUTABLE));
  for (const QString& arg : args) script += QStringLiteral(" '%1'").arg(arg);
  QProcess process;
  process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
  process.waitForFinished(300'000);
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : 128 + 6,
          QString::fromUtf8(process.readAllStandardOutput()),
          QString::fromUtf8(process.readAllStandardError())};
}

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// A complete PNG ends with its IEND chunk; a complete SVG with its closing tag.
bool completeImage(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return false;
  const QByteArray bytes = file.readAll();
  if (path.endsWith(QLatin1String(".png"))) return bytes.endsWith("IEND\xae\x42\x60\x82");
  return bytes.trimmed().endsWith("</svg>");
}

QStringList csvLines(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

const QStringList kSmall{"--set", "data.samples=60", "--set", "model.hidden_layers=2",
                         "--set", "model.width=5",   "--set", "training.batch_size=16"};

}  // namespace

class TestCommandLine : public QObject {
  Q_OBJECT
 private slots:
  void helpDocumentsEverything() {
    const Result r = runGradscope({"--help"});
    QCOMPARE(r.code, 0);
    for (const char* word : {"run", "lr-find", "export", "--scenario", "--set", "--precision",
                             "--epochs", "--steps", "--out", "Exit codes"}) {
      QVERIFY2(r.out.contains(QLatin1String(word)), word);
    }
  }

  void badInputGetsOneLineAndExitTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown option") << QStringList{"run", "--colour"} << "Unknown option";
    QTest::newRow("bad number") << QStringList{"run", "--epochs", "many"} << "--epochs";
    QTest::newRow("unknown setting")
        << QStringList{"run", "--set", "optimizer.speed=1"} << "optimizer.speed: unknown setting";
    QTest::newRow("bad setting value")
        << QStringList{"run", "--set", "training.batch_size=0"} << "training.batch_size";
    QTest::newRow("bad precision") << QStringList{"run", "--precision", "float16"} << "--precision";
    QTest::newRow("unknown scenario") << QStringList{"run", "--scenario", "nope"} << "--scenario";
    QTest::newRow("export without --out") << QStringList{"export", "x.gradscope"} << "--out";
    QTest::newRow("dashboard on an unknown scenario")
        << QStringList{"--show-scenario", "nope"} << "--show-scenario: no scenario 'nope'";
    // "default" is the default experiment: accepted, so the next bad option is the one named.
    QTest::newRow("dashboard on the default experiment")
        << QStringList{"--show-scenario", "default", "--measure-ui", "0"}
        << "--measure-ui: expected seconds";
  }
  void badInputGetsOneLineAndExitTwo() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = runGradscope(args);
    QCOMPARE(r.code, kExitBadInput);
    QStringList lines = r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    lines.removeIf([](const QString& l) { return l.startsWith(QLatin1String("QStandardPaths")); });
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines[0].startsWith(QLatin1String("gradscope: ")) && lines[0].contains(message),
             qPrintable(lines[0]));
  }

  void missingFileIsAnIoError() {
    QCOMPARE(runGradscope({"run", "/nonexistent/x.gradscope"}).code, kExitIoError);
  }

  void invalidSessionIsBadInput() {
    QTemporaryDir dir;
    QFile file(dir.filePath("bad.gradscope"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        R"({"format": "gradscope-session", "version": 2, "runs": [{"state": {"step": -1}}]})");
    file.close();
    const Result r = runGradscope({"run", file.fileName()});
    QCOMPARE(r.code, kExitBadInput);
    QVERIFY2(r.err.contains("runs[0].state.step"), qPrintable(r.err));
  }

  void divergenceExitsThree() {
    const Result r =
        runGradscope(QStringList{"run", "--set", "data.dataset=sine", "--set", "optimizer.type=sgd",
                                 "--set", "optimizer.learning_rate=100", "--set",
                                 "model.activation=relu", "--epochs", "20"} +
                     kSmall);
    QCOMPARE(r.code, kExitDiverged);
    QVERIFY2(r.out.contains("diverged"), qPrintable(r.out));
  }

  void runWritesSessionCsvAndCharts() {
    QTemporaryDir dir;
    const Result r =
        runGradscope(QStringList{"run", "--scenario", "default", "--precision", "float64",
                                 "--epochs", "3", "--out", dir.filePath("out")} +
                     kSmall);
    QCOMPARE(r.code, 0);
    // 60 samples, 20% validation: 48 training samples, 3 batches per epoch.
    const QStringList csv = csvLines(dir.filePath("out/metrics.csv"));
    QCOMPARE(csv.size(), 1 + 9);
    QVERIFY(csv[0].startsWith(QString::fromLatin1(kHistoryCsvStepColumns) + ","));
    QVERIFY(csv[0].contains(QStringLiteral(",layer1_gradient_norm,")));
    QCOMPARE(csv[1].split(',').size(), csv[0].split(',').size());
    for (const char* chart : {"loss.png", "loss.svg", "gradient-flow.png", "learning-rate.svg"}) {
      QVERIFY2(QFileInfo::exists(dir.filePath(QStringLiteral("out/charts/") + chart)), chart);
    }
    QString error;
    const auto session = loadSessionFile(dir.filePath("out/default.gradscope"), &error);
    QVERIFY2(session, qPrintable(error));
    const RunHistory& h = *session->runs[0].history;
    QCOMPARE(h.steps, std::int64_t(9));
    QVERIFY(session->runs[0].config.precision == gradscope::core::Precision::Float64);
    QCOMPARE(session->runs[0].state.value("step").toInt(), 9);
    QVERIFY(session->runs[0].state.value("parameters").toObject().contains("f64"));
    // The session's per-step loss and learning rate are the CSV's, exactly.
    for (int i = 0; i < 9; ++i) {
      const QStringList cells = csv[i + 1].split(',');
      QCOMPARE(cells[2].toDouble(), h.stepValues[int(StepMetric::Loss)][std::size_t(i)]);
      QCOMPARE(cells[5].toDouble(), h.stepValues[int(StepMetric::LearningRate)][std::size_t(i)]);
    }

    // Continue the saved run; export and lr-find read it.
    QCOMPARE(runGradscope({"run", dir.filePath("out/default.gradscope"), "--steps", "4", "--out",
                           dir.filePath("more")})
                 .code,
             0);
    QCOMPARE(csvLines(dir.filePath("more/metrics.csv")).size(), 1 + 13);
    QCOMPARE(runGradscope({"export", dir.filePath("more/default.gradscope"), "--out",
                           dir.filePath("export")})
                 .code,
             0);
    QVERIFY(QFileInfo::exists(dir.filePath("export/charts/loss.png")));
    QCOMPARE(csvLines(dir.filePath("export/metrics.csv")),
             csvLines(dir.filePath("more/metrics.csv")));
    const Result lr =
        runGradscope({"lr-find", dir.filePath("out/default.gradscope"), "--steps", "40"});
    QCOMPARE(lr.code, 0);
    QVERIFY(lr.out.startsWith("learning_rate,loss,smoothed_loss"));
    QVERIFY(lr.out.contains("suggested maximum learning rate: "));
  }

  // A 153-byte file that declares 12 layers of 4096 units and gives 3 weights, alone or eight
  // times: refused from the lengths alone, before any network is built (it used to allocate
  // 4.25 GB per run, and abort with std::bad_alloc where that was not available).
  void hugeDeclaredNetworkIsRefusedWithoutAllocating_data() {
    QTest::addColumn<int>("runs");
    QTest::newRow("one run") << 1;
    QTest::newRow("eight runs") << 8;
  }
  void hugeDeclaredNetworkIsRefusedWithoutAllocating() {
    QFETCH(int, runs);
    QTemporaryDir dir;
    QByteArray list;
    for (int i = 0; i < runs; ++i) {
      list += QByteArray(i ? "," : "") +
              R"({"config": {"model.hidden_layers": 12, "model.width": 4096},
                  "state": {"parameters": [1, 2, 3]}})";
    }
    const QString path = dir.filePath("huge.gradscope");
    QVERIFY(writeFile(path,
                      R"({"format": "gradscope-session", "version": 3, "runs": [)" + list + "]}"));
    const Result r = runLimited(QStringLiteral("-v 2000000"), {"run", path, "--steps", "1"});
    QCOMPARE(r.code, kExitBadInput);
    QVERIFY2(r.err.contains("runs[0].state.parameters: has 3 values, expected 184610817"),
             qPrintable(r.err));
  }

  // A session file over the cap is refused from its size, unread: 2 GB of address space is
  // not enough to read a 1 GiB file into memory and parse it.
  void oversizedSessionIsRefusedUnread() {
    QTemporaryDir dir;
    QFile sparse(dir.filePath("big.gradscope"));
    QVERIFY(sparse.open(QIODevice::WriteOnly));
    QVERIFY(sparse.resize(kMaxSessionBytes + 1));  // sparse: takes no disk space
    sparse.close();
    const Result r = runLimited(QStringLiteral("-v 2000000"), {"run", sparse.fileName()});
    QCOMPARE(r.code, kExitBadInput);
    QVERIFY2(r.err.contains("larger than 1 GiB"), qPrintable(r.err));
  }

  // The network of a session GradScope could not reopen is refused before it is built, with
  // the setting named (it used to be trained and saved as a 1.25 GB session that opening
  // then refused as larger than 1 GiB).
  void networkBeyondASessionIsRefusedUpFront() {
    QTemporaryDir dir;
    const Result r =
        runGradscope({"run", "--precision", "float64", "--set", "model.hidden_layers=3", "--set",
                      "model.width=4096", "--set", "optimizer.type=adam", "--set",
                      "optimizer.amsgrad=true", "--steps", "1", "--out", dir.filePath("out")});
    QCOMPARE(r.code, kExitBadInput);
    QVERIFY2(r.err.contains("gradscope: --set model.width: a network of 33.6 million float64 "
                            "parameters") &&
                 r.err.contains("768 MiB"),
             qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(dir.filePath("out")));
  }

  // A full disk (here: the largest file this process may write) names the file and the
  // operating system's reason, and leaves no truncated session behind.
  void fullDiskNamesTheFileAndLeavesNoTruncatedSession() {
    QTemporaryDir dir;
    const Result r =
        runLimited(QStringLiteral("-f 4"),
                   QStringList{"run", "--epochs", "2", "--out", dir.filePath("out")} + kSmall);
    QCOMPARE(r.code, kExitIoError);
    QVERIFY2(r.err.contains(dir.filePath("out/default.gradscope") + ": File too large"),
             qPrintable(r.err));
    QVERIFY(!r.err.contains("Unknown error"));
    QVERIFY2(!QFileInfo::exists(dir.filePath("out/default.gradscope")),
             "a truncated session was left behind");
  }

  // Chart images are written whole or not at all: room for the session and the CSV but not
  // for the larger images fails on the first of them, and every file in charts/ is complete.
  void chartsAreWrittenWholeOrNotAtAll() {
    QTemporaryDir dir;
    const Result r =
        runLimited(QStringLiteral("-f 40"),
                   QStringList{"run", "--epochs", "2", "--out", dir.filePath("out")} + kSmall);
    QCOMPARE(r.code, kExitIoError);
    QVERIFY2(r.err.contains("charts: cannot write " + dir.filePath("out/charts/")) &&
                 r.err.contains("File too large"),
             qPrintable(r.err));
    const QDir charts(dir.filePath("out/charts"));
    for (const QString& name : charts.entryList(QDir::Files)) {
      QVERIFY2(completeImage(charts.filePath(name)), qPrintable(name + " is truncated"));
    }
  }

  // A session on a CSV file too large to embed, run with --out into another folder: the copy
  // written there points to the file from its new place, so its charts are drawn (they used to
  // fail with "cannot read DIR/points.csv"). When the file has moved away, the command line
  // names it and exits 2.
  void dataFileFollowsTheSessionIntoAnotherFolder() {
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("course/data"));
    QByteArray csv = "x,y,label\n";
    // 3 values a row, more than kMaxEmbeddedFileValues in all: saved by path only.
    for (int i = 0; i < 340000; ++i) {
      csv += QByteArray::number((i % 997) * 0.001) + "," + QByteArray::number((i % 991) * 0.001) +
             (i % 2 ? ",a\n" : ",b\n");
    }
    QVERIFY(writeFile(dir.filePath("course/data/points.csv"), csv));
    const QByteArray sha = QCryptographicHash::hash(csv, QCryptographicHash::Sha256).toHex();
    const QString session = dir.filePath("course/points.gradscope");
    // Written by hand, as a lecturer would: the data by a path relative to the session.
    QByteArray text = "{\"format\": \"gradscope-session\", \"version\": 3, \"runs\": [{";
    text += "\"config\": {\"model.hidden_layers\": 1, \"model.width\": 4}, \"data\": ";
    text += "{\"source\": \"file\", \"path\": \"data/points.csv\", \"sha256\": \"" + sha;
    text += "\"}}]}";
    QVERIFY(writeFile(session, text));
    const Result r = runGradscope({"run", session, "--steps", "2", "--out", dir.filePath("out")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFileInfo::exists(dir.filePath("out/charts/loss.png")));
    QString error;
    const auto copy = loadSessionFile(dir.filePath("out/points.gradscope"), &error);
    QVERIFY2(copy, qPrintable(error));
    QCOMPARE(copy->runs[0].data.path, QStringLiteral("../course/data/points.csv"));
    QVERIFY(!copy->runs[0].data.data);  // not embedded: the path is what finds the data

    QVERIFY(QFile::rename(dir.filePath("course/data/points.csv"), dir.filePath("elsewhere.csv")));
    const Result moved =
        runGradscope({"run", dir.filePath("out/points.gradscope"), "--steps", "1"});
    QCOMPARE(moved.code, kExitBadInput);
    QVERIFY2(moved.err.contains("runs[0].data.path: cannot read " +
                                QDir::cleanPath(dir.filePath("course/data/points.csv"))),
             qPrintable(moved.err));
  }

  // The command line and the dashboard's worker (driven in-process) give the same losses.
  void headlessEqualsInProcessWorker() {
    QTemporaryDir dir;
    QCOMPARE(
        runGradscope(QStringList{"run", "--epochs", "1", "--out", dir.filePath("a")} + kSmall).code,
        0);
    const QString path = dir.filePath("a/default.gradscope");
    QCOMPARE(runGradscope({"run", path, "--steps", "6", "--out", dir.filePath("b")}).code, 0);
    SessionRunner runner;
    QString error;
    QVERIFY(runner.open(std::make_shared<Session>(*loadSessionFile(path)), dir.path(), &error));
    // As the command line does when asked past the plan: the planned epochs grow (1 -> 3).
    gradscope::core::ExperimentConfig config = runner.config();
    config.training.epochs = 3;
    QVERIFY(runner.applyConfig(config));
    runner.train(6);
    const auto mine = runner.history().rawStepSeries(0, StepMetric::Loss, 0, 8);
    QCOMPARE(runner.currentStep(), std::int64_t(9));
    QCOMPARE(mine.size(), std::size_t(9));
    const QStringList csv = csvLines(dir.filePath("b/metrics.csv"));
    QCOMPARE(csv.size(), 1 + 9);
    for (int i = 0; i < 9; ++i) QCOMPARE(csv[i + 1].split(',')[2].toDouble(), mine[std::size_t(i)]);
  }

  // Issue: `--steps 36000000` stopped silently at the 1,000,000-epoch cap and `--epochs` was
  // clamped while `--set training.epochs` was refused. Every path now refuses a request past
  // the limit, before training, with a one-line message saying the limit.
  void limitsAreRefusedTheSameOnEveryPath_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("--set") << QStringList{"run", "--set", "training.epochs=1000001"}
                           << "training.epochs: must be in [1, 1000000]";
    QTest::newRow("--epochs") << QStringList{"run", "--epochs", "1099511627776"}
                              << "--epochs: must be in [1, 1000000]";
    QTest::newRow("--epochs one past")
        << QStringList{"run", "--epochs", "1000001"} << "--epochs: must be in [1, 1000000]";
    // 60 samples less the validation share in batches of 16: 3 steps an epoch.
    QTest::newRow("--steps") << QStringList{"run", "--steps", "36000000"} + kSmall
                             << "--steps: 36000000 more steps from step 0 pass the most a run "
                                "may train, 1000000 epochs of 3 steps (at most 3000000 more)";
    QTest::newRow("lr-find --steps") << QStringList{"lr-find", "--steps", "100001"} + kSmall
                                     << "--steps: must be in [1, 100000]";
  }
  void limitsAreRefusedTheSameOnEveryPath() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const Result r = runGradscope(args + QStringList{"--out", dir.filePath("out")});
    QCOMPARE(r.code, kExitBadInput);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(!r.out.contains("finished"), qPrintable(r.out));
  }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_command_line.moc"
