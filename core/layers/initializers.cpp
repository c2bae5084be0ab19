// The initialiser family (see initializer.h for the formulas).
#include <cmath>

#include "core/layers/initializer.h"

namespace gradscope::core {

namespace {

class ConstantInitializer final : public Initializer {
 public:
  ConstantInitializer(InitializerKind kind, double value) : m_kind(kind), m_value(value) {}
  InitializerKind kind() const override { return m_kind; }
  void fill(Eigen::MatrixXd& values, Fans, Rng&) const override { values.setConstant(m_value); }
  double variance(Fans) const override { return 0.0; }

 private:
  InitializerKind m_kind;
  double m_value;
};

class RandomNormalInitializer final : public Initializer {
 public:
  RandomNormalInitializer(double mean, double stddev) : m_mean(mean), m_stddev(stddev) {}
  InitializerKind kind() const override { return InitializerKind::RandomNormal; }
  void fill(Eigen::MatrixXd& values, Fans, Rng& rng) const override {
    for (Index i = 0; i < values.size(); ++i) values(i) = rng.normal(m_mean, m_stddev);
  }
  double variance(Fans) const override { return m_stddev * m_stddev; }

 private:
  double m_mean;
  double m_stddev;
};

class RandomUniformInitializer final : public Initializer {
 public:
  RandomUniformInitializer(double low, double high) : m_low(low), m_high(high) {}
  InitializerKind kind() const override { return InitializerKind::RandomUniform; }
  void fill(Eigen::MatrixXd& values, Fans, Rng& rng) const override {
    for (Index i = 0; i < values.size(); ++i) values(i) = rng.uniform(m_low, m_high);
  }
  // The variance of U(low, high).
  double variance(Fans) const override { return (m_high - m_low) * (m_high - m_low) / 12.0; }

 private:
  double m_low;
  double m_high;
};

enum class FanMode { In, Average };
enum class Distribution { Uniform, TruncatedNormal };

class VarianceScalingInitializer final : public Initializer {
 public:
  VarianceScalingInitializer(InitializerKind kind, double scale, FanMode mode,
                             Distribution distribution)
      : m_kind(kind), m_scale(scale), m_mode(mode), m_distribution(distribution) {}
  InitializerKind kind() const override { return m_kind; }
  // Both distributions are scaled to have exactly this variance (see fill()).
  double variance(Fans fans) const override {
    const double n = std::max(1.0, m_mode == FanMode::In ? fans.in : (fans.in + fans.out) / 2);
    return m_scale / n;
  }
  void fill(Eigen::MatrixXd& values, Fans fans, Rng& rng) const override {
    const double variance = this->variance(fans);
    if (m_distribution == Distribution::Uniform) {
      const double limit = std::sqrt(3.0 * variance);
      for (Index i = 0; i < values.size(); ++i) values(i) = rng.uniform(-limit, limit);
    } else {
      // Keras: the std of a unit normal truncated to [-2, 2] is .87962566103423978, so
      // dividing by it makes the truncated draw have the intended variance.
      const double stddev = std::sqrt(variance) / 0.87962566103423978;
      for (Index i = 0; i < values.size(); ++i) values(i) = rng.truncatedNormal(0.0, stddev);
    }
  }

