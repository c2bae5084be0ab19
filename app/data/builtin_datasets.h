// The real data sets GradScope offers with one click, beside the generators: Fashion-MNIST
// (read from Debian's dataset-fashion-mnist package) and four small classics compiled in from
// resources/datasets/ (Iris, Wine, Breast cancer, Digits; see the README there).
#pragma once

#include <QList>
#include <QString>

#include "core/data/dataset.h"
#include "core/data/load_progress.h"

namespace gradscope::app {

struct BuiltinDataset {
  QString key;          // "fashion-mnist", "iris", ...: --data builtin:KEY, scenario files
  QString name;         // "Fashion-MNIST"
  QString description;  // one line: samples, inputs, classes, origin
  // Empty when the data set can be loaded; otherwise what to do, e.g. "install the Debian
  // package dataset-fashion-mnist".
  QString unavailableReason;
  bool available() const { return unavailableReason.isEmpty(); }
};

// The prefix that names a built-in data set where a path is expected ("builtin:iris").
inline constexpr char kBuiltinPrefix[] = "builtin:";

QList<BuiltinDataset> builtinDatasets();
// The data set with that key, or null.
const BuiltinDataset* findBuiltinDataset(const QString& key);

// Where Fashion-MNIST's four IDX .gz files are looked for (the Debian package's folder; the
// environment variable GRADSCOPE_FASHION_MNIST overrides it, e.g. for a copy elsewhere).
QString fashionMnistFolder();

// The file whose SHA-256 identifies the data set's content (the compiled-in CSV, or
// Fashion-MNIST's training images), so a session can tell that it changed.
QString builtinDataFile(const QString& key);

// Loads it (names, image shape and class names set; Fashion-MNIST with its 10,000 test images
// as the test split). Throws core::Error naming the data set and the reason.
core::Dataset loadBuiltinDataset(const QString& key, const core::LoadProgress& progress = {});

}  // namespace gradscope::app
