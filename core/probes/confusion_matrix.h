// A confusion matrix: how often samples of each true class were predicted as each class. Row k
// counts the samples whose true class is k, column j those predicted as j, so the diagonal holds
// the correct predictions (scikit-learn's confusion_matrix convention: rows true, columns
// predicted). Per-class accuracy is the diagonal over the row sum (the class's recall).
#pragma once

#include <cstdint>
#include <vector>

namespace gradscope::core {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int classes = 0);

  int classCount() const { return m_classes; }
  // Counts one sample; classes outside [0, classCount()) are ignored.
  void add(int trueClass, int predictedClass);
  std::int64_t count(int trueClass, int predictedClass) const;
  std::int64_t total() const { return m_total; }
  std::int64_t classTotal(int trueClass) const;  // the row sum
  // Share of the samples of `trueClass` predicted correctly; NaN when the class has none.
  double classAccuracy(int trueClass) const;
  double accuracy() const;  // NaN without samples
  // Row-major counts, classCount() x classCount().
  const std::vector<std::int64_t>& counts() const { return m_counts; }

 private:
  int m_classes = 0;
  std::int64_t m_total = 0;
  std::vector<std::int64_t> m_counts;
};

// The matrix of paired class lists (the shorter length counts).
ConfusionMatrix confusionMatrix(const std::vector<int>& trueClasses,
                                const std::vector<int>& predictedClasses, int classes);

}  // namespace gradscope::core
