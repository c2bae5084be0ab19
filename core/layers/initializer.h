// Weight initialisers with Keras 3's exact definitions (keras/src/initializers/).
//
// For a Dense kernel of shape (fan_in, fan_out), Keras's VarianceScaling(scale, mode,
// distribution) draws with variance scale / n, where n is fan_in, fan_out or their mean:
//   uniform:            U(-limit, limit), limit = sqrt(3 scale / n)
//   truncated_normal:   N(0, stddev) cut at 2 stddev, stddev = sqrt(scale / n) / .87962566...
//                       (the divisor restores the variance the truncation removes)
// glorot_* = VS(1, fan_avg), he_* = VS(2, fan_in), lecun_* = VS(1, fan_in).
// RandomNormal(mean 0, stddev 0.05) and RandomUniform(-0.05, 0.05) are Keras's defaults;
// Zeros and Constant exist to show the symmetry problem.
// pytorch_default is torch.nn.Linear's reset_parameters: the kernel from
// kaiming_uniform_(a = sqrt 5), which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias
// from the same range with the kernel's fan_in (a Dense layer whose kernel uses it draws its
// bias so too, see buildNetworkSpec).
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "core/model/random.h"
#include "core/model/types.h"

namespace gradscope::core {

enum class InitializerKind {
  Zeros,
  Constant,
  RandomNormal,
  RandomUniform,
  GlorotUniform,
  GlorotNormal,
  HeUniform,
  HeNormal,
  LecunUniform,
  LecunNormal,
  PytorchDefault,
};

std::string_view toString(InitializerKind kind);
std::optional<InitializerKind> initializerKindFromString(std::string_view name);

struct InitializerSpec {
  InitializerKind kind = InitializerKind::GlorotUniform;  // Keras's Dense default
  double value = 0.0;                                     // Constant
  double mean = 0.0;                                      // RandomNormal
  double stddev = 0.05;                                   // RandomNormal
  double minval = -0.05;                                  // RandomUniform
  double maxval = 0.05;                                   // RandomUniform
  bool operator==(const InitializerSpec&) const = default;
};

// Keras's compute_fans: a 2-D kernel (rows, cols) has fan_in = rows, fan_out = cols; a 1-D
// tensor of n values (a bias) has fan_in = fan_out = n.
struct Fans {
  double in = 0;
  double out = 0;
};
inline Fans kernelFans(Index rows, Index cols) { return {double(rows), double(cols)}; }
inline Fans vectorFans(Index n) { return {double(n), double(n)}; }

class Initializer {
 public:
  virtual ~Initializer() = default;
  virtual InitializerKind kind() const = 0;
  // Fills `values` from `rng`; `fans` are those of the tensor being filled.
  virtual void fill(Eigen::MatrixXd& values, Fans fans, Rng& rng) const = 0;
  // The variance of one drawn value for a tensor with these fans (0 for a constant): what the
  // mean-field theory of signal propagation (core/signal/) takes as sigma_w^2 / fan_in.
  virtual double variance(Fans fans) const = 0;
};

// Throws Error naming the field when a parameter is invalid (negative stddev, min > max).
std::unique_ptr<Initializer> makeInitializer(const InitializerSpec& spec);
void validate(const InitializerSpec& spec, const std::string& field);

}  // namespace gradscope::core
