#include "app/data/prepared_data.h"

#include <cstring>
#include <vector>

#include "app/data/configured_data.h"

namespace gradscope::app {

namespace {

// FNV-1a over 64-bit words (the values' exact bits) and each matrix's shape.
std::uint64_t hashMatrices(std::initializer_list<const Eigen::MatrixXd*> matrices) {
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash = 1469598103934665603ull;
  for (const Eigen::MatrixXd* m : matrices) {
    for (Eigen::Index i = 0; i < m->size(); ++i) {
      std::uint64_t word;
      std::memcpy(&word, m->data() + i, sizeof word);
      hash = (hash ^ word) * kPrime;
    }
    hash = (hash ^ std::uint64_t(m->rows())) * kPrime;
    hash = (hash ^ std::uint64_t(m->cols())) * kPrime;
  }
  return hash;
}

struct CacheEntry {
  core::DataSpec spec;
  core::SplitOptions split;
  std::weak_ptr<const PreparedData> data;
};

}  // namespace

std::uint64_t PreparedData::fingerprint() const {
  std::call_once(m_fingerprintOnce, [this] {
    m_fingerprint = hashMatrices({&m_split.train.inputs, &m_split.train.targets,
                                  &m_split.validation.inputs, &m_split.validation.targets});
  });
  return m_fingerprint;
}

template <>
std::shared_ptr<const core::TrainerData<float>> PreparedData::converted<float>() const {
  std::call_once(m_floatOnce, [this] {
    m_float = core::makeTrainerData<float>(m_split.train, m_split.validation);
  });
  return m_float;
}

template <>
std::shared_ptr<const core::TrainerData<double>> PreparedData::converted<double>() const {
  std::call_once(m_doubleOnce, [this] {
    m_double = core::makeTrainerData<double>(m_split.train, m_split.validation);
  });
  return m_double;
}

std::shared_ptr<const PreparedData> preparedData(const core::DataSpec& spec,
                                                 const core::SplitOptions& split) {
  const core::SplitOptions options = configuredSplit(spec, split);
  // Weak: a prepared set lives as long as a run uses it, and no longer.
  static std::mutex mutex;
  static std::vector<CacheEntry> cache;
  const std::lock_guard lock(mutex);
  std::erase_if(cache, [](const CacheEntry& e) { return e.data.expired(); });
  for (const CacheEntry& entry : cache) {
    if (entry.spec == spec && entry.split == options) {
      if (auto data = entry.data.lock()) return data;
    }
  }
  auto data = std::make_shared<const PreparedData>(core::splitData(*configuredData(spec), options));
  cache.push_back({spec, options, data});
  return data;
}

std::shared_ptr<const PreparedData> preparedData(const core::Dataset& given,
                                                 const core::SplitOptions& split) {
  return std::make_shared<const PreparedData>(core::splitData(given, split));
}

}  // namespace gradscope::app
