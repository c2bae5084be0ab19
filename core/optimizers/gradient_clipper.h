// Gradient clipping exactly as Keras's optimiser arguments clipvalue, clipnorm and
// global_clipnorm, applied to the flat gradient vector before the optimiser step.
//
// Reference: keras.optimizers.Optimizer (Keras 3) _clip_gradients, _clip_by_norm and
// clip_by_global_norm. With threshold c, per-tensor gradient g_k and global norm
// N = sqrt(sum_k ||g_k||^2):
//   Value:       g <- min(max(g, -c), c)                 element-wise, changes the direction
//   Norm:        g_k <- g_k * c / max(||g_k||, c)         each weight tensor on its own
//   GlobalNorm:  g <- g * c / max(N, c)                   all tensors together; a non-finite
//                                                          N makes every gradient NaN, as Keras
// The direction change is measured too: for each weight tensor the cosine between its gradient
// before and after clipping, cos = <g, g'> / (||g|| ||g'||); the smallest one is reported. The
// rescaling modes keep every tensor's direction (cos = 1 up to rounding); clipvalue turns a
// tensor whose elements are cut unevenly (the lecture's point).
// PyTorch's clip_grad_norm_ is the global form with c / (N + 1e-6) and has no per-tensor
// variant; clip_grad_value_ matches clipvalue. Under PyTorch's conventions (setConventions)
// both norm modes clip as clip_grad_norm_: g <- g * min(1, c / (N + 1e-6)).
//
// Norms are computed by l2Norm (vector_norm.h): in the gradient's own precision, like Keras,
// rescaled when the squares would underflow, so a float gradient of 1e-30 does not report a
// zero norm. A tensor (or the whole gradient) whose norm does
// not exceed c is left bit-for-bit unchanged; Keras multiplies it by c / c, which can only
// differ in the last bit.
#pragma once

#include <span>

#include "core/model/conventions.h"
#include "core/model/parameter_tensor.h"
#include "core/model/types.h"
#include "core/optimizers/optimizer_settings.h"

namespace gradscope::core {

struct ClipResult {
  double normBefore = 0.0;  // global L2 norm of the gradient before clipping (charted)
  double normAfter = 0.0;   // global L2 norm after clipping
  bool clipped = false;     // clipping changed at least one element (Keras's clip_active)
  // Smallest cosine over the weight tensors between the gradient before and after clipping
  // (1: every tensor kept its direction; a zero gradient counts as kept).
  double directionCosine = 1.0;
};

// Throws Error when the threshold of an active mode is not a positive finite number.
void validate(const ClipSettings& settings);

template <typename T>
class GradientClipper {
 public:
  explicit GradientClipper(const ClipSettings& settings = {}) : m_settings(settings) {}

  const ClipSettings& settings() const { return m_settings; }
  void setSettings(const ClipSettings& settings) { m_settings = settings; }
  // Keras's clipnorm (per tensor) or torch's clip_grad_norm_ (global, + 1e-6).
  Conventions conventions() const { return m_conventions; }
  void setConventions(Conventions conventions) { m_conventions = conventions; }

  // Clips `grads` in place. `layout` names the weight tensors (segments of `grads`); it is
  // used by ClipMode::Norm only and must then cover grads exactly (no gaps, no overlaps).
  // `tensorNorms`, when given, are the norms of layout's tensors in `grads` as they are now
  // (vector_norm.h tensorNorms), which spares computing them again; the global norm is then
  // sqrt(sum of their squares), as Keras's global_norm sums per-tensor squares.
  ClipResult apply(Eigen::Ref<Vector<T>> grads, const ParameterLayout& layout,
                   std::span<const double> tensorNorms = {}) const;

  // sqrt(sum g^2), safe against underflow (vector_norm.h).
  static double norm(const Eigen::Ref<const Vector<T>>& values);

 private:
  ClipSettings m_settings;
  Conventions m_conventions = Conventions::Keras;
};

extern template class GradientClipper<float>;
extern template class GradientClipper<double>;

}  // namespace gradscope::core
