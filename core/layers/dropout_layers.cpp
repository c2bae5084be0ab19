#include "core/layers/dropout_layers.h"

#include <cmath>

#include "core/layers/activation.h"

namespace gradscope::core {

namespace {
template <typename T>
void drawKeepMask(Matrix<T>& mask, Index rows, Index cols, double rate, Rng& rng) {
  mask.resize(rows, cols);
  // Keras keeps a unit when uniform >= rate.
  for (Index i = 0; i < mask.size(); ++i) mask(i) = rng.uniform() >= rate ? T(1) : T(0);
}
}  // namespace

template <typename T>
void DropoutLayer<T>::forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) {
  const double rate = this->m_spec.rate;
  if (mode != Mode::Training || rate == 0.0) {
    m_scaledMask.resize(0, 0);
    out = in;
    return;
  }
  const bool reuse =
      m_frozen && m_scaledMask.rows() == in.rows() && m_scaledMask.cols() == in.cols();
  if (!reuse) {
    drawKeepMask(m_scaledMask, in.rows(), in.cols(), rate, rng);
    m_scaledMask *= static_cast<T>(1.0 / (1.0 - rate));
  }
  out = in.cwiseProduct(m_scaledMask);
}

template <typename T>
void DropoutLayer<T>::backward(const Matrix<T>&, const Matrix<T>&, const Matrix<T>& gradOut,
                               Matrix<T>* gradIn) {
  if (!gradIn) return;
  if (m_scaledMask.size() == 0) {
    *gradIn = gradOut;
  } else {
    *gradIn = gradOut.cwiseProduct(m_scaledMask);
  }
}

template <typename T>
void AlphaDropoutLayer<T>::forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) {
  const double rate = this->m_spec.rate;
  m_active = mode == Mode::Training && rate > 0.0;
  if (!m_active) {
    out = in;
    return;
  }
  const double alphaP = -kSeluAlpha * kSeluScale;
  const double a = 1.0 / std::sqrt((1.0 - rate) * (1.0 + rate * alphaP * alphaP));
  const double b = -a * alphaP * rate;
  const bool reuse = m_frozen && m_keep.rows() == in.rows() && m_keep.cols() == in.cols();
  if (!reuse) drawKeepMask(m_keep, in.rows(), in.cols(), rate, rng);
  m_a = static_cast<T>(a);
  // a (x keep + alpha' (1 - keep)) + b
  out = (m_a * (in.array() * m_keep.array() + T(alphaP) * (T(1) - m_keep.array())) + T(b)).matrix();
}

template <typename T>
void AlphaDropoutLayer<T>::backward(const Matrix<T>&, const Matrix<T>&, const Matrix<T>& gradOut,
                                    Matrix<T>* gradIn) {
  if (!gradIn) return;
  if (!m_active) {
    *gradIn = gradOut;
  } else {
    *gradIn = m_a * gradOut.cwiseProduct(m_keep);
  }
}

template class DropoutLayer<float>;
template class DropoutLayer<double>;
template class AlphaDropoutLayer<float>;
template class AlphaDropoutLayer<double>;

}  // namespace gradscope::core
