// Train/validation split, subsets and input standardisation.
//
// A subset (SplitOptions::subset) first keeps that many samples, drawn by the seed. The
// validation set is then either the data set's own test split (when asked for and present;
// with a subset, the same share of it) or a fraction of the kept samples:
// splitData() shuffles the sample indices with a seeded Rng, sends the first
// round(fraction * n) of them to the validation set and the rest to the training set (each
// part keeps the original sample order). The Standardizer is then fitted on the training
// inputs only and applied to both parts, as scikit-learn's StandardScaler used correctly:
//   x' = (x - mean_train) / std_train   (per feature, population std)
// so no statistic of the validation set leaks into training, and the validation mean is not
// forced to 0. Targets are never changed.
#pragma once

#include <cstdint>

#include "core/data/dataset.h"
#include "core/model/types.h"

namespace gradscope::core {

// Per-feature standardisation. A default-constructed Standardizer is unfitted and must not
// be applied; identity() leaves inputs unchanged.
class Standardizer {
 public:
  // Below this std (relative to the feature's magnitude) a feature counts as constant and keeps
  // std 1, so it maps to 0 instead of dividing by (almost) zero.
  static constexpr double kConstantTolerance = 1e-12;

  static Standardizer identity(Index features);
  // Mean and std over the samples (columns) of `inputs` (features x samples, >= 1 sample).
  void fit(const Eigen::MatrixXd& inputs);
  // Restores a fitted state (e.g. from a saved session); sizes must match and std > 0.
  void restore(Eigen::VectorXd mean, Eigen::VectorXd stddev);

  void apply(Eigen::MatrixXd& inputs) const;  // in place
  Eigen::MatrixXd transform(const Eigen::MatrixXd& inputs) const;
  // Back to input units, e.g. to label a decision-boundary plot in the data's own units.
  Eigen::MatrixXd inverseTransform(const Eigen::MatrixXd& standardized) const;

  bool isFitted() const { return m_mean.size() > 0; }
  Index featureCount() const { return m_mean.size(); }
  const Eigen::VectorXd& mean() const { return m_mean; }
  const Eigen::VectorXd& stddev() const { return m_stddev; }

 private:
  void checkFeatures(Index features) const;

  Eigen::VectorXd m_mean;
  Eigen::VectorXd m_stddev;
};

struct SplitOptions {
  double validationFraction = 0.2;  // in [0, kMaxValidationFraction]; 0 = no validation set
  std::uint64_t seed = 1;
  bool standardize = true;  // false: the standardizer is the identity
  // > 0: train on `subset` samples drawn by the seed (e.g. 5,000 of Fashion-MNIST's 60,000),
  // to trade accuracy for speed; 0 = all.
  Index subset = 0;
  // Validate on the data set's own test split (Dataset::testSplit) instead of a fraction of
  // the training data; ignored when the data set has none.
  bool validateOnTestSplit = false;

  static constexpr double kMaxValidationFraction = 0.9;
  bool operator==(const SplitOptions&) const = default;
};

struct SplitData {
  Dataset train;
  Dataset validation;  // 0 samples when validationFraction is 0
  Standardizer standardizer;
};

// Throws Error("validationFraction", ...) outside [0, 0.9] and Error("dataset", ...) for a
// data set too small to split (a non-zero fraction needs 2 samples: one on each side).
SplitData splitData(const Dataset& data, const SplitOptions& options = {});

}  // namespace gradscope::core
