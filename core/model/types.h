// Basic numeric types shared by the whole engine.
//
// Activations are stored one sample per column (features x batch, column-major), so a
// mini-batch is gathered by copying contiguous columns and a Dense layer computes
// Z = K^T * X with the Keras kernel layout K (inputs x units).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

namespace gradscope::core {

using Index = Eigen::Index;

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

// Training mode uses batch statistics and dropout; inference uses moving statistics.
enum class Mode { Training, Inference };

// The one exception type of the engine. `field` names the setting, file or array at fault
// (e.g. "layers[3].units", "data.csv:12"), `reason` says what is wrong with it.
class Error : public std::runtime_error {
 public:
  Error(std::string field, std::string reason)
      : std::runtime_error(field + ": " + reason),
        m_field(std::move(field)),
        m_reason(std::move(reason)) {}
  const std::string& field() const { return m_field; }
  const std::string& reason() const { return m_reason; }

 private:
  std::string m_field;
  std::string m_reason;
};

}  // namespace gradscope::core
