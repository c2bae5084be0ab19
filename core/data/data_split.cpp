// Train/validation split and the Standardizer of data_split.h.
#include "core/data/data_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/model/number_text.h"
#include "core/model/random.h"

namespace gradscope::core {

namespace {

// The samples `indices` of `data`, with every other field copied.
Dataset select(const Dataset& data, const std::vector<std::int64_t>& indices) {
  Dataset part;
  part.task = data.task;
  part.featureNames = data.featureNames;
  part.classNames = data.classNames;
  part.image = data.image;
  part.name = data.name;
  part.source = data.source;
  const Index n = static_cast<Index>(indices.size());
  part.inputs.resize(data.inputs.rows(), n);
  part.targets.resize(data.targets.rows(), n);
  for (Index i = 0; i < n; ++i) {
    const Index source = indices[static_cast<std::size_t>(i)];
    part.inputs.col(i) = data.inputs.col(source);
    part.targets.col(i) = data.targets.col(source);
  }
  return part;
}

}  // namespace

Standardizer Standardizer::identity(Index features) {
  Standardizer s;
  s.m_mean = Eigen::VectorXd::Zero(features);
  s.m_stddev = Eigen::VectorXd::Ones(features);
  return s;
}

void Standardizer::fit(const Eigen::MatrixXd& inputs) {
  if (inputs.cols() == 0) throw Error("standardizer", "cannot fit on 0 samples");
  m_mean = inputs.rowwise().mean();
  // Two passes (mean, then squared deviations) avoid the cancellation of E[x^2] - E[x]^2.
  m_stddev = (inputs.colwise() - m_mean).array().square().rowwise().mean().sqrt();
  for (Index f = 0; f < m_mean.size(); ++f)
    if (m_stddev(f) <= kConstantTolerance * std::max(1.0, std::abs(m_mean(f)))) m_stddev(f) = 1.0;
}

void Standardizer::restore(Eigen::VectorXd mean, Eigen::VectorXd stddev) {
  if (mean.size() != stddev.size())
    throw Error("standardizer", "mean and std have different sizes (" +
                                    std::to_string(mean.size()) + " and " +
                                    std::to_string(stddev.size()) + ")");
  if (!mean.allFinite() || !stddev.allFinite() || (stddev.array() <= 0.0).any())
    throw Error("standardizer", "mean must be finite and std finite and positive");
  m_mean = std::move(mean);
  m_stddev = std::move(stddev);
}

void Standardizer::checkFeatures(Index features) const {
  if (!isFitted()) throw Error("standardizer", "used before it was fitted");
  if (features != m_mean.size())
    throw Error("standardizer", "fitted on " + std::to_string(m_mean.size()) + " features, given " +
                                    std::to_string(features));
}

void Standardizer::apply(Eigen::MatrixXd& inputs) const {
  checkFeatures(inputs.rows());
  inputs.colwise() -= m_mean;
  inputs.array().colwise() /= m_stddev.array();
}

Eigen::MatrixXd Standardizer::transform(const Eigen::MatrixXd& inputs) const {
  Eigen::MatrixXd out = inputs;
  apply(out);
  return out;
}

Eigen::MatrixXd Standardizer::inverseTransform(const Eigen::MatrixXd& standardized) const {
  checkFeatures(standardized.rows());
  Eigen::MatrixXd out = standardized;
  out.array().colwise() *= m_stddev.array();
  out.colwise() += m_mean;
  return out;
}

namespace {

// The samples of `data` a subset keeps: `subset` of them drawn by the seed (from a stream of
// its own, so the validation draw below is the same with or without a subset), in their
// original order; all of them when subset is 0 or not smaller than the data set.
std::vector<std::int64_t> subsetIndices(Index n, Index subset, std::uint64_t seed) {
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  if (subset <= 0 || subset >= n) return all;
  Rng rng(seed ^ 0x9E3779B97F4A7C15ull);
  rng.shuffle(all);
  all.resize(static_cast<std::size_t>(subset));
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace

SplitData splitData(const Dataset& data, const SplitOptions& options) {
  const double fraction = options.validationFraction;
  // The negated test also refuses NaN.
  if (!(fraction >= 0.0 && fraction <= SplitOptions::kMaxValidationFraction))
    throw Error("validationFraction", "must be between 0 and 0.9, got " + formatNumber(fraction));
  if (options.subset < 0 || options.subset > kMaxDatasetSamples)
    throw Error("subset", "must be 0 (all samples) or between 1 and " +
                              std::to_string(kMaxDatasetSamples) + ", got " +
                              std::to_string(options.subset));
  const Index all = data.sampleCount();
  if (data.targets.cols() != all)
    throw Error("dataset", std::to_string(all) + " input samples but " +
                               std::to_string(data.targets.cols()) + " targets");
  if (all == 0) throw Error("dataset", "has no samples");
  const std::vector<std::int64_t> kept = subsetIndices(all, options.subset, options.seed);
  const Index n = static_cast<Index>(kept.size());
  const bool useTest =
      options.validateOnTestSplit && data.testSplit && data.testSplit->sampleCount() > 0;

  SplitData split;
  if (useTest) {
    // The data set's own test samples validate; a subset takes the same share of them.
    const Dataset& test = *data.testSplit;
    if (test.featureCount() != data.featureCount() || test.outputCount() != data.outputCount())
      throw Error("dataset", "the test split has " + std::to_string(test.featureCount()) +
                                 " inputs and " + std::to_string(test.outputCount()) +
                                 " outputs, the training data " +
                                 std::to_string(data.featureCount()) + " and " +
                                 std::to_string(data.outputCount()));
    const Index testCount =
        n == all ? test.sampleCount()
                 : std::max<Index>(1, test.sampleCount() * n / std::max<Index>(all, 1));
    split.train = select(data, kept);
    split.validation = select(test, subsetIndices(test.sampleCount(), testCount, options.seed));
  } else {
    if (fraction > 0.0 && n < 2)
      throw Error("dataset", "a validation split needs at least 2 samples, found 1");
    // At least one sample on each side whenever a validation set was asked for.
    Index validationCount = 0;
    if (fraction > 0.0)
      validationCount = std::clamp<Index>(std::llround(fraction * double(n)), 1, n - 1);

    std::vector<std::int64_t> order = kept;
    Rng rng(options.seed);
    rng.shuffle(order);
    std::vector<std::int64_t> validation(order.begin(), order.begin() + validationCount);
    std::vector<std::int64_t> train(order.begin() + validationCount, order.end());
    std::sort(validation.begin(), validation.end());
    std::sort(train.begin(), train.end());
    split.train = select(data, train);
    split.validation = select(data, validation);
  }
  if (options.standardize) {
    split.standardizer.fit(split.train.inputs);
    split.standardizer.apply(split.train.inputs);
    if (split.validation.sampleCount() > 0) split.standardizer.apply(split.validation.inputs);
  } else {
    split.standardizer = Standardizer::identity(data.featureCount());
  }
  return split;
}

}  // namespace gradscope::core
