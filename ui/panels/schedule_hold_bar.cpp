#include "ui/panels/schedule_hold_bar.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QPushButton>

#include "ui/panels/config_editor.h"

namespace gradscope::ui {

ScheduleHoldBar::ScheduleHoldBar(ConfigEditor& editor, QWidget* parent)
    : QWidget(parent), m_editor(editor) {
  m_hold = new QCheckBox(tr("Hold changes"), this);
  m_hold->setObjectName(QStringLiteral("holdSchedule"));
  m_hold->setToolTip(
      tr("Schedule changes wait for Apply: the plan above shows the whole plan they would give "
         "(dashed) beside the one in use. Every other setting still applies at once."));
  m_apply = new QPushButton(tr("Apply"), this);
  m_apply->setObjectName(QStringLiteral("applySchedule"));
  m_apply->setToolTip(tr("The run takes the held schedule from its current step"));
  m_discard = new QPushButton(tr("Discard"), this);
  m_discard->setObjectName(QStringLiteral("discardSchedule"));
  m_discard->setToolTip(tr("Forget the held change; the schedule in use stays"));
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(m_hold, 1);
  row->addWidget(m_apply);
  row->addWidget(m_discard);
  connect(m_hold, &QCheckBox::toggled, &m_editor, &ConfigEditor::setHolding);
  connect(m_apply, &QPushButton::clicked, &m_editor, &ConfigEditor::applyHeld);
  connect(m_discard, &QPushButton::clicked, &m_editor, &ConfigEditor::discardHeld);
  connect(&m_editor, &ConfigEditor::heldChanged, this, &ScheduleHoldBar::update);
  update();
}

void ScheduleHoldBar::update() {
  m_hold->setChecked(m_editor.holding());
  const bool held = m_editor.held().has_value();
  m_apply->setEnabled(held);
  m_discard->setEnabled(held);
  m_apply->setVisible(m_editor.holding());
  m_discard->setVisible(m_editor.holding());
}

}  // namespace gradscope::ui
