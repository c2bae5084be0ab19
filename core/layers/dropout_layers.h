// Dropout and AlphaDropout (Keras), active only in training mode.
//
// Dropout(rate): keep each unit with probability 1 - rate and scale kept ones by
// 1 / (1 - rate), so the expected activation is unchanged (inverted dropout).
// AlphaDropout(rate) (Klambauer et al. 2017), for SELU networks: dropped units are set to
// SELU's negative saturation value alpha' = -scale * alpha instead of 0, then an affine map
// a x + b restores zero mean and unit variance:
//   a = ((1 - rate) (1 + rate alpha'^2))^-1/2,  b = -a alpha' rate.
// freezeMask(true) reuses the last mask, so that finite-difference gradient checks see the
// same function on every evaluation.
#pragma once

#include "core/model/layer.h"

namespace gradscope::core {

template <typename T>
class DropoutLayer final : public Layer<T> {
 public:
  using Layer<T>::Layer;
  void forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) override;
  void backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                Matrix<T>* gradIn) override;
  void freezeMask(bool frozen) { m_frozen = frozen; }

 private:
  Matrix<T> m_scaledMask;  // keep / (1 - rate), or empty when the last pass was the identity
  bool m_frozen = false;
};

template <typename T>
class AlphaDropoutLayer final : public Layer<T> {
 public:
  using Layer<T>::Layer;
  void forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) override;
  void backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                Matrix<T>* gradIn) override;
  void freezeMask(bool frozen) { m_frozen = frozen; }

 private:
  Matrix<T> m_keep;  // 1 for kept units, 0 for dropped ones
  T m_a = 1;
  bool m_frozen = false;
  bool m_active = false;
};

}  // namespace gradscope::core
