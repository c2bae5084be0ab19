// The samples a trainer reads, in its scalar type: immutable once made, and shared rather than
// copied. 55,000 Fashion-MNIST images are 170 MB in float; the runs of a comparison that see
// the same data, and every copy of a trainer (the LR range test, a fork), read one block.
#pragma once

#include <memory>

#include "core/data/dataset.h"
#include "core/model/types.h"

namespace gradscope::core {

template <typename T>
struct TrainerData {
  Matrix<T> trainX, trainY;  // one sample per column, as the network sees it
  Matrix<T> validX, validY;  // 0 columns when there is no validation set
};

// The data sets converted to T (an empty validation set stays empty).
template <typename T>
std::shared_ptr<const TrainerData<T>> makeTrainerData(const Dataset& train,
                                                      const Dataset& validation);

}  // namespace gradscope::core
