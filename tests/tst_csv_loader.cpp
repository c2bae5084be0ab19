// CSV loader: regression and classification files (string and integer labels), quoting, line
// ends, explicit tasks, and one broken file per kind of error, whose message must name the file,
// the line and the reason. Every test writes its own small files.
#include <QtTest>

#include <cstring>
#include <optional>
#include <sstream>
#include <string>

#include "core/data/csv_loader.h"
#include "core/data/data_generators.h"

using gradscope::core::CsvOptions;
using gradscope::core::Dataset;
using gradscope::core::Error;
using gradscope::core::Index;
using gradscope::core::loadCsv;
using gradscope::core::TaskKind;

Q_DECLARE_METATYPE(std::optional<TaskKind>)

class TestCsvLoader : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  std::string write(const QString& name, const QByteArray& content) {
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    file.write(content);
    return path.toStdString();
  }

  Dataset load(const QByteArray& content, const CsvOptions& options = {}) {
    return loadCsv(write("data.csv", content), options);
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void regressionFile() {
    const Dataset data = load("a,b,price\n1,2,0.5\n3,-4,1.25\n5.5,6e2,-7\n");
    QCOMPARE(data.task, TaskKind::Regression);
    QCOMPARE(data.sampleCount(), Index(3));
    QCOMPARE(data.featureCount(), Index(2));
    QCOMPARE(data.outputCount(), Index(1));
    QCOMPARE(data.featureNames, (std::vector<std::string>{"a", "b"}));
    QVERIFY(data.classNames.empty());
    Eigen::MatrixXd inputs(2, 3);
    inputs << 1, 3, 5.5, 2, -4, 600;
    QVERIFY(data.inputs == inputs);
    QCOMPARE(data.targets(0, 0), 0.5);
    QCOMPARE(data.targets(0, 1), 1.25);
    QCOMPARE(data.targets(0, 2), -7.0);
  }

  void stringLabels() {
    const Dataset data = load(
        "sepal length,sepal width,species\n"
        "5.1,3.5,setosa\n6.3,3.3,virginica\n5.9,3.0,versicolor\n4.9,3.0,setosa\n");
    QCOMPARE(data.task, TaskKind::MultiClass);
    // Sorted names, so the class numbering does not depend on row order.
    QCOMPARE(data.classNames, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
    QCOMPARE(data.outputCount(), Index(3));
    QCOMPARE(data.classOf(0), 0);
    QCOMPARE(data.classOf(1), 2);
    QCOMPARE(data.classOf(2), 1);
    QCOMPARE(data.classOf(3), 0);
    QVERIFY((data.targets.colwise().sum().array() == 1.0).all());
  }

  void integerLabelsSortNumerically() {
    const Dataset data = load("x,y\n0.1,10\n0.2,2\n0.3,2\n0.4,10.0\n");
    QCOMPARE(data.task, TaskKind::Binary);
    QCOMPARE(data.classNames, (std::vector<std::string>{"2", "10"}));
    QCOMPARE(data.outputCount(), Index(1));
    QCOMPARE(data.targets(0, 0), 1.0);
    QCOMPARE(data.targets(0, 1), 0.0);
    QCOMPARE(data.targets(0, 3), 1.0);  // "10.0" is the class "10"
  }

  void integerLabelsMultiClass() {
    const Dataset data = load("x,digit\n1,0\n2,1\n3,2\n4,1\n");
    QCOMPARE(data.task, TaskKind::MultiClass);
    QCOMPARE(data.classNames, (std::vector<std::string>{"0", "1", "2"}));
    QCOMPARE(data.classOf(2), 2);
  }

  void targetColumnByName() {
    CsvOptions options;
    options.targetColumn = "label";
    const Dataset data = load("a,label,b\n1,yes,2\n3,no,4\n", options);
    QCOMPARE(data.task, TaskKind::Binary);
    QCOMPARE(data.featureNames, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(data.inputs(1, 1), 4.0);
    QCOMPARE(data.classNames, (std::vector<std::string>{"no", "yes"}));
    QCOMPARE(data.classOf(0), 1);
  }

  void quotedFields() {
    const Dataset data = load(
        "\"width, cm\",height,city\n"
        "\"1.5\",2,\"New York, NY\"\n"
        " \"3\" ,4,\"the \"\"big\"\" one\"\n"
        "5,6,\"two\nlines\"\n");
    QCOMPARE(data.featureNames, (std::vector<std::string>{"width, cm", "height"}));
    QCOMPARE(data.sampleCount(), Index(3));
    QCOMPARE(data.inputs(0, 0), 1.5);
    QCOMPARE(data.inputs(0, 1), 3.0);
    QCOMPARE(data.classNames,
             (std::vector<std::string>{"New York, NY", "the \"big\" one", "two\nlines"}));
  }

  void quotedLineBreaksKeepLineNumbers() {
    try {
      load("a,y\n1,\"x\ny\"\n2,\"z\"\nbad,w\n");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("data.csv:5"));
    }
  }

  void crlfBlankLinesAndByteOrderMark() {
    const Dataset data = load(
        "\xEF\xBB\xBF"
        "a,y\r\n1,0.5\r\n\r\n2,1.5\r\n\r\n\r\n");
    QCOMPARE(data.featureNames, (std::vector<std::string>{"a"}));
    QCOMPARE(data.sampleCount(), Index(2));
    QCOMPARE(data.targets(0, 1), 1.5);
    const Dataset noFinalNewline = load("a,y\n1,2.5\n2,3.5");
    QCOMPARE(noFinalNewline.sampleCount(), Index(2));
  }

  void otherDelimiter() {
    CsvOptions options;
    options.delimiter = ';';
    const Dataset data = load("a;b;y\n1;2;x\n3;4;z\n", options);
    QCOMPARE(data.featureCount(), Index(2));
    QCOMPARE(data.inputs(1, 1), 4.0);
  }

  void explicitTask() {
    CsvOptions options;
    options.task = TaskKind::Regression;
    QCOMPARE(load("a,y\n1,1\n2,2\n3,3\n", options).task, TaskKind::Regression);
    options.task = TaskKind::MultiClass;
    const Dataset twoClasses = load("a,y\n1,0.5\n2,1.5\n3,0.5\n", options);
    QCOMPARE(twoClasses.task, TaskKind::MultiClass);
    QCOMPARE(twoClasses.outputCount(), Index(2));
    QCOMPARE(twoClasses.classNames, (std::vector<std::string>{"0.5", "1.5"}));
  }

  void parseFromStream() {
    std::istringstream in("a,y\n1,0\n2,1\n");
    const Dataset data = gradscope::core::parseCsv(in, "memory.csv");
    QCOMPARE(data.task, TaskKind::Binary);
  }

  void brokenFileNamesLineAndReason_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("target");
    QTest::addColumn<std::optional<TaskKind>>("task");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("reason");
    const std::optional<TaskKind> detect;
    QTest::newRow("empty file") << QByteArray() << "" << detect << "bad.csv"
                                << "empty file";
    QTest::newRow("only blank lines") << QByteArray("\n \n\r\n") << "" << detect << "bad.csv"
                                      << "empty file";
    QTest::newRow("non-numeric value")
        << QByteArray("a,b,y\n1,2,0\n3,abc,1\n") << "" << detect << "bad.csv:3"
        << "column 2 'b': 'abc' is not a finite number";
    QTest::newRow("empty value") << QByteArray("a,y\n1,0\n,1\n") << "" << detect << "bad.csv:3"
                                 << "empty value";
    QTest::newRow("not finite") << QByteArray("a,y\n1,0\nnan,1\n") << "" << detect << "bad.csv:3"
                                << "'nan' is not a finite number";
    QTest::newRow("infinite") << QByteArray("a,y\n1,0\n-inf,1\n") << "" << detect << "bad.csv:3"
                              << "'-inf' is not a finite number";
    QTest::newRow("too few fields")
        << QByteArray("a,b,y\n1,2,0\n1,2\n") << "" << detect << "bad.csv:3"
        << "expected 3 fields as in the header, found 2";
    QTest::newRow("too many fields") << QByteArray("a,y\n1,2,0\n") << "" << detect << "bad.csv:2"
                                     << "expected 2 fields";
    QTest::newRow("missing target column")
        << QByteArray("a,b\n1,2\n3,4\n") << "c" << detect << "bad.csv:1"
        << "no column named 'c'";
    QTest::newRow("ambiguous target")
        << QByteArray("a,a,b\n1,2,3\n3,4,5\n") << "a" << detect << "bad.csv:1"
        << "several columns";
    QTest::newRow("one data row") << QByteArray("a,y\n1,0\n") << "" << detect << "bad.csv"
                                  << "at least 2 data rows, found 1";
    QTest::newRow("header only") << QByteArray("a,y\n") << "" << detect << "bad.csv"
                                 << "header only";
    QTest::newRow("single column") << QByteArray("y\n1\n2\n") << "" << detect << "bad.csv:1"
                                   << "at least 2 columns";
    QTest::newRow("ragged headerless") << QByteArray("1,2\n3,4,5\n") << "" << detect << "bad.csv:2"
                                       << "as in the first row, found 3";
    QTest::newRow("single class") << QByteArray("a,y\n1,cat\n2,cat\n") << "" << detect << "bad.csv"
                                  << "at least 2 classes";
    QTest::newRow("binary needs two classes")
        << QByteArray("a,y\n1,0\n2,1\n3,2\n") << "" << std::optional(TaskKind::Binary) << "bad.csv"
        << "exactly 2 classes, found 3";
    QTest::newRow("text regression target") << QByteArray("a,y\n1,0.5\n2,high\n") << ""
                                            << std::optional(TaskKind::Regression) << "bad.csv:3"
                                            << "'high' is not a number";
    QTest::newRow("empty target") << QByteArray("a,y\n1,0\n2,\n") << "" << detect << "bad.csv:3"
                                  << "empty target";
    QTest::newRow("unclosed quote")
        << QByteArray("a,y\n1,0\n2,\"one\n3,two\n") << "" << detect << "bad.csv:3"
        << "never closed";
    QTest::newRow("text after quote")
        << QByteArray("a,y\n\"1\"2,0\n") << "" << detect << "bad.csv:2"
        << "after a closing quote";

    QByteArray manyClasses = "a,y\n";
    for (int i = 0; i <= 1000; ++i) manyClasses += "1,label" + QByteArray::number(i) + "\n";
    QTest::newRow("too many classes") << manyClasses << "" << detect << "bad.csv:1002"
                                      << "more than 1000 distinct labels";
    QByteArray manyIntegers = "a,y\n";
    for (int i = 0; i <= 1000; ++i) manyIntegers += "1," + QByteArray::number(i) + "\n";
    QTest::newRow("too many integer classes") << manyIntegers << "" << detect << "bad.csv:1002"
                                              << "choose regression";

    QByteArray wide;
    for (Index i = 0; i <= CsvOptions::kMaxColumns; ++i) wide += "c,";
    wide += "y\n";
    QTest::newRow("too many columns") << wide << "" << detect << "bad.csv:1"
                                      << "more than 100000 columns";
  }
  void brokenFileNamesLineAndReason() {
    QFETCH(QByteArray, content);
    QFETCH(QString, target);
    QFETCH(std::optional<TaskKind>, task);
    QFETCH(QString, field);
    QFETCH(QString, reason);
    CsvOptions options;
    options.targetColumn = target.toStdString();
    options.task = task;
    try {
      loadCsv(write("bad.csv", content), options);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.what());
      // The full message reads "file:line: reason".
      QVERIFY(QString(e.what()).startsWith(field + ": "));
    }
  }

  void headerDetected() {
    // Only numbers in the first row: no header, columns named by position.
    const Dataset data = load("1,2,0\n3,4,1\n5,6,0\n");
    QCOMPARE(data.sampleCount(), Index(3));
    QCOMPARE(data.featureNames, (std::vector<std::string>{"column 1", "column 2"}));
    QCOMPARE(data.task, TaskKind::Binary);
    QCOMPARE(data.inputs(0, 0), 1.0);
    CsvOptions byName;
    byName.targetColumn = "column 1";
    byName.task = TaskKind::Regression;
    QCOMPARE(load("1,2,0\n3,4,1\n5,6,0\n", byName).targets(0, 2), 5.0);
    // A header can be demanded; then a numeric first row is an error.
    CsvOptions withHeader;
    withHeader.header = true;
    QVERIFY_THROWS_EXCEPTION(Error, load("1,2\n3,4\n5,6\n", withHeader));
    // And refused: a text first row is then data (and here not numeric).
    CsvOptions noHeader;
    noHeader.header = false;
    QVERIFY_THROWS_EXCEPTION(Error, load("a,y\n1,0\n2,1\n", noHeader));
  }

  void delimiterDetected_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<char>("delimiter");
    QTest::newRow("comma") << QByteArray("a,b,y\n1,2,0\n3,4,1\n") << ',';
    QTest::newRow("semicolon, decimal commas quoted")
        << QByteArray("a;b;y\n1;\"2,5\";0\n3;4;1\n") << ';';
    QTest::newRow("tab") << QByteArray("a\tb\ty\n1\t2\t0\n3\t4\t1\n") << '\t';
    QTest::newRow("bar") << QByteArray("a|b|y\n1|2|0\n3|4|1\n") << '|';
    QTest::newRow("quoted commas") << QByteArray("\"a,x\";b;y\n1;2;0\n3;4;1\n") << ';';
  }
  void delimiterDetected() {
    QFETCH(QByteArray, content);
    QFETCH(char, delimiter);
    std::istringstream in(content.toStdString());
    const auto preview = gradscope::core::previewCsv(in, "data.csv");
    QCOMPARE(preview.delimiter, delimiter);
    QCOMPARE(preview.columns.size(), std::size_t(3));
    if (delimiter != ';' || !content.contains("2,5")) {
      const Dataset data = load(content);
      QCOMPARE(data.featureCount(), Index(2));
      QCOMPARE(data.sampleCount(), Index(2));
    }
  }

  void previewShowsFirstRowsAndSuggestsTheTask() {
    std::istringstream in("x,label\n1,cat\n2,dog\n3,bird\n4,cat\n");
    CsvOptions options;
    options.targetColumn = "label";
    const auto preview = gradscope::core::previewCsv(in, "data.csv", options, 2);
    QCOMPARE(preview.columns, (std::vector<std::string>{"x", "label"}));
    QCOMPARE(preview.rows.size(), std::size_t(2));
    QCOMPARE(preview.rows[1][1], std::string("dog"));
    QCOMPARE(preview.targetIndex, Index(1));
    QCOMPARE(preview.suggestedTask, TaskKind::Binary);
    std::istringstream real("x,y\n1,0.5\n2,0.25\n");
    QCOMPARE(gradscope::core::previewCsv(real, "r.csv").suggestedTask, TaskKind::Regression);
    std::istringstream three("x,y\n1,0\n2,1\n3,2\n");
    const auto multi = gradscope::core::previewCsv(three, "m.csv");
    QCOMPARE(multi.suggestedTask, TaskKind::MultiClass);
    QCOMPARE(multi.suggestedClasses, 3);
  }

  void nulInHeaderKeepsTheWholeMessage() {
    CsvOptions options;
    options.targetColumn = "c";
    try {
      load(QByteArray("a\0b,y\n1,0\n2,1\n", 15), options);
      QFAIL("no error");
    } catch (const Error& e) {
      const std::string message = e.what();
      QCOMPARE(std::strlen(e.what()), message.size());  // no NUL inside
      QVERIFY2(message.find("a\\x00b") != std::string::npos, e.what());
      QVERIFY2(message.ends_with("columns are: a\\x00b, y"), e.what());
    }
  }

  void rowLimitIsTheDocumentedOne() {
    QCOMPARE(CsvOptions::kMaxRows, Index(1'000'000));
    QCOMPARE(CsvOptions::kMaxRows, gradscope::core::DataSpec::kMaxSamples);
    QByteArray content = "a,y\n";
    content.reserve(4 * 1'000'001 + 8);
    for (int i = 0; i < 1'000'000; ++i) content += (i % 2) != 0 ? "1,1\n" : "0,0\n";
    QCOMPARE(load(content).sampleCount(), Index(1'000'000));
    content += "1,1\n";
    try {
      load(content);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("data.csv:1000002"));
      QVERIFY2(QString(e.what()).contains("more than 1000000 data rows"), e.what());
    }
  }

  void chunkBoundariesDoNotMatter() {
    // Several 1 MB chunks, with quoted fields, CRLF line ends and doubled quotes across them.
    QByteArray content = "\"a \"\"x\"\"\";b;y\r\n";
    const int rows = 120'000;
    for (int i = 0; i < rows; ++i)
      content += "\"" + QByteArray::number(i) + ".5\";" + QByteArray::number(i % 7) + ";\"" +
                 QByteArray(i % 2 != 0 ? "odd" : "even") + "\"\r\n";
    int reports = 0;
    const auto progress = [&](double fraction) {
      ++reports;
      return fraction >= 0.0 && fraction <= 1.0;
    };
    const std::string path = write("big.csv", content);
    const Dataset data = loadCsv(path, {}, progress);
    QVERIFY(reports >= 2);
    QCOMPARE(data.featureNames[0], std::string("a \"x\""));
    QCOMPARE(data.sampleCount(), Index(rows));
    for (int i : {0, 1, 54321, rows - 1}) {
      QCOMPARE(data.inputs(0, i), i + 0.5);
      QCOMPARE(data.inputs(1, i), double(i % 7));
      QCOMPARE(data.classOf(i), i % 2 != 0 ? 1 : 0);  // "even" < "odd"
    }
  }

  void cancelStopsTheLoad() {
    QByteArray content = "a,y\n";
    for (int i = 0; i < 400'000; ++i) content += "1,0\n";
    int calls = 0;
    try {
      loadCsv(write("cancel.csv", content), {}, [&](double) { return ++calls < 2; });
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.reason(), std::string(gradscope::core::kLoadCancelled));
    }
  }

  void missingFileAndFolder() {
    try {
      loadCsv(m_dir.filePath("nowhere.csv").toStdString());
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("nowhere.csv"));
      QVERIFY(QString::fromStdString(e.reason()).contains("not found"));
    }
    QVERIFY(QDir(m_dir.path()).mkpath("folder.csv"));
    QVERIFY_THROWS_EXCEPTION(Error, loadCsv(m_dir.filePath("folder.csv").toStdString()));
  }

  void badDelimiterIsRefused() {
    CsvOptions options;
    options.delimiter = '"';
    try {
      load("a,y\n1,0\n2,1\n", options);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("delimiter"));
    }
  }

  void binaryGarbageDoesNotCrash() {
    QByteArray garbage;
    for (int i = 0; i < 20000; ++i) garbage += char((i * 7919 + 13) % 256);
    QVERIFY_THROWS_EXCEPTION(Error, load(garbage));
  }
};

QTEST_GUILESS_MAIN(TestCsvLoader)
#include "tst_csv_loader.moc"
