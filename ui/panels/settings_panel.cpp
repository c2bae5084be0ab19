#include "ui/panels/settings_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <climits>
#include <cmath>

#include "ui/panels/config_editor.h"
#include "ui/panels/number_spin_box.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

// Some getters fill in optional groups (early stopping, plateau) when read: read a copy.
core::SettingValue readSetting(const core::ExperimentConfig& config, const core::SettingMeta& m) {
  core::ExperimentConfig copy = config;
  return m.get(copy);
}

QString unitSuffix(const core::SettingMeta& meta) {
  return meta.unit.empty() ? QString() : QStringLiteral(" ") + QString::fromStdString(meta.unit);
}

QString listText(const core::SettingValue& value) {
  if (const auto* list = std::get_if<std::vector<double>>(&value)) {
    QStringList parts;
    for (double x : *list) parts << QString::number(x, 'g', 10);
    return parts.join(QStringLiteral(", "));
  }
  return QString::fromStdString(core::formatSettingValue(value));
}

QString htmlEscaped(const std::string& text) {
  return QString::fromStdString(text).toHtmlEscaped();
}

}  // namespace

QString SettingsPanel::effectText(core::SettingEffect effect) {
  switch (effect) {
    case core::SettingEffect::Live:
      return tr("Applies at the next step.");
    case core::SettingEffect::AtReset:
      return tr("Takes effect at reset (R).");
    case core::SettingEffect::Rebuild:
      return tr("Rebuilds the network at the next step: weights whose shape fits are kept.");
    case core::SettingEffect::Data:
      return tr("Regenerates the data at the next step.");
  }
  return {};
}

SettingsPanel::SettingsPanel(const QString& group, ConfigEditor& editor, QWidget* parent)
    : QWidget(parent), m_group(group), m_editor(editor) {
  setObjectName(QStringLiteral("settings-") + group);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  outer->addWidget(scroll);

  auto* content = new QWidget(scroll);
  auto* column = new QVBoxLayout(content);
  column->setContentsMargins(8, 6, 8, 6);
  m_above = new QVBoxLayout;
  m_above->setContentsMargins(0, 0, 0, 0);
  column->addLayout(m_above);
  m_form = new QFormLayout;
  m_form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  m_form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  column->addLayout(m_form);
  m_extras = new QVBoxLayout;
  m_extras->setContentsMargins(0, 6, 0, 0);
  column->addLayout(m_extras);
  column->addStretch(1);
  scroll->setWidget(content);

  for (const core::SettingMeta& meta : core::experimentSettings()) {
    if (QString::fromStdString(meta.group) == group) addRow(meta);
  }
  connect(&m_editor, &ConfigEditor::configChanged, this, &SettingsPanel::refresh);
  // Larger presentation fonts: every label above its field, so that nothing is cut off.
  auto wrap = [this] {
    m_form->setRowWrapPolicy(theme().presentation ? QFormLayout::WrapAllRows
                                                  : QFormLayout::WrapLongRows);
  };
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, wrap);
  wrap();
  refresh();
}

void SettingsPanel::addExtra(QWidget* widget, bool above) {
  (above ? m_above : m_extras)->addWidget(widget);
}

QWidget* SettingsPanel::editorFor(const QString& key) const {
  const auto it = m_rows.constFind(key);
  return it == m_rows.cend() ? nullptr : it->editor;
}

QLabel* SettingsPanel::labelFor(const QString& key) const {
  const auto it = m_rows.constFind(key);
  return it == m_rows.cend() ? nullptr : it->label;
}

QString SettingsPanel::errorFor(const QString& key) const {
  const auto it = m_rows.constFind(key);
  return it == m_rows.cend() || it->error->isHidden() ? QString() : it->error->text();
}

void SettingsPanel::showError(const QString& key, const QString& reason) {
  auto it = m_rows.find(key);
  if (it == m_rows.end()) return;
  it->error->setText(reason);
  it->error->setStyleSheet(QStringLiteral("color: %1;").arg(theme().warning.name()));
  it->error->show();
}

void SettingsPanel::clearError(Row& row) {
  if (!row.error->isHidden()) row.error->hide();
}

