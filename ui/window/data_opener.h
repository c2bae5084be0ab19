// Real data in the dashboard: File → Open data… (and the Data panel's button), Recent data,
// data files dropped on the window. The file is previewed in the Open-data dialog, loaded off
// the GUI thread (a progress bar with Cancel in the status bar when it takes longer than a
// second), and only then handed to the runs: every run of the comparison restarts on the new
// data. A file that cannot be read leaves the running experiment untouched and says why in
// one line.
#pragma once

#include <QObject>
#include <QPointer>

#include <memory>

#include "app/data/data_load_job.h"
#include "app/sessions/session.h"

class QAction;
class QMenu;
class QProgressBar;
class QTimer;
class QToolButton;
class QWidget;

namespace gradscope::ui {

class MainWindow;

class DataOpener : public QObject {
  Q_OBJECT
 public:
  explicit DataOpener(MainWindow& window);
  ~DataOpener() override;

  QAction* openAction() const { return m_openAction; }
  QMenu* recentMenu() const { return m_recentMenu; }
  // Shows the Open-data dialog for `path` (asks for a file when empty); false when cancelled.
  bool open(const QString& path = {});
  // Loads `source` without a dialog (recent files, the command line, tests).
  void load(const app::DataSource& source);
  bool isLoading() const { return m_job != nullptr; }
  // Whether a dropped path is data (a .csv or .tsv file, an IDX file or a folder holding one).
  static bool isDataPath(const QString& path);

 signals:
  // The runs restarted on the data (the worker confirmed it).
  void loaded(const QString& location);
  void failed(const QString& message);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void finish(const app::DataLoadJob::Result& result);
  void giveToRuns(const app::LoadedData& loaded, const app::DataSource& source);
  void updateRecent();

  MainWindow& m_window;
  QAction* m_openAction = nullptr;
  QMenu* m_recentMenu = nullptr;
  QWidget* m_progressBox = nullptr;
  QProgressBar* m_progress = nullptr;
  QToolButton* m_cancel = nullptr;
  QTimer* m_showProgress = nullptr;
  std::unique_ptr<app::DataLoadJob> m_job;
  app::SessionPtr m_restoring;  // handed to the worker, not yet confirmed
  QString m_restoringLocation;
};

}  // namespace gradscope::ui
