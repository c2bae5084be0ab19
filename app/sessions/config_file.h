// Experiment configurations as JSON, written with the settings schema's keys:
//   {"format": "gradscope-config", "version": 1, "settings": {"data.dataset": "spirals", ...}}
// Only the settings that apply to the experiment are written (momentum is left out for Adam);
// per-layer activation overrides, not a schema setting, go in "model.layer_activations" as a
// list of names with null for "as the hidden activation".
// Reading applies them in the schema's order over a base configuration and refuses anything
// it does not understand with an Error naming the field. Sessions (weights and history) are a
// separate format.
#pragma once

#include <QJsonObject>
#include <QLatin1String>
#include <QString>

#include <optional>

#include "core/model/experiment_config.h"

namespace gradscope::app {

inline constexpr int kConfigFormatVersion = 1;
// The key of the per-layer activation overrides beside the schema's settings; scenarios use it too.
inline const QLatin1String kLayerActivationsKey("model.layer_activations");

QJsonObject configToJson(const core::ExperimentConfig& config);
// Throws core::Error(field, reason), e.g. ("settings.optimizer.learning_rate", "expected a
// number").
core::ExperimentConfig configFromJson(const QJsonObject& json,
                                      const core::ExperimentConfig& base = {});

// Atomic write (QSaveFile); false and `error` on failure.
bool saveConfigFile(const QString& path, const core::ExperimentConfig& config,
                    QString* error = nullptr);
// nullopt and `error` (naming the field) when the file cannot be read or is not valid.
std::optional<core::ExperimentConfig> loadConfigFile(const QString& path, QString* error = nullptr,
                                                     const core::ExperimentConfig& base = {});

}  // namespace gradscope::app