void SettingsPanel::addRow(const core::SettingMeta& meta) {
  const QString key = QString::fromStdString(meta.key);
  Row row;
  row.meta = &meta;
  QString labelText = QString::fromStdString(meta.label);
  if (meta.effect == core::SettingEffect::AtReset) labelText += tr(" (at reset)");
  if (meta.type == core::SettingType::RealList && !meta.unit.empty()) {
    labelText += QStringLiteral(" (%1)").arg(QString::fromStdString(meta.unit));
  }
  row.label = new QLabel(labelText, this);
  row.label->setWordWrap(true);
  const QString tip = QStringLiteral("<p><b>%1</b> <code>%2</code></p><p>%3</p><p><i>%4</i></p>")
                          .arg(htmlEscaped(meta.label), key.toHtmlEscaped(),
                               htmlEscaped(meta.tooltip), effectText(meta.effect).toHtmlEscaped());

  switch (meta.type) {
    case core::SettingType::Bool: {
      auto* box = new QCheckBox(this);
      connect(box, &QCheckBox::clicked, this, [this, key] { commit(key); });
      row.editor = box;
      break;
    }
    case core::SettingType::Int: {
      auto* box = new QSpinBox(this);
      box->setRange(int(std::max<double>(meta.minimum, INT_MIN)),
                    int(std::min<double>(meta.maximum, INT_MAX)));
      box->setSuffix(unitSuffix(meta));
      box->setKeyboardTracking(false);
      box->setAccelerated(true);
      box->setGroupSeparatorShown(meta.maximum >= 100000);
      row.debounce = new QTimer(this);
      row.debounce->setSingleShot(true);
      row.debounce->setInterval(kDebounceMilliseconds);
      connect(row.debounce, &QTimer::timeout, this, [this, key] { commit(key); });
      connect(box, &QSpinBox::valueChanged, row.debounce, qOverload<>(&QTimer::start));
      connect(box, &QSpinBox::editingFinished, this, [this, key] { commit(key); });
      row.editor = box;
      break;
    }
    case core::SettingType::Real: {
      auto* box = new NumberSpinBox(meta.logScale, this);
      // A range open at the top ([0, 1) for beta_1) stops just short of its maximum.
      box->setRange(meta.minimum, meta.maximumExcluded
                                      ? meta.maximum - 1e-6 * std::max(1.0, std::abs(meta.maximum))
                                      : meta.maximum);
      box->setSuffix(unitSuffix(meta));
      row.debounce = new QTimer(this);
      row.debounce->setSingleShot(true);
      row.debounce->setInterval(kDebounceMilliseconds);
      connect(row.debounce, &QTimer::timeout, this, [this, key] { commit(key); });
      connect(box, &QDoubleSpinBox::valueChanged, row.debounce, qOverload<>(&QTimer::start));
      connect(box, &QDoubleSpinBox::editingFinished, this, [this, key] { commit(key); });
      row.editor = box;
      break;
    }
    case core::SettingType::Choice: {
      auto* box = new QComboBox(this);
      for (const std::string& choice : meta.choices) box->addItem(QString::fromStdString(choice));
      box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
      box->setMinimumContentsLength(8);
      connect(box, &QComboBox::activated, this, [this, key] { commit(key); });
      row.editor = box;
      break;
    }
    case core::SettingType::RealList:
    case core::SettingType::Text: {
      auto* edit = new QLineEdit(this);
      if (meta.type == core::SettingType::RealList) {
        edit->setPlaceholderText(tr("comma-separated numbers"));
      }
      connect(edit, &QLineEdit::editingFinished, this, [this, key] { commit(key); });
      row.editor = edit;
      break;
    }
  }
  // Narrow enough to stay beside its label (a spin box asks for room for its largest value).
  row.editor->setMinimumWidth(fontMetrics().averageCharWidth() * 10);
  row.editor->setObjectName(key);
  row.tip = tip;
  row.editor->setToolTip(tip);
  row.label->setToolTip(tip);
  row.label->setBuddy(row.editor);

  auto* field = new QWidget(this);
  auto* fieldLayout = new QVBoxLayout(field);
  fieldLayout->setContentsMargins(0, 0, 0, 0);
  fieldLayout->setSpacing(1);
  fieldLayout->addWidget(row.editor);
  row.error = new QLabel(field);
  row.error->setWordWrap(true);
  row.error->hide();
  fieldLayout->addWidget(row.error);
  m_form->addRow(row.label, field);

  m_rows.insert(key, row);
  m_order.push_back(key);
}

