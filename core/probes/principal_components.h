// Principal component analysis (Pearson 1901; Jolliffe, Principal Component Analysis): the
// directions of largest variance of a cloud of points, and the points projected on them. Used
// to draw a layer's activations (one point per sample, one dimension per unit) in two
// dimensions, and a training trajectory of many weights sampled a few dozen times (computed
// from the samples x samples Gram matrix when there are more features than samples).
//
//   mean   = (1/n) sum_i x_i
//   C      = (1/(n-1)) sum_i (x_i - mean)(x_i - mean)^T      (features x features)
//   C v_k  = lambda_k v_k, lambda_1 >= lambda_2 >= ...       (symmetric eigenproblem)
//   y_ik   = v_k . (x_i - mean)
//
// An eigenvector's sign is arbitrary; each is flipped so that its largest-magnitude entry is
// positive, so that a live projection does not mirror itself from one refresh to the next.
#pragma once

#include <Eigen/Core>

namespace gradscope::core {

struct PrincipalComponents {
  Eigen::VectorXd mean;        // features
  Eigen::MatrixXd directions;  // features x components, orthonormal columns
  Eigen::VectorXd variances;   // components: the eigenvalues lambda_k, largest first
  double totalVariance = 0.0;  // trace of C: variances / totalVariance is the explained share
  Eigen::MatrixXd projection;  // components x samples
};

// The first `components` principal components of `data` (features x samples, one sample per
// column). Fewer components come back when there are fewer features; with fewer than two
// samples every variance is 0 and the projection is 0.
PrincipalComponents principalComponents(const Eigen::MatrixXd& data, int components);

}  // namespace gradscope::core
