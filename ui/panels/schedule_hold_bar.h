// "Hold changes" for the Schedule panel: while ticked, schedule edits wait for Apply and the
// plan preview draws the whole plan they would give beside the one in use, so that a lecturer
// can show (and check) what a new schedule will do before the run takes it. Discard, or
// unticking, keeps the schedule in use.
#pragma once

#include <QWidget>

class QCheckBox;
class QPushButton;

namespace gradscope::ui {

class ConfigEditor;

class ScheduleHoldBar : public QWidget {
  Q_OBJECT
 public:
  explicit ScheduleHoldBar(ConfigEditor& editor, QWidget* parent = nullptr);

  QCheckBox* holdBox() const { return m_hold; }
  QPushButton* applyButton() const { return m_apply; }
  QPushButton* discardButton() const { return m_discard; }

 private:
  void update();

  ConfigEditor& m_editor;
  QCheckBox* m_hold = nullptr;
  QPushButton* m_apply = nullptr;
  QPushButton* m_discard = nullptr;
};

}  // namespace gradscope::ui
