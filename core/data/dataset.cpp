// Dataset helpers: reading a sample's class back from its target column.
#include "core/data/dataset.h"

namespace gradscope::core {

int Dataset::classOf(Index i) const {
  if (i < 0 || i >= targets.cols())
    throw Error("dataset", "sample " + std::to_string(i) + " is out of range (0.." +
                               std::to_string(targets.cols()) + ")");
  switch (task) {
    case TaskKind::Binary:
      // Targets are exactly 0 or 1; the threshold also copes with smoothed labels.
      return targets(0, i) > 0.5 ? 1 : 0;
    case TaskKind::MultiClass: {
      Index best = 0;
      targets.col(i).maxCoeff(&best);
      return static_cast<int>(best);
    }
    case TaskKind::Regression:
      break;
  }
  throw Error("dataset", "a regression data set has no classes");
}

std::string Dataset::className(int c) const {
  if (c >= 0 && static_cast<std::size_t>(c) < classNames.size())
    return classNames[static_cast<std::size_t>(c)];
  return std::to_string(c);
}

}  // namespace gradscope::core
