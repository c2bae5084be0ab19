#include "app/data/builtin_datasets.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <sstream>

#include "core/data/csv_loader.h"
#include "core/data/data_files.h"

namespace gradscope::app {

namespace {

constexpr char kFashionFolder[] = "/usr/share/datasets/fashion-mnist";
constexpr char kFashionPackage[] = "dataset-fashion-mnist";

struct ShippedCsv {
  const char* key;
  const char* file;
  const char* target;
  core::ImageShape image;  // Digits: 8 x 8 grey levels 0..16
  double pixelScale;       // brings pixels into [0, 1]
};

constexpr ShippedCsv kShipped[] = {
    {"iris", ":/datasets/iris.csv", "species", {}, 1.0},
    {"wine", ":/datasets/wine.csv", "cultivar", {}, 1.0},
    {"breast-cancer", ":/datasets/breast_cancer.csv", "diagnosis", {}, 1.0},
    {"digits", ":/datasets/digits.csv", "digit", {8, 8, 1}, 1.0 / 16.0},
};

bool fashionFilesPresent() {
  const QString folder = fashionMnistFolder();
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
    if (!QFileInfo::exists(folder + QLatin1Char('/') + QLatin1String(name))) return false;
  return true;
}

}  // namespace

QString fashionMnistFolder() {
  const QByteArray custom = qgetenv("GRADSCOPE_FASHION_MNIST");
  return custom.isEmpty() ? QString::fromLatin1(kFashionFolder) : QString::fromLocal8Bit(custom);
}

QList<BuiltinDataset> builtinDatasets() {
  QList<BuiltinDataset> sets;
  BuiltinDataset fashion{
      QStringLiteral("fashion-mnist"),
      QStringLiteral("Fashion-MNIST"),
      QStringLiteral("70,000 28×28 images of clothing in 10 classes (60,000 training, 10,000 "
                     "test); Zalando, MIT licence"),
      {}};
  if (!fashionFilesPresent())
    fashion.unavailableReason =
        QStringLiteral("not installed: install the Debian package %1 (its files go to %2)")
            .arg(QLatin1String(kFashionPackage), fashionMnistFolder());
  sets.push_back(fashion);
  sets.push_back({QStringLiteral("iris"),
                  QStringLiteral("Iris"),
                  QStringLiteral("150 flowers, 4 measurements, 3 species (Fisher, 1936)"),
                  {}});
  sets.push_back({QStringLiteral("wine"),
                  QStringLiteral("Wine"),
                  QStringLiteral("178 wines, 13 chemical measurements, 3 cultivars (UCI)"),
                  {}});
  sets.push_back({QStringLiteral("breast-cancer"),
                  QStringLiteral("Breast cancer (Wisconsin)"),
                  QStringLiteral("569 biopsies, 30 cell-nucleus features, benign or malignant "
                                 "(UCI)"),
                  {}});
  sets.push_back({QStringLiteral("digits"),
                  QStringLiteral("Digits (8×8)"),
                  QStringLiteral("1,797 handwritten digits as 8×8 images, 10 classes (UCI)"),
                  {}});
  return sets;
}

const BuiltinDataset* findBuiltinDataset(const QString& key) {
  static const QList<BuiltinDataset> sets = builtinDatasets();
  for (const BuiltinDataset& set : sets)
    if (set.key == key) return &set;
  return nullptr;
}

QString builtinDataFile(const QString& key) {
  if (key == QLatin1String("fashion-mnist"))
    return fashionMnistFolder() + QStringLiteral("/train-images-idx3-ubyte.gz");
  for (const ShippedCsv& shipped : kShipped)
    if (key == QLatin1String(shipped.key)) return QString::fromLatin1(shipped.file);
  return {};
}

core::Dataset loadBuiltinDataset(const QString& key, const core::LoadProgress& progress) {
  const std::string field = kBuiltinPrefix + key.toStdString();
  const QList<BuiltinDataset> sets = builtinDatasets();
  const auto set =
      std::find_if(sets.begin(), sets.end(), [&](const BuiltinDataset& s) { return s.key == key; });
  if (set == sets.end()) {
    QStringList keys;
    for (const BuiltinDataset& s : sets) keys << s.key;
    throw core::Error(field, "no such built-in data set (known: " +
                                 keys.join(QStringLiteral(", ")).toStdString() + ")");
  }
  if (!set->available()) throw core::Error(field, set->unavailableReason.toStdString());

  core::Dataset data;
  if (key == QLatin1String("fashion-mnist")) {
    data = core::loadDataFiles(core::locateDataFiles(fashionMnistFolder().toStdString()), {},
                               progress);
    // Xiao et al. (2017), Table 1.
    const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                            "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                            "Bag",         "Ankle boot"};
    data.classNames = names;
    if (data.testSplit) {
      // Made by loadDataFiles just now and held nowhere else: named in place, not copied.
      const auto test = std::const_pointer_cast<core::Dataset>(data.testSplit);
      test->classNames = names;
      test->name = "Fashion-MNIST (test)";
    }
  } else {
    const auto shipped = std::find_if(std::begin(kShipped), std::end(kShipped),
                                      [&](const ShippedCsv& s) { return key == s.key; });
    QFile file(QString::fromLatin1(shipped->file));
    if (!file.open(QIODevice::ReadOnly))
      throw core::Error(field,
                        "missing from this build (" + file.errorString().toStdString() + ")");
    std::istringstream in(file.readAll().toStdString());
    core::CsvOptions options;
    options.targetColumn = shipped->target;
    data =
        core::parseCsv(in, QFileInfo(file.fileName()).fileName().toStdString(), options, progress);
    data.image = shipped->image;
    if (shipped->pixelScale != 1.0) data.inputs *= shipped->pixelScale;
  }
  data.name = set->name.toStdString();
  data.source = field;
  return data;
}

}  // namespace gradscope::app
