// The experiment the control panels edit, shared by all of them: each edit builds the next
// configuration from the latest one (sent or acknowledged), validates it against the settings
// schema and sends it to the worker. The worker's acknowledgement (configApplied) becomes the
// truth the panels show once no other edit is on its way.
#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

#include "app/worker/training_controller.h"
#include "core/model/experiment_config.h"
#include "core/model/settings_schema.h"

namespace gradscope::ui {

class ConfigEditor : public QObject {
  Q_OBJECT
 public:
  explicit ConfigEditor(app::TrainingController& controller, QObject* parent = nullptr);

  // The configuration the panels show: the last one sent, or the worker's if none is pending,
  // with the schedule held back if there is one.
  const core::ExperimentConfig& config() const { return m_shown; }
  // Validates and sends one setting; false (and `error`, naming the reason) when refused.
  // Switching the schedule to 1cycle also fits it to the run: the cycle spans the planned
  // steps and peaks at the learning rate in use (notice() says so).
  bool set(const std::string& key, const core::SettingValue& value, QString* error = nullptr);
  // Sends a whole configuration (preset, opened file: the caller asked before discarding).
  void apply(const core::ExperimentConfig& config);
  // Sends an edit of the network made in a panel (layer list, per-layer activations); an edit
  // that redraws trained weights asks first. False when the user kept the trained run.
  bool edit(const core::ExperimentConfig& config);
  // Asked before an edit redraws trained weights (`action` names it, e.g. "Changing the
  // layers"); true to go ahead. Unset: never asked.
  using DiscardCheck = std::function<bool(const QString& action)>;
  void setDiscardCheck(DiscardCheck check) { m_discardCheck = std::move(check); }
  // Shows another run's configuration without sending anything (the dashboard switched to
  // another run of a comparison; the worker's acknowledgement follows).
  void adopt(const core::ExperimentConfig& config);
  int pending() const { return m_pending; }

  // Holding: schedule edits are kept back until applyHeld(), shown in the panels while the
  // worker previews the plan they would give (Snapshot::heldPlan); every other setting still
  // applies live. Turning it off discards a held change.
  void setHolding(bool holding);
  bool holding() const { return m_holding; }
  // The schedule held back (differing from the one in use), or none.
  const std::optional<core::ScheduleSettings>& held() const { return m_held; }
  void applyHeld();
  void discardHeld();

 signals:
  // The shown configuration changed (an edit was sent, or the worker acknowledged one).
  void configChanged(const gradscope::core::ExperimentConfig& config);
  // The worker refused a change: the field it names (a settings key when it is one) and why.
  void fieldFailed(const QString& field, const QString& reason);
  // A change made on the user's behalf, in words (for the status bar).
  void notice(const QString& text);
  // Holding turned on or off, or the held schedule changed.
  void heldChanged();

 private:
  void send(const core::ExperimentConfig& config);
  // m_shown from m_draft and m_held; emits configChanged.
  void updateShown();
  void setHeld(std::optional<core::ScheduleSettings> held);
  // True when `next` may be sent: it keeps every trained weight, or the user agreed.
  bool mayRedraw(const core::ExperimentConfig& next, const QString& action);

  app::TrainingController& m_controller;
  core::ExperimentConfig m_draft;
  core::ExperimentConfig m_shown;
  bool m_holding = false;
  std::optional<core::ScheduleSettings> m_held;
  int m_pending = 0;
  DiscardCheck m_discardCheck;
};

}  // namespace gradscope::ui
