// Loads a DataSource off the GUI thread (QtConcurrent), reporting progress and honouring
// Cancel: the dashboard shows a progress bar when a load takes longer than a second, and the
// running experiment is not touched until the data has loaded without error.
#pragma once

#include <QFutureWatcher>
#include <QObject>

#include <memory>

#include "app/data/data_source.h"

namespace gradscope::app {

class DataLoadJob : public QObject {
  Q_OBJECT
 public:
  struct Result {
    std::shared_ptr<LoadedData> loaded;  // null on failure or cancel
    QString error;                       // "file:line: reason"
    bool cancelled = false;
  };

  explicit DataLoadJob(DataSource source, QObject* parent = nullptr);
  ~DataLoadJob() override;

  const DataSource& source() const { return m_source; }
  void start();
  void cancel();
  bool isRunning() const { return m_watcher.isRunning(); }

 signals:
  void progressChanged(int percent);
  void finished(const gradscope::app::DataLoadJob::Result& result);

 private:
  DataSource m_source;
  QFutureWatcher<Result> m_watcher;
};

}  // namespace gradscope::app
