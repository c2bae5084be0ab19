// `gradscope fork SESSION --at STEP [--set KEY=VALUE ...] --steps N --out DIR`: the fork's
// metrics.csv is byte-identical to the parent's up to STEP and differs after it when a setting
// changed; a fork that changes nothing continues exactly as the parent did (the replay is bit
// for bit); the written session holds the tree of runs (the parent, then the fork with its
// parent and step, named by what differs) and opens again; bad requests get one-line errors.
#include <QtTest>

#include <QTemporaryDir>
#include <QTemporaryFile>

#include <unistd.h>

#include <cstdio>

#include "app/cli/headless_run.h"
#include "app/sessions/session_file.h"

using namespace gradscope::app;

namespace {

const QStringList kSmall{"--set", "data.samples=80", "--set", "model.hidden_layers=2",
                         "--set", "model.width=6",   "--set", "training.batch_size=16"};

// Runs the command line in this process; `errors` receives what it wrote to stderr.
int command(QStringList args, QByteArray* errors = nullptr) {
  args.prepend(QStringLiteral("gradscope"));
  QTemporaryFile captured;
  if (!captured.open()) return -1;
  std::fflush(stderr);
  const int saved = dup(2);
  dup2(captured.handle(), 2);
  const int code = runCommandLine(args);
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  captured.seek(0);
  if (errors) *errors = captured.readAll();
  return code;
}

QList<QByteArray> lines(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return file.readAll().split('\n');
}

// The rows of a metrics.csv up to and including step `step` (the header first).
QList<QByteArray> upTo(const QList<QByteArray>& rows, std::int64_t step) {
  QList<QByteArray> out;
  for (const QByteArray& row : rows) {
    if (!out.isEmpty() && row.split(',').value(0).toLongLong() > step) break;
    out << row;
  }
  return out;
}

}  // namespace

class TestForkCommand : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir m_dir;
  QString m_parent;  // the parent session: 200 steps of a small default experiment

  QString path(const QString& name) const { return m_dir.filePath(name); }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QCOMPARE(command(QStringList{"run"} + kSmall +
                     QStringList{"--steps", "200", "--out", path("parent")}),
             0);
    m_parent = path("parent/default.gradscope");
    QVERIFY(QFile::exists(m_parent));
  }

  void metricsAreTheParentsUpToTheForkStep() {
    QCOMPARE(command({"fork", m_parent, "--at", "120", "--set", "model.activation=relu", "--steps",
                      "60", "--out", path("relu")}),
             0);
    const QList<QByteArray> parent = lines(path("parent/metrics.csv"));
    const QList<QByteArray> fork = lines(path("relu/metrics.csv"));
    QVERIFY(parent.size() > 150);
    // Steps are numbered from 0: the 120 steps before the fork are 0 to 119.
    QCOMPARE(parent.value(1).split(',').value(0), QByteArray("0"));
    const QList<QByteArray> shared = upTo(parent, 119);
    QCOMPARE(shared.size(), 1 + 120);
    QCOMPARE(upTo(fork, 119), shared);  // byte for byte
    // After the fork the runs part: another activation gives other losses.
    QVERIFY(upTo(fork, 120).last() != upTo(parent, 120).last());
    QCOMPARE(fork.value(fork.size() - 2).split(',').value(0), QByteArray("179"));
  }

  void aForkThatChangesNothingContinuesExactly() {
    QCOMPARE(command({"fork", m_parent, "--at", "75", "--steps", "125", "--out", path("same")}), 0);
    // Every step's scalars (the first columns), bit for bit as printed; the costly per-layer
    // probes are taken at steps that depend on their timing, so they are not compared.
    auto scalars = [](const QList<QByteArray>& rows) {
      QList<QByteArray> out;
      for (const QByteArray& row : rows) out << row.split(',').mid(0, 12).join(',');
      return out;
    };
    const QList<QByteArray> parent = lines(path("parent/metrics.csv"));
    const QList<QByteArray> same = lines(path("same/metrics.csv"));
    QCOMPARE(same.size(), parent.size());
    QCOMPARE(scalars(same), scalars(parent));
    QCOMPARE(upTo(same, 74), upTo(parent, 74));  // the shared past, every column
  }

  void theSessionHoldsTheTreeOfRuns() {
    QString error;
    const auto session = loadSessionFile(path("relu/default-fork.gradscope"), &error);
    QVERIFY2(session, qPrintable(error));
    QCOMPARE(int(session->runs.size()), 2);
    QCOMPARE(session->runs[0].forkParent, -1);
    QCOMPARE(session->runs[1].forkParent, 0);
    QCOMPARE(session->runs[1].forkStep, std::int64_t(120));
    QCOMPARE(session->runs[1].label, QStringLiteral("relu from step 120"));
    // Written again, it says the same.
    const Session again = parseSession(sessionBytes(*session));
    QCOMPARE(again.runs[1].forkParent, 0);
    QCOMPARE(again.runs[1].forkStep, std::int64_t(120));
  }

  void refusesABadFork_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("words");
    QTest::newRow("past the run") << QStringList{"--at", "500", "--steps", "5"}
                                  << "--at: the run reached step 200";
    QTest::newRow("no steps") << QStringList{"--at", "5"} << "fork: needs";
    QTest::newRow("negative step") << QStringList{"--at", "-3", "--steps", "5"} << "--at:";
    QTest::newRow("unknown setting")
        << QStringList{"--at", "5", "--steps", "5", "--set", "model.colour=red"}
        << "--set model.colour: unknown setting";
  }
  void refusesABadFork() {
    QFETCH(QStringList, args);
    QFETCH(QString, words);
    QByteArray errors;
    const int code =
        command(QStringList{"fork", m_parent} + args + QStringList{"--out", path("bad")}, &errors);
    QCOMPARE(code, kExitBadInput);
    QVERIFY2(errors.contains(words.toUtf8()), errors.constData());
    QCOMPARE(errors.count('\n'), 1);  // one line
    QVERIFY(!QFile::exists(path("bad")));
  }

  // A parent whose settings changed during training cannot be replayed from its file: said,
  // not forked wrongly.
  void refusesAParentThatCannotBeReplayed() {
    QCOMPARE(command({"run", m_parent, "--set", "optimizer.learning_rate=0.3", "--steps", "50",
                      "--out", path("changed")}),
             0);
    QByteArray errors;
    QCOMPARE(command({"fork", path("changed/default.gradscope"), "--at", "240", "--steps", "5",
                      "--out", path("bad2")},
                     &errors),
             kExitBadInput);
    QVERIFY2(errors.contains("differs from the saved run at step 1 "), errors.constData());
  }
};

QTEST_GUILESS_MAIN(TestForkCommand)
#include "tst_fork_command.moc"
