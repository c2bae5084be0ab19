// Open data…: what a file or folder holds before it is loaded. For a CSV file: the detected
// delimiter and header (both overridable), the first rows, the target column chosen from a
// list and the task (detected from the first rows, or chosen). For IDX files: the image and
// label files found and the test pair used as the test split. A file that cannot be read says
// why, in one line, and cannot be accepted.
#pragma once

#include <QDialog>

#include "app/data/data_source.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QTableWidget;

namespace gradscope::ui {

class OpenDataDialog : public QDialog {
  Q_OBJECT
 public:
  OpenDataDialog(const QString& path, QWidget* parent = nullptr);

  // The data to load, as chosen.
  app::DataSource source() const;
  // The message shown for an unreadable file (empty when the preview worked).
  QString error() const;

  // For tests and callers that preset a choice.
  QComboBox* targetBox() const { return m_target; }
  QComboBox* taskBox() const { return m_task; }
  QComboBox* delimiterBox() const { return m_delimiter; }
  QTableWidget* previewTable() const { return m_preview; }

 private:
  void refresh();
  void showError(const QString& message);

  QString m_path;
  bool m_csv = true;
  QLabel* m_summary = nullptr;
  QLabel* m_error = nullptr;
  QComboBox* m_delimiter = nullptr;
  QComboBox* m_header = nullptr;
  QComboBox* m_target = nullptr;
  QComboBox* m_task = nullptr;
  QTableWidget* m_preview = nullptr;
  QDialogButtonBox* m_buttons = nullptr;
  bool m_refreshing = false;
};

}  // namespace gradscope::ui
