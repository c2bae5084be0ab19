#include "core/optimizers/gradient_clipper.h"

#include "core/probes/vector_norm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace gradscope::core {

void validate(const ClipSettings& settings) {
  if (settings.mode == ClipMode::None) return;
  if (!std::isfinite(settings.threshold) || settings.threshold <= 0.0) {
    throw Error("clip.threshold", "must be a positive finite number");
  }
}

template <typename T>
double GradientClipper<T>::norm(const Eigen::Ref<const Vector<T>>& values) {
  return l2Norm(values.data(), values.size());  // Ref<const Vector> is contiguous
}

namespace {

// cos(g, g') accumulated in double; 1 for a zero vector (nothing to turn).
template <typename Before, typename After>
double cosine(const Before& before, const After& after) {
  const auto b = before.template cast<double>();
  const auto a = after.template cast<double>();
  const double denominator = std::sqrt(b.squaredNorm() * a.squaredNorm());
  if (!(denominator > 0.0)) return 1.0;
  return std::min(1.0, b.dot(a) / denominator);
}

}  // namespace

template <typename T>
ClipResult GradientClipper<T>::apply(Eigen::Ref<Vector<T>> grads, const ParameterLayout& layout,
                                     std::span<const double> tensorNorms) const {
  ClipResult result;
  const bool given = !tensorNorms.empty() && tensorNorms.size() == layout.size();
  if (given) {
    double squares = 0.0;
    for (const double n : tensorNorms) squares += n * n;
    result.normBefore = std::sqrt(squares);
  } else {
    result.normBefore = norm(grads);
  }
  result.normAfter = result.normBefore;
  const double c = m_settings.threshold;

  const bool normMode =
      m_settings.mode == ClipMode::Norm || m_settings.mode == ClipMode::GlobalNorm;
  if (normMode && m_conventions == Conventions::PyTorch) {
    // torch.nn.utils.clip_grad_norm_: scale by min(1, c / (N + 1e-6)); a NaN norm makes every
    // gradient NaN, an infinite one multiplies by 0.
    const double scale = c / (result.normBefore + kPytorchClipNormEpsilon);
    if (!(scale >= 1.0)) {
      const T factor = static_cast<T>(scale);
      for (const auto& tensor : layout) {
        if (tensor.offset < 0 || tensor.offset + tensor.size > grads.size()) continue;
        const auto g = grads.segment(tensor.offset, tensor.size);
        result.directionCosine = std::min(result.directionCosine, cosine(g, g * factor));
      }
      grads *= factor;
      result.clipped = true;
      result.normAfter = norm(grads);
    }
    return result;
  }

  switch (m_settings.mode) {
    case ClipMode::None:
      return result;

    case ClipMode::Value: {
      const T limit = static_cast<T>(c);
      result.clipped = (grads.array().abs() > limit).any();
      if (!result.clipped) break;
      // Each tensor's direction change, before its elements are cut in place.
      for (const auto& tensor : layout) {
        if (tensor.offset < 0 || tensor.size < 0 || tensor.offset + tensor.size > grads.size()) {
          continue;
        }
        const auto g = grads.segment(tensor.offset, tensor.size);
        result.directionCosine =
            std::min(result.directionCosine, cosine(g, g.cwiseMax(-limit).cwiseMin(limit)));
      }
      if (layout.empty()) {
        result.directionCosine = cosine(grads, grads.cwiseMax(-limit).cwiseMin(limit));
      }
      grads = grads.cwiseMax(-limit).cwiseMin(limit);
      break;
    }

    case ClipMode::Norm: {
      Index covered = 0;
      for (std::size_t k = 0; k < layout.size(); ++k) {
        const auto& tensor = layout[k];
        if (tensor.offset < 0 || tensor.size < 0 || tensor.offset + tensor.size > grads.size()) {
          throw Error("clip.layout." + tensor.name, "lies outside the gradient vector");
        }
        covered += tensor.size;
        auto g = grads.segment(tensor.offset, tensor.size);
        const double tensorNorm = given ? tensorNorms[k] : norm(g);
        // Keras: g * c / max(||g||, c); a norm at or below c leaves g as it is. The negated
        // test also catches a NaN norm, which Keras propagates through the division.
        if (!(tensorNorm <= c)) {
          const T scale = static_cast<T>(c / tensorNorm);
          result.directionCosine = std::min(result.directionCosine, cosine(g, g * scale));
          g *= scale;
          result.clipped = true;
        }
      }
      if (covered != grads.size()) {
        throw Error("clip.layout", "covers " + std::to_string(covered) + " of " +
                                       std::to_string(grads.size()) + " gradient values");
      }
      break;
    }

    case ClipMode::GlobalNorm: {
      const double total = result.normBefore;
      if (!std::isfinite(total)) {
        // Keras adds (N - N) to the scale, turning it into NaN for an inf or NaN norm.
        grads.setConstant(std::numeric_limits<T>::quiet_NaN());
        result.clipped = true;
      } else if (total > c) {
        // Keras: scale = c * min(1/N, 1/c) = c / N when N > c.
        const T scale = static_cast<T>(c / total);
        for (const auto& tensor : layout) {
          if (tensor.offset < 0 || tensor.offset + tensor.size > grads.size()) continue;
          const auto g = grads.segment(tensor.offset, tensor.size);
          result.directionCosine = std::min(result.directionCosine, cosine(g, g * scale));
        }
        grads *= scale;
        result.clipped = true;
      }
      break;
    }
  }
  if (result.clipped) result.normAfter = norm(grads);
  return result;
}

template class GradientClipper<float>;
template class GradientClipper<double>;

}  // namespace gradscope::core
