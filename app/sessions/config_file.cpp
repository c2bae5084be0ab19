#include "app/sessions/config_file.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>

#include "app/sessions/session_file.h"
#include "core/model/settings_schema.h"

namespace gradscope::app {

namespace {

const QLatin1String kConfigFormat("gradscope-config");

// Some getters fill in optional groups (early stopping, plateau) when read: read a copy.
core::SettingValue readSetting(const core::ExperimentConfig& config, const core::SettingMeta& m) {
  core::ExperimentConfig copy = config;
  return m.get(copy);
}

QJsonValue toJson(const core::SettingValue& value) {
  return std::visit(
      [](const auto& v) -> QJsonValue {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool>) {
          return v;
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          return qint64(v);
        } else if constexpr (std::is_same_v<V, double>) {
          return v;
        } else if constexpr (std::is_same_v<V, std::string>) {
          return QString::fromStdString(v);
        } else {
          QJsonArray list;
          for (double x : v) list.append(x);
          return list;
        }
      },
      value);
}

core::SettingValue fromJson(const core::SettingMeta& meta, const QJsonValue& value,
                            const std::string& field) {
  switch (meta.type) {
    case core::SettingType::Bool:
      if (!value.isBool()) throw core::Error(field, "expected true or false");
      return value.toBool();
    case core::SettingType::Int: {
      const double x = value.toDouble(std::nan(""));
      if (!value.isDouble() || std::floor(x) != x || std::abs(x) > 9e15) {
        throw core::Error(field, "expected a whole number");
      }
      return std::int64_t(x);
    }
    case core::SettingType::Real:
      if (!value.isDouble()) throw core::Error(field, "expected a number");
      return value.toDouble();
    case core::SettingType::Choice:
    case core::SettingType::Text:
      if (!value.isString()) throw core::Error(field, "expected a name (a string)");
      return value.toString().toStdString();
    case core::SettingType::RealList: {
      if (!value.isArray()) throw core::Error(field, "expected a list of numbers");
      std::vector<double> list;
      for (const QJsonValue& item : value.toArray()) {
        if (!item.isDouble()) throw core::Error(field, "expected a list of numbers");
        list.push_back(item.toDouble());
      }
      return list;
    }
  }
  throw core::Error(field, "unsupported setting type");
}

}  // namespace

QJsonObject configToJson(const core::ExperimentConfig& config) {
  QJsonObject settings;
  for (const core::SettingMeta& meta : core::experimentSettings()) {
    if (!meta.relevant(config)) continue;
    settings.insert(QString::fromStdString(meta.key), toJson(readSetting(config, meta)));
  }
  // Per-layer activations are not a schema setting: a list of names, null for "as the others".
  if (!config.network && !config.model.layerActivations.empty()) {
    QJsonArray layers;
    for (const auto& a : config.model.layerActivations) {
      layers.append(a ? QJsonValue(QString::fromUtf8(core::toString(a->kind).data()))
                      : QJsonValue());
    }
    settings.insert(kLayerActivationsKey, layers);
  }
  QJsonObject json;
  json.insert(QStringLiteral("format"), kConfigFormat);
  json.insert(QStringLiteral("version"), kConfigFormatVersion);
  json.insert(QStringLiteral("settings"), settings);
  return json;
}

core::ExperimentConfig configFromJson(const QJsonObject& json, const core::ExperimentConfig& base) {
  if (json.value(QStringLiteral("format")).toString() != kConfigFormat) {
    throw core::Error("format", "not a GradScope configuration (expected \"gradscope-config\")");
  }
  const QJsonValue version = json.value(QStringLiteral("version"));
  if (!version.isDouble() || version.toInt() < 1) {
    throw core::Error("version", "expected a positive whole number");
  }
  if (version.toInt() > kConfigFormatVersion) {
    throw core::Error("version", "written by a newer GradScope (version " +
                                     std::to_string(version.toInt()) + ")");
  }
  const QJsonValue settingsValue = json.value(QStringLiteral("settings"));
  if (!settingsValue.isObject()) throw core::Error("settings", "expected an object of settings");
  const QJsonObject settings = settingsValue.toObject();
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    if (it.key() != kLayerActivationsKey && !core::findSetting(it.key().toStdString())) {
      throw core::Error("settings." + it.key().toStdString(), "unknown setting");
    }
  }
  core::ExperimentConfig config = base;
  config.network.reset();
  // In the schema's order: a choice (optimiser, schedule, early stopping on) comes before the
  // settings it makes relevant, and choosing an optimiser resets its hyper-parameters.
  for (const core::SettingMeta& meta : core::experimentSettings()) {
    const QString key = QString::fromStdString(meta.key);
    if (!settings.contains(key) || !meta.relevant(config)) continue;
    const std::string field = "settings." + meta.key;
    try {
      core::setSetting(config, meta.key, fromJson(meta, settings.value(key), field));
    } catch (const core::Error& e) {
      // A field inside the setting (a layer of model.layers) stays named.
      const bool inside = e.field().rfind(meta.key + "[", 0) == 0;
      throw core::Error(inside ? "settings." + e.field() : field, e.reason());
    }
  }
  config.model.layerActivations.clear();
  if (settings.contains(kLayerActivationsKey)) {
    const std::string field = "settings.model.layer_activations";
    const QJsonValue value = settings.value(kLayerActivationsKey);
    if (!value.isArray()) throw core::Error(field, "expected a list of activation names");
    const QJsonArray layers = value.toArray();
    if (layers.size() > config.model.hiddenLayers) {
      throw core::Error(field, "more entries than hidden layers");
    }
    for (qsizetype i = 0; i < layers.size(); ++i) {
      const std::string at = field + "[" + std::to_string(i) + "]";
      if (layers[i].isNull()) {
        config.model.layerActivations.emplace_back();
        continue;
      }
      const auto kind = core::activationKindFromString(layers[i].toString().toStdString());
      if (!layers[i].isString() || !kind || *kind == core::ActivationKind::Softmax) {
        throw core::Error(at, "expected a hidden activation name or null");
      }
      core::ActivationSpec spec = config.model.hiddenActivation;
      spec.kind = *kind;
      config.model.layerActivations.emplace_back(spec);
    }
  }
  try {
    core::validate(config);
  } catch (const core::Error& e) {
    throw core::Error("settings." + e.field(), e.reason());
  }
  return config;
}

bool saveConfigFile(const QString& path, const core::ExperimentConfig& config, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    if (error) *error = file.errorString();
    return false;
  }
  file.write(QJsonDocument(configToJson(config)).toJson(QJsonDocument::Indented));
  if (!commitWhole(file)) {
    if (error) *error = file.errorString();
    return false;
  }
  return true;
}

std::optional<core::ExperimentConfig> loadConfigFile(const QString& path, QString* error,
                                                     const core::ExperimentConfig& base) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = file.errorString();
    return std::nullopt;
  }
  QJsonParseError parseError;
  const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
  if (parseError.error != QJsonParseError::NoError) {
    if (error) {
      *error = QStringLiteral("not valid JSON at byte %1: %2")
                   .arg(parseError.offset)
                   .arg(parseError.errorString());
    }
    return std::nullopt;
  }
  if (!document.isObject()) {
    if (error) *error = QStringLiteral("expected a JSON object");
    return std::nullopt;
  }
  try {
    return configFromJson(document.object(), base);
  } catch (const core::Error& e) {
    if (error) {
      *error = QStringLiteral("%1: %2").arg(QString::fromStdString(e.field()),
                                            QString::fromStdString(e.reason()));
    }
    return std::nullopt;
  }
}

}  // namespace gradscope::app
