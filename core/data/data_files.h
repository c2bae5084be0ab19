// A data set named by one path, as the command line's --data and the Open-data dialog take
// it: a CSV file, an IDX images file, or a folder holding an IDX pair.
//
// IDX pairs are found by name: "<prefix>-images-idx3-ubyte[.gz]" goes with
// "<prefix>-labels-idx1-ubyte[.gz]" (MNIST, Fashion-MNIST and EMNIST all name them so). When
// the training pair's prefix contains "train", the pair whose prefix has "t10k" or "test"
// in its place is the data set's own test split (Dataset::testSplit). Anything else is read
// as CSV.
#pragma once

#include <string>

#include "core/data/csv_loader.h"
#include "core/data/dataset.h"
#include "core/data/load_progress.h"

namespace gradscope::core {

struct DataFiles {
  enum class Format { Csv, Idx };
  Format format = Format::Csv;
  std::string csv;                       // Csv
  std::string trainImages, trainLabels;  // Idx
  std::string testImages, testLabels;    // Idx: empty when there is no test pair

  bool operator==(const DataFiles&) const = default;
};

// Where the data named by `path` lives; throws Error naming the path and what is missing
// (no such file, a folder without an images file, an images file without its labels).
DataFiles locateDataFiles(const std::string& path);

// Loads them: a CSV with `csv`'s options; an IDX pair with its test pair as testSplit (both
// over the same classes). `maxSamples` > 0 reads only the first images of each IDX file.
Dataset loadDataFiles(const DataFiles& files, const CsvOptions& csv = {},
                      const LoadProgress& progress = {}, Index maxSamples = 0);

}  // namespace gradscope::core
