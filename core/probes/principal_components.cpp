#include "core/probes/principal_components.h"

#include <Eigen/Eigenvalues>

#include <algorithm>

namespace gradscope::core {

PrincipalComponents principalComponents(const Eigen::MatrixXd& data, int components) {
  PrincipalComponents pca;
  const Eigen::Index features = data.rows(), samples = data.cols();
  const Eigen::Index k = std::clamp<Eigen::Index>(components, 0, features);
  pca.mean = samples > 0 ? Eigen::VectorXd(data.rowwise().mean()) : Eigen::VectorXd::Zero(features);
  const Eigen::MatrixXd centred = data.colwise() - pca.mean;
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(features, features);
  if (samples > 1) {
    covariance.selfadjointView<Eigen::Lower>().rankUpdate(centred, 1.0 / double(samples - 1));
    covariance.triangularView<Eigen::StrictlyUpper>() = covariance.transpose();
  }
  pca.totalVariance = covariance.trace();
  // Eigenvalues come in increasing order: the last k columns, reversed, are the largest.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  pca.directions.resize(features, k);
  pca.variances.resize(k);
  for (Eigen::Index c = 0; c < k; ++c) {
    Eigen::VectorXd v = solver.eigenvectors().col(features - 1 - c);
    Eigen::Index largest = 0;
    v.cwiseAbs().maxCoeff(&largest);
    if (v(largest) < 0) v = -v;
    pca.directions.col(c) = v;
    pca.variances(c) = std::max(0.0, solver.eigenvalues()(features - 1 - c));
  }
  pca.projection = pca.directions.transpose() * centred;
  return pca;
}

}  // namespace gradscope::core
