#include "core/probes/confusion_matrix.h"

#include <algorithm>
#include <limits>

namespace gradscope::core {

ConfusionMatrix::ConfusionMatrix(int classes)
    : m_classes(std::max(0, classes)),
      m_counts(std::size_t(m_classes) * std::size_t(m_classes), 0) {}

void ConfusionMatrix::add(int trueClass, int predictedClass) {
  if (trueClass < 0 || trueClass >= m_classes || predictedClass < 0 || predictedClass >= m_classes)
    return;
  ++m_counts[std::size_t(trueClass) * std::size_t(m_classes) + std::size_t(predictedClass)];
  ++m_total;
}

std::int64_t ConfusionMatrix::count(int trueClass, int predictedClass) const {
  if (trueClass < 0 || trueClass >= m_classes || predictedClass < 0 || predictedClass >= m_classes)
    return 0;
  return m_counts[std::size_t(trueClass) * std::size_t(m_classes) + std::size_t(predictedClass)];
}

std::int64_t ConfusionMatrix::classTotal(int trueClass) const {
  std::int64_t sum = 0;
  for (int j = 0; j < m_classes; ++j) sum += count(trueClass, j);
  return sum;
}

double ConfusionMatrix::classAccuracy(int trueClass) const {
  const std::int64_t n = classTotal(trueClass);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  return double(count(trueClass, trueClass)) / double(n);
}

double ConfusionMatrix::accuracy() const {
  if (m_total == 0) return std::numeric_limits<double>::quiet_NaN();
  std::int64_t correct = 0;
  for (int k = 0; k < m_classes; ++k) correct += count(k, k);
  return double(correct) / double(m_total);
}

ConfusionMatrix confusionMatrix(const std::vector<int>& trueClasses,
                                const std::vector<int>& predictedClasses, int classes) {
  ConfusionMatrix matrix(classes);
  const std::size_t n = std::min(trueClasses.size(), predictedClasses.size());
  for (std::size_t i = 0; i < n; ++i) matrix.add(trueClasses[i], predictedClasses[i]);
  return matrix;
}

}  // namespace gradscope::core
