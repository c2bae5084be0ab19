// "Compare…": the selected run and variants of it that differ in one setting, to train side
// by side. The user picks the setting (any of the schema's that applies to the run) and the
// values to try: ticks for named choices, numbers separated by commas otherwise. Each value
// is checked against the schema's range before the dialog accepts.
#pragma once

#include <QDialog>
#include <QList>

#include "core/model/experiment_config.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace gradscope::ui {

class CompareDialog : public QDialog {
  Q_OBJECT
 public:
  // `room`: how many runs may be added (8 minus the runs there are).
  CompareDialog(const core::ExperimentConfig& base, int room, QWidget* parent = nullptr);

  // The setting to vary (a schema key) and the values to try, as text ("relu", "0.1").
  void setSetting(const QString& key);
  void setValues(const QStringList& values);
  QString setting() const;
  // The variants, one per value; empty (and error() says why) when a value is refused.
  QList<core::ExperimentConfig> variants() const;
  QString error() const { return m_error; }

 private:
  void settingChanged();
  void update();

  core::ExperimentConfig m_base;
  int m_room = 0;
  QComboBox* m_setting = nullptr;
  QListWidget* m_choices = nullptr;
  QLineEdit* m_numbers = nullptr;
  QLabel* m_hint = nullptr;
  QLabel* m_result = nullptr;
  QDialogButtonBox* m_buttons = nullptr;
  bool m_listed = false;  // values are ticked in a list (choices, on/off), not typed
  QList<core::ExperimentConfig> m_variants;
  QString m_error;
};

}  // namespace gradscope::ui
