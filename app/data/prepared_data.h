// The data a run trains on, prepared once: split, subset drawn and standardised, fingerprinted
// once and converted to the trainer's scalar type on first use. Runs with the same data
// settings share one: a comparison of the eight optimisers on Fashion-MNIST used to split,
// standardise, hash and convert the 55,000 images eight times, 20 s before its first step and
// 1.4 GB of copies.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/model/trainer_data.h"

namespace gradscope::app {

class PreparedData {
 public:
  explicit PreparedData(core::SplitData split) : m_split(std::move(split)) {}

  const core::SplitData& split() const { return m_split; }
  const core::Dataset& train() const { return m_split.train; }
  const core::Dataset& validation() const { return m_split.validation; }

  // A hash of every training and validation value, so runs meant to see the same data can
  // check that they do.
  std::uint64_t fingerprint() const;

  // The samples in float or double, converted once, shared by every trainer of this data.
  template <typename T>
  std::shared_ptr<const core::TrainerData<T>> converted() const;

 private:
  core::SplitData m_split;
  mutable std::once_flag m_fingerprintOnce, m_floatOnce, m_doubleOnce;
  mutable std::uint64_t m_fingerprint = 0;
  mutable std::shared_ptr<const core::TrainerData<float>> m_float;
  mutable std::shared_ptr<const core::TrainerData<double>> m_double;
};

template <>
std::shared_ptr<const core::TrainerData<float>> PreparedData::converted<float>() const;
template <>
std::shared_ptr<const core::TrainerData<double>> PreparedData::converted<double>() const;

// The configuration's own data (generated, or a built-in set; see configuredData()) with that
// split. The same settings give the same object while any run still holds it. Throws
// core::Error naming the field, as splitData() and configuredData() do.
std::shared_ptr<const PreparedData> preparedData(const core::DataSpec& spec,
                                                 const core::SplitOptions& split);

// Data the user gave (a file), split: its own object, not shared.
std::shared_ptr<const PreparedData> preparedData(const core::Dataset& given,
                                                 const core::SplitOptions& split);

}  // namespace gradscope::app
