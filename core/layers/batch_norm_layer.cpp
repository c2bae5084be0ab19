#include "core/layers/batch_norm_layer.h"

namespace gradscope::core {

template <typename T>
BatchNormLayer<T>::BatchNormLayer(const LayerSpec& spec, Index inputSize)
    : Layer<T>(spec, inputSize),
      m_frozenGamma(Vector<T>::Ones(inputSize)),
      m_frozenBeta(Vector<T>::Zero(inputSize)),
      m_movingMean(Vector<T>::Zero(inputSize)),
      m_movingVariance(Vector<T>::Ones(inputSize)) {}

template <typename T>
std::vector<TensorShape> BatchNormLayer<T>::tensorShapes() const {
  std::vector<TensorShape> shapes;
  if (learnsGamma()) shapes.push_back({TensorRole::Gamma, this->m_inputSize, 1});
  if (learnsBeta()) shapes.push_back({TensorRole::Beta, this->m_inputSize, 1});
  return shapes;
}

template <typename T>
void BatchNormLayer<T>::bind(T* params, T* grads) {
  Index offset = 0;
  if (learnsGamma()) {
    m_gamma = params;
    m_gammaGrad = grads;
    offset += this->m_inputSize;
  }
  if (learnsBeta()) {
    m_beta = params + offset;
    m_betaGrad = grads + offset;
  }
}

template <typename T>
void BatchNormLayer<T>::initialize(Rng&) {
  // Keras: gamma ones, beta zeros, moving mean zeros, moving variance ones.
  const Index n = this->m_inputSize;
  if (m_gamma) Eigen::Map<Vector<T>>(m_gamma, n).setOnes();
  if (m_beta) Eigen::Map<Vector<T>>(m_beta, n).setZero();
  m_frozenGamma.setOnes(n);
  m_frozenBeta.setZero(n);
  m_movingMean.setZero(n);
  m_movingVariance.setOnes(n);
}

template <typename T>
Vector<T> BatchNormLayer<T>::gamma() const {
  if (m_gamma) return Eigen::Map<const Vector<T>>(m_gamma, this->m_inputSize);
  return m_frozenGamma;
}

template <typename T>
Vector<T> BatchNormLayer<T>::beta() const {
  if (m_beta) return Eigen::Map<const Vector<T>>(m_beta, this->m_inputSize);
  return m_frozenBeta;
}

template <typename T>
void BatchNormLayer<T>::forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng&) {
  const Index n = this->m_inputSize;
  const T eps = static_cast<T>(this->m_spec.epsilon);
  const bool useBatch = mode == Mode::Training && this->m_spec.trainable;
  m_lastForwardUsedBatchStatistics = useBatch;
  if (useBatch) {
    const T count = static_cast<T>(in.cols());
    m_batchMean = in.rowwise().sum() / count;
    m_xhat = in.colwise() - m_batchMean;
    // Biased variance (divide by the batch size), as Keras.
    m_batchVariance = m_xhat.array().square().rowwise().sum() / count;
    m_inverseStd = (m_batchVariance.array() + eps).rsqrt();
    const T momentum = static_cast<T>(this->m_spec.momentum);
    m_movingMean = momentum * m_movingMean + (T(1) - momentum) * m_batchMean;
    if (this->m_spec.unbiasedMovingVariance && in.cols() > 1) {
      // PyTorch: the running variance takes the unbiased n / (n - 1) estimate.
      const T correction = count / (count - T(1));
      m_movingVariance =
          momentum * m_movingVariance + (T(1) - momentum) * (m_batchVariance * correction);
    } else {
      m_movingVariance = momentum * m_movingVariance + (T(1) - momentum) * m_batchVariance;
    }
  } else {
    m_xhat = in.colwise() - m_movingMean;
    m_inverseStd = (m_movingVariance.array() + eps).rsqrt();
  }
  m_xhat = m_inverseStd.asDiagonal() * m_xhat;
  const Vector<T> g = gamma();
  const Vector<T> b = beta();
  out = (g.asDiagonal() * m_xhat).colwise() + b;
  (void)n;
}

template <typename T>
void BatchNormLayer<T>::backward(const Matrix<T>&, const Matrix<T>&, const Matrix<T>& gradOut,
                                 Matrix<T>* gradIn) {
  const Index n = this->m_inputSize;
  if (m_gammaGrad) {
    Eigen::Map<Vector<T>>(m_gammaGrad, n) = (gradOut.array() * m_xhat.array()).rowwise().sum();
  }
  if (m_betaGrad) Eigen::Map<Vector<T>>(m_betaGrad, n) = gradOut.rowwise().sum();
  if (!gradIn) return;
  const Vector<T> g = gamma();
  if (!m_lastForwardUsedBatchStatistics) {
    // The moving statistics are constants, so the layer is affine per feature.
    *gradIn = (g.cwiseProduct(m_inverseStd)).asDiagonal() * gradOut;
    return;
  }
  // With dxhat = dy * gamma, the batch statistics' own dependence on x gives
  // dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
  const T count = static_cast<T>(gradOut.cols());
  const Matrix<T> dxhat = g.asDiagonal() * gradOut;
  const Vector<T> meanDxhat = dxhat.rowwise().sum() / count;
  const Vector<T> meanDxhatXhat = (dxhat.array() * m_xhat.array()).rowwise().sum() / count;
  *gradIn = m_inverseStd.asDiagonal() *
            ((dxhat.colwise() - meanDxhat) - meanDxhatXhat.asDiagonal() * m_xhat);
}

template <typename T>
std::vector<NamedBuffer<T>> BatchNormLayer<T>::buffers() {
  std::vector<NamedBuffer<T>> result;
  if (!learnsGamma() && this->m_spec.scale) result.push_back({"gamma", &m_frozenGamma});
  if (!learnsBeta() && this->m_spec.center) result.push_back({"beta", &m_frozenBeta});
  result.push_back({"moving_mean", &m_movingMean});
  result.push_back({"moving_variance", &m_movingVariance});
  return result;
}

template class BatchNormLayer<float>;
template class BatchNormLayer<double>;

}  // namespace gradscope::core
