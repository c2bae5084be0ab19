#include "app/loss_surface/loss_surface_job.h"

#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

#include "app/worker/training_controller.h"

namespace gradscope::app {

LossSurfaceJob::LossSurfaceJob(TrainingController* controller, QObject* parent)
    : QObject(parent), m_controller(controller) {
  connect(&m_watcher, &QFutureWatcher<Result>::progressValueChanged, this,
          &LossSurfaceJob::progressChanged);
  connect(&m_watcher, &QFutureWatcher<Result>::finished, this, [this] {
    m_computing = false;
    Result result;
    if (m_watcher.future().resultCount() > 0) {
      result = m_watcher.result();
    } else {
      result.cancelled = true;
    }
    emit finished(result);
  });
  if (m_controller) {
    connect(m_controller, &TrainingController::lossSurfaceInputReady, this,
            [this](int request, const LossSurfaceInputPtr& input) {
              if (request != m_request || !m_waiting) return;  // replaced or cancelled
              m_waiting = false;
              compute(input, m_settings);
            });
  }
}

LossSurfaceJob::~LossSurfaceJob() {
  if (m_watcher.isRunning()) {
    m_watcher.cancel();
    m_watcher.waitForFinished();
  }
}

void LossSurfaceJob::start(const core::LossSurfaceSettings& settings) {
  cancel();
  m_settings = settings;
  m_waiting = true;
  emit started();
  emit progressChanged(0);
  m_controller->prepareLossSurface(++m_request, settings.maxSamples);
}

void LossSurfaceJob::compute(LossSurfaceInputPtr input, const core::LossSurfaceSettings& settings) {
  if (m_watcher.isRunning()) {
    m_watcher.cancel();
    m_watcher.waitForFinished();
  }
  m_computing = true;
  m_watcher.setFuture(QtConcurrent::run([input, settings](QPromise<Result>& promise) {
    promise.setProgressRange(0, 100);
    Result result;
    if (!input || !input->loss) {
      result.error = input ? input->error : QStringLiteral("loss_surface: no run to measure");
      promise.addResult(std::move(result));
      return;
    }
    result.runName = input->runName;
    try {
      const core::LoadProgress progress = [&promise](double fraction) {
        promise.setProgressValue(int(fraction * 100));
        return !promise.isCanceled();
      };
      auto surface =
          core::computeLossSurface(*input->loss, input->history, settings, input->step, progress);
      if (!surface) return;  // cancelled: no result
      result.surface = std::make_shared<const core::LossSurface>(std::move(*surface));
    } catch (const core::Error& e) {
      result.error = QString::fromStdString(e.field() + ": " + e.reason());
    } catch (const std::bad_alloc&) {
      result.error = QStringLiteral("loss_surface: not enough memory");
    }
    promise.addResult(std::move(result));
  }));
}

void LossSurfaceJob::cancel() {
  if (m_waiting) {
    m_waiting = false;
    Result result;
    result.cancelled = true;
    emit finished(result);
  }
  if (m_watcher.isRunning()) m_watcher.cancel();
}

}  // namespace gradscope::app
