// Real data in the dashboard (offscreen): the Open-data dialog previews a CSV (delimiter and
// header detected, first rows, target column chosen from the list, task detected and
// overridable) and names an IDX pair with its test split; a broken file's one-line message
// disables Load; loading restarts the runs on the data and names it in Recent data, while a
// bad file (or a cancelled load) leaves the running experiment untouched; the Data panel and
// the File menu offer Open data…; dropped data files are recognised.
#include <QtTest>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>

#include "app/data/data_source.h"
#include "small_experiment.h"
#include "ui/panels/open_data_dialog.h"
#include "ui/window/data_opener.h"
#include "ui/window/main_window.h"

using namespace gradscope;
using namespace gradscope::ui;

class TestDataGui : public QObject {
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

  static MainWindow::Options options() {
    MainWindow::Options o;
    o.persistent = false;
    return o;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
  }

  void dialogPreviewsACsv() {
    QByteArray csv = "size;colour;weight;kind\n";
    for (int i = 0; i < 30; ++i)
      csv += QByteArray::number(i) + ";" + QByteArray::number(i % 4) + ";" +
             QByteArray::number(i * 0.5) + ";" + (i % 3 == 0 ? "apple" : "pear") + "\n";
    OpenDataDialog dialog(write("fruit.csv", csv));
    QVERIFY(dialog.error().isEmpty());
    QCOMPARE(dialog.previewTable()->columnCount(), 4);
    QCOMPARE(dialog.previewTable()->rowCount(), 20);
    QCOMPARE(dialog.previewTable()->item(2, 3)->text(), QStringLiteral("pear"));
    QCOMPARE(dialog.targetBox()->count(), 4);
    QCOMPARE(dialog.targetBox()->currentText(), QStringLiteral("kind"));
    QVERIFY(dialog.taskBox()->itemText(0).contains(QLatin1String("binary")));
    // Another target column: the suggestion follows it.
    dialog.targetBox()->setCurrentIndex(2);
    QVERIFY2(dialog.taskBox()->itemText(0).contains(QLatin1String("regression")),
             qPrintable(dialog.taskBox()->itemText(0)));
    dialog.targetBox()->setCurrentIndex(1);
    QVERIFY(dialog.taskBox()->itemText(0).contains(QLatin1String("multi-class")));
    // Overridden: treated as a quantity.
    dialog.taskBox()->setCurrentIndex(dialog.taskBox()->findData(int(core::TaskKind::Regression)));
    const app::DataSource source = dialog.source();
    QCOMPARE(source.targetColumn, QStringLiteral("colour"));
    QCOMPARE(source.task, std::optional(core::TaskKind::Regression));
    QCOMPARE(source.delimiter, char(0));  // detected
    // With 'kind' now a feature, its text cells are refused by name and line.
    try {
      app::loadDataSource(source);
      QFAIL("no error");
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.what()),
               QStringLiteral("fruit.csv:2: column 4 'kind': 'apple' is not a finite number"));
    }
    dialog.targetBox()->setCurrentIndex(3);
    dialog.taskBox()->setCurrentIndex(0);  // detect
    QVERIFY(!dialog.source().task);
    const app::LoadedData loaded = app::loadDataSource(dialog.source());
    QCOMPARE(loaded.data.task, core::TaskKind::Binary);
    QCOMPARE(loaded.data.classNames, (std::vector<std::string>{"apple", "pear"}));
    QCOMPARE(loaded.data.featureCount(), core::Index(3));
  }

  void dialogRefusesABrokenFile() {
    OpenDataDialog dialog(write("broken.csv", "a,y\n1,0\n2,1\n3\n"));
    auto* buttons = dialog.findChild<QDialogButtonBox*>();
    // The preview reads the first rows: the short row 4 is among them.
    QVERIFY2(dialog.error().startsWith(QLatin1String("broken.csv:4: ")),
             qPrintable(dialog.error()));
    QVERIFY(!buttons->button(QDialogButtonBox::Ok)->isEnabled());
  }

  void dialogNamesAnIdxPair() {
    QByteArray images, labels;
    for (quint32 v : {0x803u, 2u, 2u, 2u})
      for (int shift = 24; shift >= 0; shift -= 8) images += char((v >> shift) & 0xFF);
    images += QByteArray(8, '\x10');
    for (quint32 v : {0x801u, 2u})
      for (int shift = 24; shift >= 0; shift -= 8) labels += char((v >> shift) & 0xFF);
    labels += QByteArray("\x01\x02", 2);
    for (const char* prefix : {"train", "t10k"}) {
      write(QStringLiteral("idx/%1-images-idx3-ubyte").arg(prefix), images);
      write(QStringLiteral("idx/%1-labels-idx1-ubyte").arg(prefix), labels);
    }
    OpenDataDialog dialog(m_dir.filePath("idx"));
    QVERIFY(dialog.error().isEmpty());
    const QString summary = dialog.findChild<QLabel*>()->text();
    QVERIFY2(summary.contains(QLatin1String("t10k-images-idx3-ubyte")), qPrintable(summary));
    QCOMPARE(dialog.source().location, m_dir.filePath("idx"));
    QVERIFY(DataOpener::isDataPath(m_dir.filePath("idx")));
    QVERIFY(DataOpener::isDataPath(m_dir.filePath("idx/train-images-idx3-ubyte")));
    QVERIFY(DataOpener::isDataPath(QStringLiteral("/x/table.csv")));
    QVERIFY(!DataOpener::isDataPath(QStringLiteral("/x/run.gradscope")));
    QVERIFY(!DataOpener::isDataPath(QStringLiteral("/x/notes.txt")));  // only through the dialog
  }

  void loadingRestartsTheRunsOnTheData() {
    MainWindow window(smallExperiment(), options());
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    // Offered in the File menu and in the Data panel.
    QVERIFY(window.findChild<QPushButton*>(QStringLiteral("openDataButton")));
    bool inMenu = false;
    for (QAction* menu : window.menuBar()->actions())
      if (menu->menu())
        for (QAction* action : menu->menu()->actions())
          inMenu = inMenu || action == window.dataOpener().openAction();
    QVERIFY(inMenu);

    const core::ExperimentConfig before = window.controller().config();
    // A bad file: one line, nothing changes.
    QSignalSpy failed(&window.dataOpener(), &DataOpener::failed);
    app::DataSource bad;
    bad.location = write("bad.csv", "a,y\n1,0\nzz,1\n");
    window.dataOpener().load(bad);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QVERIFY2(failed[0][0].toString().startsWith(QLatin1String("bad.csv:3: column 1 'a'")),
             qPrintable(failed[0][0].toString()));
    QVERIFY(window.controller().config() == before);
    QVERIFY(!window.dataOpener().isLoading());

    // A good one: the run restarts on it (3 inputs, 3 classes).
    QByteArray csv = "x1,x2,x3,label\n";
    for (int i = 0; i < 60; ++i)
      csv += QByteArray::number(i % 7) + "," + QByteArray::number(i % 5) + "," +
             QByteArray::number(i % 3) + "," + QByteArray::number(i % 3) + "\n";
    QSignalSpy loaded(&window.dataOpener(), &DataOpener::loaded);
    app::DataSource good;
    good.location = write("good.csv", csv);
    window.dataOpener().load(good);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
    QCOMPARE(loaded[0][0].toString(), good.location);
    QVERIFY(app::recentDataFiles().contains(good.location));
    QVERIFY(!window.dataOpener().recentMenu()->actions().isEmpty());
  }
};

QTEST_MAIN(TestDataGui)
#include "tst_data_gui.moc"
