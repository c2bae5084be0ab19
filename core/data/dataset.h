// A data set in memory: inputs and targets, one sample per column, in double precision (the
// trainer converts a batch to its scalar type when it gathers it).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/model/types.h"

namespace gradscope::core {

// What the targets mean, which fixes the output activation and the loss:
// Regression -> linear + mean squared error; Binary -> 1 sigmoid unit + binary
// cross-entropy; MultiClass -> softmax over classCount units + categorical cross-entropy.
enum class TaskKind { Regression, Binary, MultiClass };

// The documented limits of every data set, generated or loaded (README "Limits"): one limit
// for every path, checked by each loader as the rows arrive.
inline constexpr Index kMaxDatasetSamples = 1'000'000;
inline constexpr Index kMaxDatasetValues = 100'000'000;  // samples x features: 800 MB of doubles

// The pixel layout of a data set whose samples are images: input feature (y * width + x) *
// channels + c holds channel c of pixel (x, y), row by row from the top left, as MNIST's IDX
// files and scikit-learn's digits store them. Loaded pixels lie in [0, 1] (0 = black), before
// any standardisation. All zero when the samples are not images.
struct ImageShape {
  Index width = 0;
  Index height = 0;
  Index channels = 0;  // 1 = grey levels

  bool isImage() const { return width > 0 && height > 0 && channels > 0; }
  Index valueCount() const { return width * height * channels; }
  bool operator==(const ImageShape&) const = default;
};

struct Dataset {
  Eigen::MatrixXd inputs;   // features x samples
  Eigen::MatrixXd targets;  // outputs x samples: values, 0/1, or one-hot rows
  TaskKind task = TaskKind::Regression;
  std::vector<std::string> featureNames;  // optional, one per input row
  std::vector<std::string> classNames;    // MultiClass/Binary: one per class, optional
  ImageShape image;                       // the samples' pixel layout; all 0 for tables
  std::string name;                       // display name: "Fashion-MNIST", "iris.csv", "Two moons"
  std::string source;  // where it came from: a file path, or "built-in" for a shipped set
  // The data set's own test samples when it comes with them (Fashion-MNIST's 10,000), same
  // inputs and outputs; SplitOptions::validateOnTestSplit validates on them.
  std::shared_ptr<const Dataset> testSplit;

  Index sampleCount() const { return inputs.cols(); }
  Index featureCount() const { return inputs.rows(); }
  Index outputCount() const { return targets.rows(); }
  // Class index of sample i (MultiClass: argmax of the one-hot column; Binary: 0/1).
  int classOf(Index i) const;
  // The name of class c: classNames[c] when given, otherwise the number c ("0", "1", ...).
  std::string className(int c) const;
};

}  // namespace gradscope::core
