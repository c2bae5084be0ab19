// The sums behind a layer's activation probes (mean and standard deviation of its
// pre-activations z and activations a, and how many elements are saturated), taken in one
// pass over z and a: the probes run on every layer at every step, and reading z and a once
// rather than three times halved their cost on 100-unit sigmoid layers. Display statistics:
// the cancellation of E[x^2] - mean^2 when |mean| >> std is accepted.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/model/types.h"

namespace gradscope::core {

struct ActivationSums {
  Index count = 0;  // elements of z (and of a)
  double zSum = 0.0, zSquares = 0.0;
  double aSum = 0.0, aSquares = 0.0;
  Index derivativeBelow = 0;  // elements whose f'(z) is below the saturation threshold

  double zMean() const { return count > 0 ? zSum / double(count) : 0.0; }
  double aMean() const { return count > 0 ? aSum / double(count) : 0.0; }
  double zStd() const { return deviation(zSum, zSquares); }
  double aStd() const { return deviation(aSum, aSquares); }

 private:
  double deviation(double sum, double squares) const {
    if (count <= 0) return 0.0;
    const double mean = sum / double(count);
    return std::sqrt(std::max(0.0, squares / double(count) - mean * mean));
  }
};

// The sums over z and a (same size), counting the elements i with below(i). Partial sums
// run in lanes of T (two 512-bit registers per sum for float), which the compiler
// vectorises, and are added up in double at the end; counts run in 32-bit lanes, flushed
// before they could overflow.
template <typename T, typename Below>
ActivationSums sumActivations(const Matrix<T>& z, const Matrix<T>& a, Below below) {
  constexpr Index kLanes = 64 / Index(sizeof(T));
  constexpr Index kFlush = Index(1) << 24;  // iterations between count flushes
  ActivationSums sums;
  sums.count = z.size();
  const T* zp = z.data();
  const T* ap = a.data();
  T zSum[kLanes] = {}, zSquares[kLanes] = {}, aSum[kLanes] = {}, aSquares[kLanes] = {};
  std::int32_t counts[kLanes] = {};
  const Index whole = z.size() / kLanes * kLanes;
  for (Index start = 0; start < whole; start += kLanes * kFlush) {
    const Index end = std::min(whole, start + kLanes * kFlush);
    for (Index i = start; i < end; i += kLanes) {
      for (Index j = 0; j < kLanes; ++j) {
        const T x = zp[i + j], y = ap[i + j];
        zSum[j] += x;
        zSquares[j] += x * x;
        aSum[j] += y;
        aSquares[j] += y * y;
        counts[j] += below(i + j) ? 1 : 0;
      }
    }
    for (Index j = 0; j < kLanes; ++j) {
      sums.derivativeBelow += counts[j];
      counts[j] = 0;
    }
  }
  for (Index j = 0; j < kLanes; ++j) {
    sums.zSum += double(zSum[j]);
    sums.zSquares += double(zSquares[j]);
    sums.aSum += double(aSum[j]);
    sums.aSquares += double(aSquares[j]);
  }
  for (Index i = whole; i < z.size(); ++i) {
    sums.zSum += double(zp[i]);
    sums.zSquares += double(zp[i]) * double(zp[i]);
    sums.aSum += double(ap[i]);
    sums.aSquares += double(ap[i]) * double(ap[i]);
    sums.derivativeBelow += below(i) ? 1 : 0;
  }
  return sums;
}

}  // namespace gradscope::core
