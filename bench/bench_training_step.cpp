// Training-step benchmarks of the engine on four reference networks (float32):
//   tiny   2-8-8-1 tanh, linear output, MSE, batch 10
//   deep   100 inputs, 20 hidden layers of 100 sigmoid units, 10 softmax outputs, batch 64
//   mnist  784-256-256-10 relu, softmax, batch 128
//   wide   784-1024-1024-10 relu, softmax, batch 256
//   fashion 784-300-100-10 relu, softmax, batch 32 (the book's Fashion-MNIST network)
// One step is what a training run does per mini-batch: forward in training mode, the loss
// value (which the application charts), backward, and an SGD update (learning rate 0.01).
// The "fresh random batch" comes from a pool of pre-generated batches used in turn, so the
// random number generator's cost is not measured.
//
// The bound/<net> cases time the same matrix products with Eigen alone (forward Z = K^T X,
// backward dK = X dZ^T and dX = K dZ, no dX for the first layer): the rate the engine
// could reach with Eigen if activations, losses and updates cost nothing. engine/bound
// says how close the engine gets. The products/<net> cases time the engine's own products
// (matrix_product.h) on the same operands.
//
// The adam/ cases measure what subnormal floats cost, with and without flush-to-zero
// (FTZ/DAZ): the deep sigmoid network trained with Adam, whose second-moment estimates of
// vanished gradients fall into float32's subnormal range, and single Adam updates on
// gradients of chosen magnitude.
//
// peak/fma measures the single-core multiply-add peak at the kernel level in use
// (fma_peak.h), in GFLOP/s (counter gflops); the context names the level (kernels).
//
// Options besides Google Benchmark's own:
//   --threads=N   let the engine's matrix products use N threads (needs GRADSCOPE_OPENMP)
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#if defined(__SSE__)
#include <pmmintrin.h>  // _MM_SET_DENORMALS_ZERO_MODE
#include <xmmintrin.h>  // _MM_SET_FLUSH_ZERO_MODE
#endif

#include "bench/allocation_counter.h"
#include "bench/fma_peak.h"
#include "core/kernels/kernel_level.h"
#include "core/kernels/matrix_product.h"
#include "core/kernels/threading.h"
#include "core/model/loss.h"
#include "core/model/network.h"
#include "core/model/random.h"
#include "core/optimizers/optimizer.h"

using namespace gradscope::core;

