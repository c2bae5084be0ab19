#include "core/probes/principal_components.h"

#include <Eigen/Eigenvalues>

#include <algorithm>

namespace gradscope::core {

namespace {

// Flips `v` so that its largest-magnitude entry is positive (a stable sign).
Eigen::VectorXd withStableSign(Eigen::VectorXd v) {
  Eigen::Index largest = 0;
  v.cwiseAbs().maxCoeff(&largest);
  if (v(largest) < 0) v = -v;
  return v;
}

}  // namespace

PrincipalComponents principalComponents(const Eigen::MatrixXd& data, int components) {
  PrincipalComponents pca;
  const Eigen::Index features = data.rows(), samples = data.cols();
  const Eigen::Index k = std::clamp<Eigen::Index>(components, 0, features);
  pca.mean = samples > 0 ? Eigen::VectorXd(data.rowwise().mean()) : Eigen::VectorXd::Zero(features);
  const Eigen::MatrixXd centred = data.colwise() - pca.mean;
  pca.directions.resize(features, k);
  pca.variances.resize(k);
  if (samples > 1 && features > samples && k < samples) {
    // Many more features than samples (a trajectory of thousands of weights sampled a few
    // dozen times): the non-zero eigenvalues of C are those of the samples x samples Gram
    // matrix G = X^T X / (n-1), and G u = lambda u gives C (X u) = lambda (X u).
    const Eigen::MatrixXd gram = centred.transpose() * centred / double(samples - 1);
    pca.totalVariance = gram.trace();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram);
    for (Eigen::Index c = 0; c < k; ++c) {
      const Eigen::Index e = samples - 1 - c;
      Eigen::VectorXd v = centred * solver.eigenvectors().col(e);
      const double norm = v.norm();
      v = norm > 0.0 ? Eigen::VectorXd(v / norm) : Eigen::VectorXd::Unit(features, c);
      pca.directions.col(c) = withStableSign(std::move(v));
      pca.variances(c) = std::max(0.0, solver.eigenvalues()(e));
    }
    pca.projection = pca.directions.transpose() * centred;
    return pca;
  }
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(features, features);
  if (samples > 1) {
    covariance.selfadjointView<Eigen::Lower>().rankUpdate(centred, 1.0 / double(samples - 1));
    covariance.triangularView<Eigen::StrictlyUpper>() = covariance.transpose();
  }
  pca.totalVariance = covariance.trace();
  // Eigenvalues come in increasing order: the last k columns, reversed, are the largest.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  for (Eigen::Index c = 0; c < k; ++c) {
    pca.directions.col(c) = withStableSign(solver.eigenvectors().col(features - 1 - c));
    pca.variances(c) = std::max(0.0, solver.eigenvalues()(features - 1 - c));
  }
  pca.projection = pca.directions.transpose() * centred;
  return pca;
}

}  // namespace gradscope::core
