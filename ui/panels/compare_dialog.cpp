#include "ui/panels/compare_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "app/runs/run_naming.h"
#include "core/model/settings_schema.h"

namespace gradscope::ui {

namespace {

const core::SettingMeta* metaOf(const QString& key) { return core::findSetting(key.toStdString()); }

QString fourDigits(double v) { return QString::number(v, 'g', 4); }

}  // namespace

CompareDialog::CompareDialog(const core::ExperimentConfig& base, int room, QWidget* parent)
    : QDialog(parent), m_base(base), m_room(room) {
  setWindowTitle(tr("Compare"));
  setObjectName(QStringLiteral("compareDialog"));
  m_setting = new QComboBox(this);
  m_setting->setObjectName(QStringLiteral("setting"));
  for (const core::SettingMeta& meta : core::experimentSettings()) {
    if (meta.type == core::SettingType::RealList) continue;
    if (meta.relevant && !meta.relevant(base)) continue;
    m_setting->addItem(QStringLiteral("%1 › %2").arg(QString::fromStdString(meta.group),
                                                     QString::fromStdString(meta.label)),
                       QString::fromStdString(meta.key));
  }
  m_choices = new QListWidget(this);
  m_choices->setObjectName(QStringLiteral("choices"));
  m_numbers = new QLineEdit(this);
  m_numbers->setObjectName(QStringLiteral("numbers"));
  m_hint = new QLabel(this);
  m_hint->setWordWrap(true);
  m_result = new QLabel(this);
  m_result->setWordWrap(true);
  m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Compare"));

  auto* intro = new QLabel(
      tr("The selected run and a copy of it for each value train side by side, from step 0, "
         "with the same data, mini-batches and initial weights."),
      this);
  intro->setWordWrap(true);
  auto* form = new QFormLayout();
  form->addRow(tr("Vary"), m_setting);
  form->addRow(tr("Values"), m_choices);
  form->addRow(QString(), m_numbers);
  form->addRow(QString(), m_hint);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addLayout(form);
  layout->addWidget(m_result);
  layout->addWidget(m_buttons);

  connect(m_setting, &QComboBox::currentIndexChanged, this, &CompareDialog::settingChanged);
  connect(m_choices, &QListWidget::itemChanged, this, &CompareDialog::update);
  connect(m_numbers, &QLineEdit::textChanged, this, &CompareDialog::update);
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  setSetting(QStringLiteral("model.activation"));
  settingChanged();
  resize(440, sizeHint().height());
}

QString CompareDialog::setting() const { return m_setting->currentData().toString(); }

void CompareDialog::setSetting(const QString& key) {
  const int index = m_setting->findData(key);
  if (index >= 0) m_setting->setCurrentIndex(index);
}

void CompareDialog::setValues(const QStringList& values) {
  if (!m_listed) {
    m_numbers->setText(values.join(QStringLiteral(", ")));
    return;
  }
  const QSignalBlocker block(m_choices);
  for (int i = 0; i < m_choices->count(); ++i) {
    QListWidgetItem* item = m_choices->item(i);
    item->setCheckState(values.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
  }
  update();
}

void CompareDialog::settingChanged() {
  const core::SettingMeta* meta = metaOf(setting());
  if (!meta) return;
  const core::SettingValue current = meta->get(m_base);
  const bool listed =
      meta->type == core::SettingType::Choice || meta->type == core::SettingType::Bool;
  {
    const QSignalBlocker block(m_choices);
    m_choices->clear();
    if (meta->type == core::SettingType::Choice) {
      const std::string now = std::get<std::string>(current);
      for (const std::string& choice : meta->choices) {
        if (choice == now) continue;  // the selected run has it already
        auto* item = new QListWidgetItem(QString::fromStdString(choice), m_choices);
        item->setCheckState(Qt::Unchecked);
      }
    } else if (meta->type == core::SettingType::Bool) {
      auto* item = new QListWidgetItem(
          std::get<bool>(current) ? QStringLiteral("off") : QStringLiteral("on"), m_choices);
      item->setCheckState(Qt::Checked);
    }
  }
  m_listed = listed;
  m_choices->setVisible(listed);
  if (m_choices->count() > 0) {
    // As tall as its choices (no empty space under a short list).
    const int rows = std::min(m_choices->count(), 10);
    m_choices->setFixedHeight(rows * m_choices->sizeHintForRow(0) + 2 * m_choices->frameWidth());
  }
  m_numbers->setVisible(!listed);
  QString now;
  if (const auto* d = std::get_if<double>(&current)) now = fourDigits(*d);
  if (const auto* i = std::get_if<std::int64_t>(&current)) now = QString::number(*i);
  if (const auto* s = std::get_if<std::string>(&current)) now = QString::fromStdString(*s);
  if (const auto* b = std::get_if<bool>(&current)) now = *b ? tr("on") : tr("off");
  if (!listed) {
    // A start the user edits: a decade either side for rates, half and double otherwise.
    QString suggestion;
    if (const auto* d = std::get_if<double>(&current)) {
      suggestion = meta->logScale && *d > 0.0
                       ? QStringLiteral("%1, %2").arg(fourDigits(*d / 10.0), fourDigits(*d * 10.0))
                       : QStringLiteral("%1, %2").arg(fourDigits(*d / 2.0), fourDigits(*d * 2.0));
    } else if (const auto* i = std::get_if<std::int64_t>(&current)) {
      suggestion = QStringLiteral("%1, %2").arg(std::max<std::int64_t>(1, *i / 2)).arg(*i * 2);
    }
    // Text values (a layer list such as "300 relu, 100 relu") hold commas themselves.
    if (meta->type == core::SettingType::Text) suggestion = now;
    m_numbers->setText(suggestion);
    m_numbers->setPlaceholderText(meta->type == core::SettingType::Text
                                      ? tr("values separated by semicolons")
                                      : tr("values separated by commas"));
  }
  m_hint->setText(
      tr("The selected run has %1. %2").arg(now, QString::fromStdString(meta->tooltip)));
  update();
}

void CompareDialog::update() {
  m_variants.clear();
  m_error.clear();
  const core::SettingMeta* meta = metaOf(setting());
  QStringList values;
  if (m_listed) {
    for (int i = 0; i < m_choices->count(); ++i) {
      if (m_choices->item(i)->checkState() == Qt::Checked) values << m_choices->item(i)->text();
    }
  } else {
    const QChar separator =
        meta && meta->type == core::SettingType::Text ? QLatin1Char(';') : QLatin1Char(',');
    for (const QString& part : m_numbers->text().split(separator, Qt::SkipEmptyParts)) {
      if (!part.trimmed().isEmpty()) values << part.trimmed();
    }
  }
  if (!meta) {
    m_error = tr("choose a setting");
  } else if (values.isEmpty()) {
    m_error = tr("choose at least one value");
  } else if (values.size() > m_room) {
    m_error = tr("at most %1 more runs fit (8 in all)").arg(m_room);
  }
  for (const QString& value : values) {
    if (!m_error.isEmpty()) break;
    core::ExperimentConfig variant = m_base;
    try {
      core::setSetting(variant, meta->key, core::parseSettingValue(*meta, value.toStdString()));
      core::validate(variant);
    } catch (const core::Error& e) {
      m_error = tr("%1: %2").arg(value, QString::fromStdString(e.reason()));
      break;
    }
    if (variant == m_base) {
      m_error = tr("%1 is the selected run's value").arg(value);
      break;
    }
    m_variants.push_back(variant);
  }
  if (!m_error.isEmpty()) m_variants.clear();
  if (m_variants.isEmpty()) {
    m_result->setText(tr("Not yet: %1.").arg(m_error));
  } else {
    std::vector<core::ExperimentConfig> all{m_base};
    all.insert(all.end(), m_variants.begin(), m_variants.end());
    const app::RunNames names = app::nameRunsByDifference(all);
    m_result->setText(tr("Runs: %1").arg(names.names.join(QStringLiteral(", "))));
  }
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_variants.isEmpty());
}

QList<core::ExperimentConfig> CompareDialog::variants() const { return m_variants; }

}  // namespace gradscope::ui