void SettingsPanel::commit(const QString& key) {
  auto it = m_rows.find(key);
  if (it == m_rows.end()) return;
  Row& row = *it;
  if (row.debounce) row.debounce->stop();
  const core::SettingMeta& meta = *row.meta;
  core::SettingValue value;
  QString error;
  try {
    switch (meta.type) {
      case core::SettingType::Bool:
        value = static_cast<QCheckBox*>(row.editor)->isChecked();
        break;
      case core::SettingType::Int:
        value = std::int64_t(static_cast<QSpinBox*>(row.editor)->value());
        break;
      case core::SettingType::Real:
        value = static_cast<QDoubleSpinBox*>(row.editor)->value();
        break;
      case core::SettingType::Choice:
        value = static_cast<QComboBox*>(row.editor)->currentText().toStdString();
        break;
      case core::SettingType::RealList:
      case core::SettingType::Text: {
        QString text = static_cast<QLineEdit*>(row.editor)->text();
        if (meta.type == core::SettingType::RealList) text.remove(QRegularExpression("\\s"));
        value = core::parseSettingValue(meta, text.trimmed().toStdString());
      } break;
    }
  } catch (const core::Error& e) {
    showError(key, QString::fromStdString(e.reason()));
    return;
  }
  if (!m_editor.set(meta.key, value, &error)) {
    showError(key, error);
    return;
  }
  clearError(row);
}

void SettingsPanel::refresh() {
  const core::ExperimentConfig& config = m_editor.config();
  for (const QString& key : m_order) {
    Row& row = m_rows[key];
    const core::SettingMeta& meta = *row.meta;
    // A setting the configuration keeps but does not read (the learning rate under a decaying
    // schedule) is disabled with the reason, showing the value in use.
    const QString inactive =
        meta.inactiveReason ? QString::fromStdString(meta.inactiveReason(config)) : QString();
    const bool enabled = meta.relevant(config) && inactive.isEmpty();
    row.label->setEnabled(enabled);
    row.editor->setEnabled(enabled);
    const QString tip =
        inactive.isEmpty()
            ? row.tip
            : row.tip + QStringLiteral("<p><b>%1</b></p>").arg(inactive.toHtmlEscaped());
    if (row.editor->toolTip() != tip) {
      row.editor->setToolTip(tip);
      row.label->setToolTip(tip);
    }
    // A value being typed or stepped is not overwritten; it is sent when the edit ends.
    if (row.debounce && row.debounce->isActive()) continue;
    std::optional<core::SettingValue> shown;
    if (!inactive.isEmpty() && meta.shownValue) shown = meta.shownValue(config);
    const core::SettingValue value = shown ? *shown : readSetting(config, meta);
    const QSignalBlocker block(row.editor);
    switch (meta.type) {
      case core::SettingType::Bool:
        static_cast<QCheckBox*>(row.editor)->setChecked(std::get<bool>(value));
        break;
      case core::SettingType::Int: {
        auto* box = static_cast<QSpinBox*>(row.editor);
        const std::int64_t v = std::get<std::int64_t>(value);
        if (!(box->hasFocus() && box->value() == v))
          box->setValue(int(std::clamp<std::int64_t>(v, INT_MIN, INT_MAX)));
        break;
      }
      case core::SettingType::Real: {
        auto* box = static_cast<QDoubleSpinBox*>(row.editor);
        const double v = std::get<double>(value);
        if (box->value() != v) box->setValue(v);
        break;
      }
      case core::SettingType::Choice:
        static_cast<QComboBox*>(row.editor)
            ->setCurrentText(QString::fromStdString(std::get<std::string>(value)));
        break;
      case core::SettingType::RealList:
      case core::SettingType::Text: {
        auto* edit = static_cast<QLineEdit*>(row.editor);
        const QString text = listText(value);
        if (!edit->hasFocus() && edit->text() != text) edit->setText(text);
        break;
      }
    }
  }
}

}  // namespace gradscope::ui
