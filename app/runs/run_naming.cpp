#include "app/runs/run_naming.h"

#include "core/model/settings_schema.h"

namespace gradscope::app {

using namespace gradscope::core;

namespace {

// More differing settings than this are summarised with "…" (names must fit a legend).
constexpr int kMaxNamedSettings = 3;

QString displayValue(const SettingMeta& meta, const SettingValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) {
    // "on"/"off" alone says nothing: "Shuffle off", "Centered on".
    return QStringLiteral("%1 %2").arg(QString::fromStdString(meta.label),
                                       *b ? QStringLiteral("on") : QStringLiteral("off"));
  }
  if (const auto* d = std::get_if<double>(&value)) return QString::number(*d, 'g', 4);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return QString::number(*i);
  if (const auto* s = std::get_if<std::string>(&value)) return QString::fromStdString(*s);
  if (const auto* l = std::get_if<std::vector<double>>(&value)) {
    QStringList parts;
    for (double x : *l) parts << QString::number(x, 'g', 4);
    return parts.join(QLatin1Char(','));
  }
  return QString();
}

// The value of `meta` in `config`, or nothing where the setting does not apply.
std::optional<SettingValue> valueIn(const SettingMeta& meta, const ExperimentConfig& config) {
  if (meta.relevant && !meta.relevant(config)) return std::nullopt;
  return meta.get(config);
}

}  // namespace

QStringList differingSettings(const ExperimentConfig& a, const ExperimentConfig& b) {
  QStringList keys;
  for (const SettingMeta& meta : experimentSettings()) {
    const auto va = valueIn(meta, a);
    const auto vb = valueIn(meta, b);
    if (!va && !vb) continue;
    if (va != vb) keys << QString::fromStdString(meta.key);
  }
  return keys;
}

RunNames nameRunsByDifference(const std::vector<ExperimentConfig>& configs) {
  RunNames out;
  const std::size_t n = configs.size();
  std::vector<const SettingMeta*> differing;
  if (n > 1) {
    for (const SettingMeta& meta : experimentSettings()) {
      // Differs when two runs it applies to disagree, or it applies to some runs only
      // (e.g. momentum for SGD vs Adam) and those runs disagree with each other.
      std::optional<SettingValue> first;
      bool differs = false;
      for (const ExperimentConfig& c : configs) {
        const auto v = valueIn(meta, c);
        if (!v) continue;
        if (!first) {
          first = v;
        } else if (*v != *first) {
          differs = true;
          break;
        }
      }
      if (differs) differing.push_back(&meta);
    }
  }
  QStringList labels;
  for (const SettingMeta* meta : differing) {
    labels << QString::fromStdString(meta->label);
    out.keys << QString::fromStdString(meta->key);
  }
  if (labels.size() > kMaxNamedSettings) {
    labels = labels.mid(0, kMaxNamedSettings);
    labels << QStringLiteral("…");
  }
  out.title = labels.join(QStringLiteral(" · "));

  for (std::size_t i = 0; i < n; ++i) {
    QStringList parts;
    for (std::size_t k = 0; k < differing.size() && k < std::size_t(kMaxNamedSettings); ++k) {
      if (const auto v = valueIn(*differing[k], configs[i])) {
        parts << displayValue(*differing[k], *v);
      }
    }
    QString name = parts.join(QStringLiteral(" · "));
    if (name.isEmpty()) name = QStringLiteral("run %1").arg(i + 1);
    out.names << name;
  }
  // Runs the schema cannot tell apart (identical, or differing only in per-layer overrides)
  // get their position as well.
  for (qsizetype i = 0; i < out.names.size(); ++i) {
    if (out.names.count(out.names[i]) > 1) {
      const QString base = out.names[i];
      int copy = 0;
      for (qsizetype j = i; j < out.names.size(); ++j) {
        if (out.names[j] == base) out.names[j] = QStringLiteral("%1 (%2)").arg(base).arg(++copy);
      }
    }
  }
  return out;
}

QString forkName(const ExperimentConfig& parent, const ExperimentConfig& fork, std::int64_t step) {
  QStringList values;
  const QStringList keys = differingSettings(parent, fork);
  for (const QString& key : keys) {
    if (values.size() == kMaxNamedSettings) {
      values << QStringLiteral("…");
      break;
    }
    const SettingMeta* meta = findSetting(key.toStdString());
    if (meta) values << displayValue(*meta, meta->get(fork));
  }
  // Thousands grouped with commas as in the lecture's text, whatever the system's locale.
  QString number = QString::number(step);
  for (qsizetype at = number.size() - 3; at > 0; at -= 3) number.insert(at, QLatin1Char(','));
  return QStringLiteral("%1 from step %2")
      .arg(values.isEmpty() ? QStringLiteral("copy") : values.join(QStringLiteral(" · ")), number);
}

}  // namespace gradscope::app