 private:
  InitializerKind m_kind;
  double m_scale;
  FanMode m_mode;
  Distribution m_distribution;
};

constexpr InitializerKind kAllKinds[] = {
    InitializerKind::Zeros,         InitializerKind::Constant,      InitializerKind::RandomNormal,
    InitializerKind::RandomUniform, InitializerKind::GlorotUniform, InitializerKind::GlorotNormal,
    InitializerKind::HeUniform,     InitializerKind::HeNormal,      InitializerKind::LecunUniform,
    InitializerKind::LecunNormal,   InitializerKind::PytorchDefault};

}  // namespace

std::string_view toString(InitializerKind kind) {
  switch (kind) {
    case InitializerKind::Zeros:
      return "zeros";
    case InitializerKind::Constant:
      return "constant";
    case InitializerKind::RandomNormal:
      return "random_normal";
    case InitializerKind::RandomUniform:
      return "random_uniform";
    case InitializerKind::GlorotUniform:
      return "glorot_uniform";
    case InitializerKind::GlorotNormal:
      return "glorot_normal";
    case InitializerKind::HeUniform:
      return "he_uniform";
    case InitializerKind::HeNormal:
      return "he_normal";
    case InitializerKind::LecunUniform:
      return "lecun_uniform";
    case InitializerKind::LecunNormal:
      return "lecun_normal";
    case InitializerKind::PytorchDefault:
      return "pytorch_default";
  }
  return "zeros";
}

std::optional<InitializerKind> initializerKindFromString(std::string_view name) {
  for (auto kind : kAllKinds) {
    if (toString(kind) == name) return kind;
  }
  return std::nullopt;
}

void validate(const InitializerSpec& spec, const std::string& field) {
  auto finite = [](double x) { return std::isfinite(x); };
  if (spec.kind == InitializerKind::Constant && !finite(spec.value)) {
    throw Error(field + ".value", "must be a finite number");
  }
  if (spec.kind == InitializerKind::RandomNormal) {
    if (!finite(spec.mean)) throw Error(field + ".mean", "must be a finite number");
    if (!(spec.stddev >= 0.0 && spec.stddev <= 1e3)) {
      throw Error(field + ".stddev", "must be in [0, 1000]");
    }
  }
  if (spec.kind == InitializerKind::RandomUniform) {
    if (!finite(spec.minval) || !finite(spec.maxval) || spec.minval > spec.maxval) {
      throw Error(field + ".minval", "must be finite and not above maxval");
    }
  }
}

std::unique_ptr<Initializer> makeInitializer(const InitializerSpec& spec) {
  validate(spec, "initializer");
  using K = InitializerKind;
  switch (spec.kind) {
    case K::Zeros:
      return std::make_unique<ConstantInitializer>(K::Zeros, 0.0);
    case K::Constant:
      return std::make_unique<ConstantInitializer>(K::Constant, spec.value);
    case K::RandomNormal:
      return std::make_unique<RandomNormalInitializer>(spec.mean, spec.stddev);
    case K::RandomUniform:
      return std::make_unique<RandomUniformInitializer>(spec.minval, spec.maxval);
    case K::GlorotUniform:
      return std::make_unique<VarianceScalingInitializer>(K::GlorotUniform, 1.0, FanMode::Average,
                                                          Distribution::Uniform);
    case K::GlorotNormal:
      return std::make_unique<VarianceScalingInitializer>(K::GlorotNormal, 1.0, FanMode::Average,
                                                          Distribution::TruncatedNormal);
    case K::HeUniform:
      return std::make_unique<VarianceScalingInitializer>(K::HeUniform, 2.0, FanMode::In,
                                                          Distribution::Uniform);
    case K::HeNormal:
      return std::make_unique<VarianceScalingInitializer>(K::HeNormal, 2.0, FanMode::In,
                                                          Distribution::TruncatedNormal);
    case K::LecunUniform:
      return std::make_unique<VarianceScalingInitializer>(K::LecunUniform, 1.0, FanMode::In,
                                                          Distribution::Uniform);
    case K::LecunNormal:
      return std::make_unique<VarianceScalingInitializer>(K::LecunNormal, 1.0, FanMode::In,
                                                          Distribution::TruncatedNormal);
    case K::PytorchDefault:
      // kaiming_uniform_(a = sqrt 5): gain sqrt(2 / (1 + 5)), limit gain sqrt(3 / fan_in),
      // which is variance scaling with scale 1/3 over fan_in: U(-1/sqrt(fan_in), +).
      return std::make_unique<VarianceScalingInitializer>(K::PytorchDefault, 1.0 / 3.0, FanMode::In,
                                                          Distribution::Uniform);
  }
  throw Error("initializer", "unknown kind");
}

}  // namespace gradscope::core
