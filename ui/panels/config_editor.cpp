#include "ui/panels/config_editor.h"

namespace gradscope::ui {

ConfigEditor::ConfigEditor(app::TrainingController& controller, QObject* parent)
    : QObject(parent), m_controller(controller), m_draft(controller.config()), m_shown(m_draft) {
  connect(&controller, &app::TrainingController::configApplied, this,
          [this](const core::ExperimentConfig& applied, const QStringList&) {
            m_pending = std::max(0, m_pending - 1);
            if (m_pending > 0) return;  // a later edit is on its way: keep showing it
            m_draft = applied;
            updateShown();
          });
  connect(&controller, &app::TrainingController::commandFailed, this,
          [this](const QString& field, const QString& reason) {
            m_pending = std::max(0, m_pending - 1);
            if (m_pending == 0) {
              m_draft = m_controller.config();
              updateShown();
            }
            emit fieldFailed(field, reason);
          });
}

bool ConfigEditor::set(const std::string& key, const core::SettingValue& value, QString* error) {
  const bool held = m_holding && key.starts_with("schedule.");
  // A held schedule edit builds on the held schedule; anything else on what is in use.
  const core::ExperimentConfig& from = held ? m_shown : m_draft;
  core::ExperimentConfig next = from;
  QString note;
  try {
    core::setSetting(next, key, value);
    if (key == "schedule.type" && next.schedule.kind == core::ScheduleKind::OneCycle &&
        from.schedule.kind != core::ScheduleKind::OneCycle) {
      // 1cycle fitted to the run: over the planned steps, peaking at the rate in use (not at
      // a default that may be 20 times it); the LR range test finds a better peak.
      const double rate = next.optimizer.learningRate;
      core::setSetting(next, "schedule.total_steps", std::int64_t(0));
      core::setSetting(next, "schedule.max_rate", rate);
      note = tr("1cycle: peaks at the learning rate in use (%1), starts at %2 and spans the "
                "planned steps; the LR range test can suggest a better peak")
                 .arg(rate, 0, 'g', 3)
                 .arg(rate / next.schedule.startDivisor, 0, 'g', 3);
    }
    core::validate(next);
  } catch (const core::Error& e) {
    if (error) {
      *error = e.field() == key ? QString::fromStdString(e.reason())
                                : QStringLiteral("%1: %2").arg(QString::fromStdString(e.field()),
                                                               QString::fromStdString(e.reason()));
    }
    return false;
  }
  if (held) {
    setHeld(next.schedule);
    if (!note.isEmpty()) emit notice(note);
    return true;
  }
  if (next == m_draft) return true;
  const core::SettingMeta* meta = core::findSetting(key);
  const QString label = meta ? QString::fromStdString(meta->label) : QString::fromStdString(key);
  if (!mayRedraw(next, tr("Changing “%1”").arg(label))) return true;
  send(next);
  if (!note.isEmpty()) emit notice(note);
  return true;
}

void ConfigEditor::apply(const core::ExperimentConfig& config) {
  m_held.reset();  // a whole new configuration: nothing held is left to apply
  send(config);
  m_controller.holdSchedule(std::nullopt);
  emit heldChanged();
}

void ConfigEditor::setHolding(bool holding) {
  if (holding == m_holding) return;
  m_holding = holding;
  if (!holding) {
    discardHeld();
  } else {
    emit heldChanged();
  }
}

void ConfigEditor::applyHeld() {
  if (!m_held) return;
  core::ExperimentConfig next = m_draft;
  next.schedule = *m_held;
  m_held.reset();
  send(next);
  m_controller.holdSchedule(std::nullopt);
  emit heldChanged();
}

void ConfigEditor::discardHeld() { setHeld(std::nullopt); }

void ConfigEditor::setHeld(std::optional<core::ScheduleSettings> held) {
  if (held && *held == m_draft.schedule) held.reset();  // no change from the one in use
  const bool changed = held != m_held;
  m_held = std::move(held);
  updateShown();
  m_controller.holdSchedule(m_held);
  if (changed || !m_held) emit heldChanged();
}

void ConfigEditor::updateShown() {
  m_shown = m_draft;
  if (m_held) m_shown.schedule = *m_held;
  emit configChanged(m_shown);
}

bool ConfigEditor::edit(const core::ExperimentConfig& edited) {
  // Built from what the panels show: a held schedule stays held.
  core::ExperimentConfig config = edited;
  if (m_held) config.schedule = m_draft.schedule;
  if (config == m_draft) return true;
  if (!mayRedraw(config, tr("Changing the layers"))) return false;
  send(config);
  return true;
}

bool ConfigEditor::mayRedraw(const core::ExperimentConfig& next, const QString& action) {
  if (!m_discardCheck || !core::redrawsWeights(m_draft.model, next.model)) return true;
  if (m_discardCheck(action)) return true;
  // Kept: the panels show the configuration in use again.
  emit configChanged(m_draft);
  return false;
}

void ConfigEditor::adopt(const core::ExperimentConfig& config) {
  if (config == m_draft) return;
  m_draft = config;
  // Another run: a schedule held for the previous one is not this one's.
  if (m_held) {
    m_held.reset();
    m_controller.holdSchedule(std::nullopt);
    emit heldChanged();
  }
  updateShown();
}

void ConfigEditor::send(const core::ExperimentConfig& config) {
  m_draft = config;
  ++m_pending;
  m_controller.applyConfig(config);
  updateShown();
}

}  // namespace gradscope::ui
