// A data set in memory: inputs and targets, one sample per column, in double precision (the
// trainer converts a batch to its scalar type when it gathers it).
#pragma once

#include <string>
#include <vector>

#include "core/model/types.h"

namespace gradscope::core {

// What the targets mean, which fixes the output activation and the loss:
// Regression -> linear + mean squared error; Binary -> 1 sigmoid unit + binary
// cross-entropy; MultiClass -> softmax over classCount units + categorical cross-entropy.
enum class TaskKind { Regression, Binary, MultiClass };

struct Dataset {
  Eigen::MatrixXd inputs;   // features x samples
  Eigen::MatrixXd targets;  // outputs x samples: values, 0/1, or one-hot rows
  TaskKind task = TaskKind::Regression;
  std::vector<std::string> featureNames;  // optional, one per input row
  std::vector<std::string> classNames;    // MultiClass/Binary: one per class, optional

  Index sampleCount() const { return inputs.cols(); }
  Index featureCount() const { return inputs.rows(); }
  Index outputCount() const { return targets.rows(); }
  // Class index of sample i (MultiClass: argmax of the one-hot column; Binary: 0/1).
  int classOf(Index i) const;
};

}  // namespace gradscope::core