namespace {

constexpr double kLearningRate = 0.01;  // Keras's and PyTorch's SGD default in the comparison
constexpr int kPoolSize = 8;            // pre-generated batches, used in turn
constexpr std::uint64_t kSeed = 42;

struct ReferenceNetwork {
  const char* name;
  NetworkSpec spec;
  LossKind loss;
  Index batch;
};

NetworkSpec mlp(Index inputs, const std::vector<Index>& hidden, ActivationKind activation,
                Index outputs, ActivationKind outputActivation) {
  NetworkSpec spec;
  spec.inputs = inputs;
  for (Index units : hidden) spec.layers.push_back(LayerSpec::dense(units, activation));
  spec.layers.push_back(LayerSpec::dense(outputs, outputActivation));
  return spec;
}

const ReferenceNetwork& referenceNetwork(const std::string& name) {
  static const std::vector<ReferenceNetwork> networks = {
      {"tiny", mlp(2, {8, 8}, ActivationKind::Tanh, 1, ActivationKind::Linear),
       LossKind::MeanSquaredError, 10},
      {"deep",
       mlp(100, std::vector<Index>(20, 100), ActivationKind::Sigmoid, 10, ActivationKind::Softmax),
       LossKind::CategoricalCrossentropy, 64},
      {"mnist", mlp(784, {256, 256}, ActivationKind::Relu, 10, ActivationKind::Softmax),
       LossKind::CategoricalCrossentropy, 128},
      {"wide", mlp(784, {1024, 1024}, ActivationKind::Relu, 10, ActivationKind::Softmax),
       LossKind::CategoricalCrossentropy, 256},
      {"fashion", mlp(784, {300, 100}, ActivationKind::Relu, 10, ActivationKind::Softmax),
       LossKind::CategoricalCrossentropy, 32},
  };
  for (const auto& network : networks) {
    if (name == network.name) return network;
  }
  std::abort();
}

struct Batch {
  Matrix<float> x;  // features x batch, standard normal
  Matrix<float> y;  // one-hot classes for cross-entropy, standard normal for MSE
};

std::vector<Batch> makeBatchPool(const ReferenceNetwork& net, Rng& rng) {
  std::vector<Batch> pool(kPoolSize);
  const Index outputs = outputSize(net.spec);
  for (Batch& b : pool) {
    b.x.resize(net.spec.inputs, net.batch);
    for (Index i = 0; i < b.x.size(); ++i) b.x(i) = float(rng.normal());
    b.y.setZero(outputs, net.batch);
    for (Index j = 0; j < net.batch; ++j) {
      if (net.loss == LossKind::CategoricalCrossentropy) {
        b.y(Index(rng.below(std::uint64_t(outputs))), j) = 1.0f;
      } else {
        for (Index k = 0; k < outputs; ++k) b.y(k, j) = float(rng.normal());
      }
    }
  }
  return pool;
}

// Everything one training run owns, built outside the timed loop.
struct Run {
  explicit Run(const ReferenceNetwork& reference, OptimizerKind optimizer = OptimizerKind::Sgd)
      : net(reference.spec),
        loss(makeLoss<float>(reference.loss)),
        opt(makeOptimizer<float>(OptimizerSettings::defaultsFor(optimizer))),
        rng(kSeed) {
    net.initialize(rng);
    pool = makeBatchPool(reference, rng);
  }

  void step() {
    const Batch& b = pool[std::size_t(next)];
    next = (next + 1) % kPoolSize;
    net.forward(b.x, Mode::Training, rng);
    benchmark::DoNotOptimize(net.loss(*loss, b.y).total());
    net.backward(*loss, b.y);
    opt->step(net.parameters(), net.gradients(), learningRate);
    benchmark::ClobberMemory();
  }

