#include "core/layers/dense_layer.h"

#include <algorithm>

#include "core/kernels/matrix_product.h"
#include "core/layers/initializer.h"

namespace gradscope::core {

namespace {

// out = m.rowwise().sum(), faster: Eigen sums the rows left over after its vector-sized
// blocks (4 of 100) one strided scalar at a time, more than half of the bias gradient's
// time. Here blocks of kBlock rows accumulate in registers across all columns, the last
// block overlapping the one before it rather than leaving rows over (each row is summed in
// the same order either way). 64-row blocks keep four independent additions in flight.
template <Index kBlock, typename T>
void sumOfColumnsInBlocks(const Matrix<T>& m, Eigen::Map<Vector<T>>& out) {
  for (Index i = 0; i < m.rows(); i += kBlock) {
    const Index first = std::min(i, m.rows() - kBlock);
    Eigen::Matrix<T, kBlock, 1> sum = Eigen::Matrix<T, kBlock, 1>::Zero();
    for (Index j = 0; j < m.cols(); ++j) sum += m.col(j).template segment<kBlock>(first);
    out.template segment<kBlock>(first) = sum;
  }
}

template <typename T>
void sumOfColumns(const Matrix<T>& m, Eigen::Map<Vector<T>> out) {
  if (m.rows() >= 64) {
    sumOfColumnsInBlocks<64>(m, out);
  } else if (m.rows() >= 16) {
    sumOfColumnsInBlocks<16>(m, out);
  } else {
    out = m.rowwise().sum();
  }
}

}  // namespace

template <typename T>
DenseLayer<T>::DenseLayer(const LayerSpec& spec, Index inputSize)
    : Layer<T>(spec, inputSize), m_activation(makeActivation<T>(spec.activation)) {}

template <typename T>
std::vector<TensorShape> DenseLayer<T>::tensorShapes() const {
  std::vector<TensorShape> shapes{{TensorRole::Kernel, this->m_inputSize, this->m_spec.units}};
  if (this->m_spec.useBias) shapes.push_back({TensorRole::Bias, this->m_spec.units, 1});
  return shapes;
}

template <typename T>
void DenseLayer<T>::bind(T* params, T* grads) {
  m_kernel = params;
  m_kernelGrad = grads;
  if (this->m_spec.useBias) {
    const Index kernelSize = this->m_inputSize * this->m_spec.units;
    m_bias = params + kernelSize;
    m_biasGrad = grads + kernelSize;
  }
}

template <typename T>
void DenseLayer<T>::initialize(Rng& rng) {
  Eigen::MatrixXd values(this->m_inputSize, this->m_spec.units);
  makeInitializer(this->m_spec.kernelInitializer)
      ->fill(values, kernelFans(values.rows(), values.cols()), rng);
  kernel() = values.cast<T>();
  if (this->m_spec.useBias) {
    Eigen::MatrixXd bias(this->m_spec.units, 1);
    // torch.nn.Linear's bias range comes from the kernel's fan_in; Keras's bias
    // initialisers see the bias's own length.
    const Fans fans = this->m_spec.biasInitializer.kind == InitializerKind::PytorchDefault
                          ? kernelFans(values.rows(), values.cols())
                          : vectorFans(bias.rows());
    makeInitializer(this->m_spec.biasInitializer)->fill(bias, fans, rng);
    Eigen::Map<Vector<T>>(m_bias, this->m_spec.units) = bias.col(0).cast<T>();
  }
}

template <typename T>
void DenseLayer<T>::forward(const Matrix<T>& in, Matrix<T>& out, Mode, Rng&) {
  m_z.resize(this->m_spec.units, in.cols());
  multiplyTransposedA<T>(kernel(), in, m_z, this->m_spec.useBias ? m_bias : nullptr);
  m_activation->forward(m_z, out);
}

template <typename T>
void DenseLayer<T>::backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                             Matrix<T>* gradIn) {
  m_activation->backward(m_z, out, gradOut, m_gradZ);
  backwardFromPreActivation(in, m_gradZ, gradIn);
}

template <typename T>
void DenseLayer<T>::backwardFromPreActivation(const Matrix<T>& in, const Matrix<T>& gradZ,
                                              Matrix<T>* gradIn) {
  auto kernelGrad = kernelGradient();
  multiplyTransposedB<T>(in, gradZ, kernelGrad);
  if (this->m_spec.useBias) {
    sumOfColumns(gradZ, Eigen::Map<Vector<T>>(m_biasGrad, this->m_spec.units));
  }
  if (gradIn) {
    gradIn->resize(this->m_inputSize, gradZ.cols());
    multiply<T>(kernel(), gradZ, *gradIn);
  }
}

template <typename T>
void DenseLayer<T>::setActivation(const ActivationSpec& spec) {
  m_activation = makeActivation<T>(spec);
  this->m_spec.activation = spec;
}

template <typename T>
double DenseLayer<T>::regularizationLoss() const {
  if (this->m_spec.l2 == 0.0) return 0.0;
  return this->m_spec.l2 * kernel().template cast<double>().squaredNorm();
}

template <typename T>
void DenseLayer<T>::addRegularizationGradient() {
  if (this->m_spec.l2 == 0.0) return;
  kernelGradient() += T(2 * this->m_spec.l2) * kernel();
}

template class DenseLayer<float>;
template class DenseLayer<double>;

}  // namespace gradscope::core
