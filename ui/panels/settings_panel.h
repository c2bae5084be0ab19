// A control panel generated from the settings schema: every setting of one group (Data,
// Network, Optimiser, Schedule, Training) as a widget of its type, with its label, unit and
// tooltip (the lecture's one or two sentences, plus when the change takes effect). Settings
// that do not apply to the experiment are greyed out; a setting kept but not read (the
// learning rate under a decaying schedule) is greyed out with the reason in its tooltip and
// shows the value in use. Every edit applies live through the
// ConfigEditor; a refused value shows its reason in red under the field.
#pragma once

#include <QHash>
#include <QString>
#include <QWidget>

#include <vector>

#include "core/model/settings_schema.h"

class QFormLayout;
class QLabel;
class QTimer;
class QVBoxLayout;

namespace gradscope::ui {

class ConfigEditor;

class SettingsPanel : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kDebounceMilliseconds = 150;

  SettingsPanel(const QString& group, ConfigEditor& editor, QWidget* parent = nullptr);

  const QString& group() const { return m_group; }
  // Extra widgets above or under the settings (the schedule's preview and range test).
  void addExtra(QWidget* widget, bool above = false);
  bool hasSetting(const QString& key) const { return m_rows.contains(key); }
  QWidget* editorFor(const QString& key) const;
  QLabel* labelFor(const QString& key) const;
  // The reason a value was refused, or empty.
  QString errorFor(const QString& key) const;
  void showError(const QString& key, const QString& reason);

  // The tooltip line that says when a change takes effect.
  static QString effectText(core::SettingEffect effect);

 private:
  struct Row {
    const core::SettingMeta* meta = nullptr;
    QLabel* label = nullptr;
    QWidget* editor = nullptr;
    QLabel* error = nullptr;
    QTimer* debounce = nullptr;
    QString tip;  // the schema's tooltip, before any reason the setting is not read
  };
  void addRow(const core::SettingMeta& meta);
  void commit(const QString& key);
  void refresh();
  void clearError(Row& row);

  QString m_group;
  ConfigEditor& m_editor;
  QFormLayout* m_form = nullptr;
  QVBoxLayout* m_above = nullptr;
  QVBoxLayout* m_extras = nullptr;
  QHash<QString, Row> m_rows;
  std::vector<QString> m_order;
};

}  // namespace gradscope::ui