  Network<float> net;
  std::unique_ptr<Loss<float>> loss;
  std::unique_ptr<Optimizer<float>> opt;
  Rng rng;
  std::vector<Batch> pool;
  int next = 0;
  double learningRate = kLearningRate;
};

void reportCounters(benchmark::State& state, std::int64_t allocations) {
  // Wall-clock rate (every case runs with UseRealTime), so that threads count in full.
  state.counters["steps_per_s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["engine_threads"] = threadCount();
  state.counters["allocs_per_step"] = double(allocations) / double(state.iterations());
}

void trainingStep(benchmark::State& state, const std::string& name) {
  Run run(referenceNetwork(name));
  run.step();  // sizes every buffer, as the first step of a run does
  const std::int64_t before = allocationCount();
  for (auto _ : state) run.step();
  reportCounters(state, allocationCount() - before);
}

// The matrix products of one step, Eigen alone, on the engine's layout (Keras kernel K:
// inputs x units, one sample per column).
// With `engineProducts`, the same products go through the engine's own (matrix_product.h):
// step/engine-products shows what a step costs beyond them.
void matrixProductsOnly(benchmark::State& state, const std::string& name, bool engineProducts) {
  const ReferenceNetwork& reference = referenceNetwork(name);
  struct Layer {
    Matrix<float> k, dK, x, z, dZ, dX;
  };
  std::vector<Layer> layers;
  Index width = reference.spec.inputs;
  for (const LayerSpec& spec : reference.spec.layers) {
    Layer l;
    // Fixed random operands (each product reads its own), so no value drifts over layers.
    l.k = Matrix<float>::Random(width, spec.units) * 0.1f;
    l.x = Matrix<float>::Random(width, reference.batch);
    l.dZ = Matrix<float>::Random(spec.units, reference.batch) * 0.01f;
    l.z.resize(spec.units, reference.batch);
    l.dK.resize(width, spec.units);
    l.dX.resize(width, reference.batch);
    layers.push_back(std::move(l));
    width = spec.units;
  }
  const std::int64_t before = allocationCount();
  for (auto _ : state) {
    if (engineProducts) {
      for (Layer& l : layers) multiplyTransposedA<float>(l.k, l.x, l.z);
      for (std::size_t i = layers.size(); i-- > 0;) {
        Layer& l = layers[i];
        multiplyTransposedB<float>(l.x, l.dZ, l.dK);
        if (i > 0) multiply<float>(l.k, l.dZ, l.dX);
      }
    } else {
      for (Layer& l : layers) l.z.noalias() = l.k.transpose() * l.x;
      for (std::size_t i = layers.size(); i-- > 0;) {
        Layer& l = layers[i];
        l.dK.noalias() = l.x * l.dZ.transpose();
        if (i > 0) l.dX.noalias() = l.k * l.dZ;
      }
    }
    benchmark::ClobberMemory();
  }
  reportCounters(state, allocationCount() - before);
}

#if defined(__SSE__)
// Sets flush-to-zero (results below float's normal range become 0) and denormals-are-zero
// (such inputs read as 0) for this thread, and restores the previous mode on destruction.
class FlushToZero {
 public:
  explicit FlushToZero(bool on)
      : m_ftz(_MM_GET_FLUSH_ZERO_MODE()), m_daz(_MM_GET_DENORMALS_ZERO_MODE()) {
    _MM_SET_FLUSH_ZERO_MODE(on ? _MM_FLUSH_ZERO_ON : _MM_FLUSH_ZERO_OFF);
    _MM_SET_DENORMALS_ZERO_MODE(on ? _MM_DENORMALS_ZERO_ON : _MM_DENORMALS_ZERO_OFF);
  }
  ~FlushToZero() {
    _MM_SET_FLUSH_ZERO_MODE(m_ftz);
    _MM_SET_DENORMALS_ZERO_MODE(m_daz);
  }

 private:
  unsigned m_ftz;
  unsigned m_daz;
};
#else
struct FlushToZero {
  explicit FlushToZero(bool) {}
};
#endif

double subnormalFraction(const Vector<float>& v) {
  Index count = 0;
  for (Index i = 0; i < v.size(); ++i) count += std::fpclassify(v[i]) == FP_SUBNORMAL;
  return v.size() ? double(count) / double(v.size()) : 0.0;
}

// The deep sigmoid network trained with Adam: after a short warm-up (so that the moments
// hold the squared vanished gradients), steps run with or without FTZ/DAZ. `smallInit`
// draws the kernels from Keras's RandomNormal(stddev 0.05) instead of Glorot uniform, as
// the vanishing-gradient demos do: gradients then shrink ~8x per layer instead of ~4x.
void adamDeep(benchmark::State& state, bool smallInit, bool flushToZero) {
  ReferenceNetwork reference = referenceNetwork("deep");
  if (smallInit) {
    for (LayerSpec& layer : reference.spec.layers) {
      layer.kernelInitializer = InitializerSpec{InitializerKind::RandomNormal};
    }
  }
  Run run(reference, OptimizerKind::Adam);
  run.learningRate = OptimizerSettings::defaultsFor(OptimizerKind::Adam).learningRate;
  std::int64_t allocations = 0;
  {
    FlushToZero mode(flushToZero);
    for (int i = 0; i < 50; ++i) run.step();
    const std::int64_t before = allocationCount();
    for (auto _ : state) run.step();
    allocations = allocationCount() - before;
  }
  reportCounters(state, allocations);
  // How much of the state is subnormal (with FTZ, what would have been is 0). Counted with
  // FTZ/DAZ off: DAZ makes subnormals compare equal to zero.
  state.counters["subnormal_grads"] = subnormalFraction(run.net.gradients());
  const auto optState = run.opt->state();
  for (const auto& slot : optState.vectors) {
    if (slot.name == "velocity") state.counters["subnormal_v"] = subnormalFraction(slot.values);
  }
  Index zeros = 0;
  for (Index i = 0; i < run.net.gradients().size(); ++i) zeros += run.net.gradients()[i] == 0.0f;
  state.counters["zero_grads"] = double(zeros) / double(run.net.gradients().size());
}

// One Adam update of 200k parameters whose gradients are of order `scale`: 1e-3 (normal),
// 1e-21 (squares subnormal) or 1e-40 (gradients subnormal), with or without FTZ/DAZ.
void adamUpdate(benchmark::State& state, float scale, bool flushToZero) {
  constexpr Index kParameters = 200'000;
  Rng rng(kSeed);
  Vector<float> params(kParameters), grads(kParameters);
  for (Index i = 0; i < kParameters; ++i) {
    params[i] = float(rng.normal());
    grads[i] = float(rng.normal()) * scale;
  }
  auto opt = makeOptimizer<float>(OptimizerSettings::defaultsFor(OptimizerKind::Adam));
  std::int64_t allocations = 0;
  {
    FlushToZero mode(flushToZero);
    opt->step(params, grads, 1e-3);  // allocates the moments
    const std::int64_t before = allocationCount();
    for (auto _ : state) {
      opt->step(params, grads, 1e-3);
      benchmark::ClobberMemory();
    }
    allocations = allocationCount() - before;
  }
  reportCounters(state, allocations);
  state.counters["subnormal_grads"] = subnormalFraction(grads);
}

// Takes --threads=N out of argv (Google Benchmark rejects options it does not know).
int takeThreadsOption(int& argc, char** argv) {
  int threads = 1;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = std::atoi(argv[i] + 10);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return threads;
}

// The multiply-add peak of one core at the kernel level in use (fma_peak.h).
void fmaPeak(benchmark::State& state) {
  const KernelLevel level = kernelLevel();
  double flops = 0.0;
  for (auto _ : state) flops += gradscope::bench::fmaPeakRound(level, 1 << 16);
  state.counters["gflops"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsRate);
  // Per iteration, so that a script can divide by the wall-clock or the CPU time.
  state.counters["gflop"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kAvgIterations);
}

}  // namespace

int main(int argc, char** argv) {
  const int requested = takeThreadsOption(argc, argv);
  const int threads = setThreadCount(requested);
  if (threads != requested) {
    std::cerr << "--threads=" << requested << ": the engine runs " << threads
              << " thread(s) (multi-threading needs a build with -DGRADSCOPE_OPENMP=ON)\n";
    return 2;
  }
  benchmark::AddCustomContext("engine_threads", std::to_string(threads));
  benchmark::AddCustomContext("kernels", kernelLevelName(kernelLevel()));
  benchmark::RegisterBenchmark("peak/fma", fmaPeak)->Unit(benchmark::kMicrosecond)->UseRealTime();

  for (const char* name : {"tiny", "deep", "mnist", "wide", "fashion"}) {
    benchmark::RegisterBenchmark((std::string("step/") + name).c_str(), trainingStep, name)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (const char* name : {"deep", "mnist", "wide"}) {
    benchmark::RegisterBenchmark((std::string("bound/") + name).c_str(), matrixProductsOnly, name,
                                 false)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("products/") + name).c_str(), matrixProductsOnly,
                                 name, true)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  for (bool smallInit : {false, true}) {
    for (bool ftz : {false, true}) {
      const std::string name =
          std::string("adam/deep") + (smallInit ? "_normal0.05" : "") + (ftz ? "_ftz" : "");
      benchmark::RegisterBenchmark(name.c_str(), adamDeep, smallInit, ftz)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
  const struct {
    const char* name;
    float scale;
  } gradientScales[] = {{"1e-3", 1e-3f}, {"1e-21", 1e-21f}, {"1e-40", 1e-40f}};
  for (const auto& g : gradientScales) {
    for (bool ftz : {false, true}) {
      const std::string name = std::string("adam/update_grads") + g.name + (ftz ? "_ftz" : "");
      benchmark::RegisterBenchmark(name.c_str(), adamUpdate, g.scale, ftz)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
