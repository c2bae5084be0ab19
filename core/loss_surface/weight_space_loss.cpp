#include "core/loss_surface/weight_space_loss.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/model/random.h"

namespace gradscope::core {

namespace {

template <typename T>
class NetworkWeightLoss final : public WeightSpaceLoss {
 public:
  NetworkWeightLoss(const Trainer<T>& trainer, Index maxSamples, std::uint64_t seed)
      : m_network(trainer.network()),
        m_loss(makeLoss<T>(trainer.lossKind())),
        m_weights(trainer.network().parameters().template cast<double>()) {
    const Matrix<T>& x = trainer.trainingInputs();
    const Matrix<T>& y = trainer.trainingTargets();
    const Index n = x.cols();
    if (n <= maxSamples) {
      m_x = x;
      m_y = y;
      return;
    }
    std::vector<std::int64_t> order(std::size_t(n), 0);
    std::iota(order.begin(), order.end(), 0);
    Rng rng(seed);
    rng.shuffle(order);
    order.resize(std::size_t(maxSamples));
    std::sort(order.begin(), order.end());
    m_x.resize(x.rows(), maxSamples);
    m_y.resize(y.rows(), maxSamples);
    for (Index i = 0; i < maxSamples; ++i) {
      m_x.col(i) = x.col(Index(order[std::size_t(i)]));
      m_y.col(i) = y.col(Index(order[std::size_t(i)]));
    }
  }

  const Eigen::VectorXd& weights() const override { return m_weights; }
  const ParameterLayout& layout() const override { return m_network.layout(); }
  Index sampleCount() const override { return m_x.cols(); }

  double lossAt(const Eigen::VectorXd& theta) override {
    if (theta.size() != m_network.parameterCount()) {
      throw Error("loss_surface.weights", "expected " + std::to_string(m_network.parameterCount()) +
                                              " weights, got " + std::to_string(theta.size()));
    }
    m_network.parameters() = theta.cast<T>();
    const Index n = m_x.cols();
    if (n == 0) return m_network.regularizationLoss();
    // In chunks, as Trainer::evaluate, so that a large set needs no huge activation matrix.
    const Index chunk = 1024;
    double sum = 0.0;
    for (Index first = 0; first < n; first += chunk) {
      const Index count = std::min(chunk, n - first);
      if (count == n) {
        m_network.forward(m_x, Mode::Inference, m_rng);
        sum += m_network.loss(*m_loss, m_y).data * double(count);
      } else {
        m_xb = m_x.middleCols(first, count);
        m_yb = m_y.middleCols(first, count);
        m_network.forward(m_xb, Mode::Inference, m_rng);
        sum += m_network.loss(*m_loss, m_yb).data * double(count);
      }
    }
    return sum / double(n) + m_network.regularizationLoss();
  }

 private:
  Network<T> m_network;
  std::unique_ptr<Loss<T>> m_loss;
  Eigen::VectorXd m_weights;
  Matrix<T> m_x, m_y, m_xb, m_yb;
  Rng m_rng;  // inference draws nothing; forward() asks for a generator all the same
};

}  // namespace

template <typename T>
std::unique_ptr<WeightSpaceLoss> makeWeightSpaceLoss(const Trainer<T>& trainer, Index maxSamples,
                                                     std::uint64_t seed) {
  if (maxSamples < 1) throw Error("loss_surface.samples", "must be at least 1");
  return std::make_unique<NetworkWeightLoss<T>>(trainer, maxSamples, seed);
}

template std::unique_ptr<WeightSpaceLoss> makeWeightSpaceLoss(const Trainer<float>&, Index,
                                                              std::uint64_t);
template std::unique_ptr<WeightSpaceLoss> makeWeightSpaceLoss(const Trainer<double>&, Index,
                                                              std::uint64_t);

}  // namespace gradscope::core
