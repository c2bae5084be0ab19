// Drives a TrainingWorker on the calling thread, with a MetricHistory fed by its snapshots,
// exactly as the dashboard does on its two threads: the command line trains through it, and
// tests use it to train, save, open and train on. Same worker, same history code, so a
// headless run and a GUI run of a session produce the same numbers.
#pragma once

#include <QEventLoop>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

#include "app/history/metric_history.h"
#include "app/sessions/session.h"
#include "app/worker/training_worker.h"

namespace gradscope::app {

class SessionRunner : public QObject {
  Q_OBJECT
 public:
  explicit SessionRunner(const core::ExperimentConfig& config = {}, QObject* parent = nullptr);
  ~SessionRunner() override;

  // Replaces the experiment with the session's (checked first: on failure `error` says
  // "field: reason" and nothing changed) and restores its history.
  bool open(const SessionPtr& session, const QString& baseDirectory, QString* error = nullptr);
  // Trains `steps` more steps, stopping early at the end of the planned epochs, at early
  // stopping or at divergence; `progress` sees every snapshot. Returns the final state.
  RunState train(qint64 steps, const std::function<void(const Snapshot&)>& progress = {});
  // Applies a configuration change as the settings panel would; false and `error` if refused.
  bool applyConfig(const core::ExperimentConfig& config, QString* error = nullptr);

  // The session as it stands: runs with their exact state and history, plus the opened
  // session's name, note, layout and landscape.
  Session capture();

  MetricHistory& history() { return m_history; }
  TrainingWorker& worker() { return *m_worker; }
  const core::ExperimentConfig& config() const { return m_config; }
  RunState state() const { return m_state; }
  const QString& status() const { return m_status; }
  std::int64_t currentStep() const { return m_step; }
  int currentEpoch() const { return m_epoch; }
  // The newest learning-rate plan the worker sent (the selected run's), as a chart gets it.
  const std::shared_ptr<const LearningRatePlan>& learningRatePlan() const { return m_plan; }
  void setLrRangeTest(const core::LrRangeTestResult& result) { m_lrRangeTest = result; }

 private:
  std::unique_ptr<TrainingWorker> m_worker;
  MetricHistory m_history;
  core::ExperimentConfig m_config;
  RunState m_state = RunState::Idle;
  QString m_status;
  std::int64_t m_step = 0;
  int m_epoch = 0;
  std::shared_ptr<const LearningRatePlan> m_plan;
  Session m_extras;  // name, note, layout, landscape of the opened session
  std::optional<core::LrRangeTestResult> m_lrRangeTest;
  QEventLoop* m_loop = nullptr;
  std::function<void(const Snapshot&)> m_progress;
};

}  // namespace gradscope::app
