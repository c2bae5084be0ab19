// Every setting of an experiment described once, as data: key, label, group, type, range,
// default (the value in a default ExperimentConfig), unit, tooltip, when it takes effect,
// and how to read and write it. The GUI builds its panels from this list, the command line's
// --set key=value and the session files use its keys, and setSetting() validates against it
// (QGroundControl's FactMetaData is the model).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/model/experiment_config.h"

namespace gradscope::core {

enum class SettingType { Bool, Int, Real, Choice, RealList, Text };

// When a change reaches the running network.
enum class SettingEffect {
  Live,     // at the next step, weights kept
  AtReset,  // stored now, used when the run is reset (initialiser, seed)
  Rebuild,  // the network is rebuilt; weights whose shape still fits are kept
  Data,     // the data set is regenerated
};

using SettingValue = std::variant<bool, std::int64_t, double, std::string, std::vector<double>>;

struct SettingMeta {
  std::string key;    // e.g. "optimizer.learning_rate"
  std::string label;  // e.g. "Learning rate"
  std::string group;  // "Data", "Network", "Optimiser", "Schedule", "Training"
  SettingType type = SettingType::Real;
  double minimum = 0.0;
  double maximum = 0.0;
  bool maximumExcluded = false;      // the range is [minimum, maximum), e.g. beta_1 < 1
  bool logScale = false;             // a slider or spin box should step in decades
  std::vector<std::string> choices;  // Choice: the allowed names
  std::string unit;                  // e.g. "steps", "samples"; empty when unitless
  std::string tooltip;               // one or two sentences of the lecture's substance
  SettingEffect effect = SettingEffect::Live;
  std::function<SettingValue(const ExperimentConfig&)> get;
  std::function<void(ExperimentConfig&, const SettingValue&)> set;
  // False when the setting does not apply (e.g. momentum for Adam): panels grey it out, and
  // configuration files neither write nor read it.
  std::function<bool(const ExperimentConfig&)> relevant;
  // Why the configuration keeps but does not read this setting (the learning rate under a
  // decaying schedule), or empty when it is read; unset means always read. Panels show the
  // row disabled with the reason, and `shownValue` (the value in use) when it has one.
  std::function<std::string(const ExperimentConfig&)> inactiveReason;
  std::function<std::optional<SettingValue>(const ExperimentConfig&)> shownValue;
};

// All settings, grouped in panel order.
const std::vector<SettingMeta>& experimentSettings();
const SettingMeta* findSetting(std::string_view key);

// Sets `key` after checking its type, range and choices; throws Error(key, reason).
void setSetting(ExperimentConfig& config, std::string_view key, const SettingValue& value);
SettingValue getSetting(const ExperimentConfig& config, std::string_view key);

// The one range check of a number, against the schema: throws Error(key, "must be a number
// in [lo, hi]") when `value` lies outside the setting's range. validate() uses the same
// limits as the panels and the files.
void checkSettingRange(const SettingMeta& meta, double value);
void checkSettingRange(std::string_view key, double value);

// The settings whose values differ between `before` and `after`, in schema order: each
// one's `effect` says where the change takes effect.
std::vector<const SettingMeta*> changedSettings(const ExperimentConfig& before,
                                                const ExperimentConfig& after);

// Text forms, for the command line and for display: "0.01", "true", "relu", "5,10".
SettingValue parseSettingValue(const SettingMeta& meta, std::string_view text);
std::string formatSettingValue(const SettingValue& value);

}  // namespace gradscope::core
