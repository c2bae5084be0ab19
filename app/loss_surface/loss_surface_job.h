// Computes the loss surface of the selected run in the background: asks the worker for a copy
// of the run (LossSurfaceInput, taken between two steps), then evaluates the slice, the
// trajectory's plane or the interpolation on a pool thread (QtConcurrent), reporting progress
// and honouring Cancel. The run keeps training throughout; the GUI thread only receives the
// finished surface. A new request replaces the one under way.
#pragma once

#include <QFutureWatcher>
#include <QObject>

#include <memory>

#include "app/loss_surface/loss_surface_input.h"
#include "core/loss_surface/loss_surface.h"

namespace gradscope::app {

class TrainingController;

class LossSurfaceJob : public QObject {
  Q_OBJECT
 public:
  struct Result {
    std::shared_ptr<const core::LossSurface> surface;  // null on failure or cancel
    QString runName;
    QString error;  // "field: reason"
    bool cancelled = false;
  };

  explicit LossSurfaceJob(TrainingController* controller, QObject* parent = nullptr);
  ~LossSurfaceJob() override;

  // Asks the worker for the selected run's copy and computes `settings.mode` from it.
  void start(const core::LossSurfaceSettings& settings);
  // Computes from an input already taken (the worker's answer; tests and headless runs).
  void compute(LossSurfaceInputPtr input, const core::LossSurfaceSettings& settings);
  void cancel();
  // From start() until finished() has been emitted.
  bool isRunning() const { return m_waiting || m_computing; }

 signals:
  void started();
  void progressChanged(int percent);
  void finished(const gradscope::app::LossSurfaceJob::Result& result);

 private:
  TrainingController* m_controller = nullptr;
  QFutureWatcher<Result> m_watcher;
  core::LossSurfaceSettings m_settings;
  int m_request = 0;
  bool m_waiting = false;    // for the worker's copy
  bool m_computing = false;  // the pool thread's part, until its finished() is handled
};

}  // namespace gradscope::app
