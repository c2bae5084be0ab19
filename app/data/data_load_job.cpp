#include "app/data/data_load_job.h"

#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

namespace gradscope::app {

DataLoadJob::DataLoadJob(DataSource source, QObject* parent)
    : QObject(parent), m_source(std::move(source)) {
  connect(&m_watcher, &QFutureWatcher<Result>::progressValueChanged, this,
          &DataLoadJob::progressChanged);
  connect(&m_watcher, &QFutureWatcher<Result>::finished, this, [this] {
    Result result;
    if (m_watcher.future().resultCount() > 0) {
      result = m_watcher.result();
    } else {
      result.cancelled = true;
    }
    emit finished(result);
  });
}

DataLoadJob::~DataLoadJob() {
  if (m_watcher.isRunning()) {
    m_watcher.cancel();
    m_watcher.waitForFinished();
  }
}

void DataLoadJob::start() {
  const DataSource source = m_source;
  m_watcher.setFuture(QtConcurrent::run([source](QPromise<Result>& promise) {
    promise.setProgressRange(0, 100);
    Result result;
    try {
      const core::LoadProgress progress = [&promise](double fraction) {
        promise.setProgressValue(int(fraction * 100));
        return !promise.isCanceled();
      };
      result.loaded = std::make_shared<LoadedData>(loadDataSource(source, progress));
    } catch (const core::Error& e) {
      result.cancelled = e.reason() == core::kLoadCancelled;
      result.error = QString::fromStdString(e.field() + ": " + e.reason());
    } catch (const std::bad_alloc&) {
      result.error = source.location + QStringLiteral(": not enough memory to load it");
    }
    promise.addResult(std::move(result));
  }));
}

void DataLoadJob::cancel() { m_watcher.cancel(); }

}  // namespace gradscope::app
