#include "ui/panels/scenario_panel.h"

#include <algorithm>

#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

QLabel* textLabel(QWidget* parent, const QString& name) {
  auto* label = new QLabel(parent);
  label->setObjectName(name);
  label->setWordWrap(true);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  return label;
}

QLabel* caption(QWidget* parent, const QString& text) {
  auto* label = new QLabel(text, parent);
  label->setWordWrap(true);
  QFont font = label->font();
  font.setBold(true);
  label->setFont(font);
  return label;
}

// Deletes the layout's widgets except `keep`, which is only taken out.
void clearLayout(QVBoxLayout* layout, QWidget* keep) {
  while (QLayoutItem* item = layout->takeAt(0)) {
    if (QWidget* widget = item->widget(); widget && widget != keep) widget->deleteLater();
    delete item;
  }
}

}  // namespace

QSize ScenarioPanel::sizeHint() const {
  return {fontMetrics().averageCharWidth() * 44, fontMetrics().height() * 30};
}

ScenarioPanel::ScenarioPanel(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // the text wraps instead
  scroll->setFrameShape(QFrame::NoFrame);
  outer->addWidget(scroll);

  auto* content = new QWidget(scroll);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(8, 8, 8, 8);
  m_placeholder = textLabel(content, QStringLiteral("placeholder"));
  m_placeholder->setText(
      tr("Pick a scenario from \"Scenarios…\" in the toolbar: each one loads the settings that "
         "show one claim of the lecture, with a question for the class and what to look at."));
  layout->addWidget(m_placeholder);

  m_body = new QWidget(content);
  auto* body = new QVBoxLayout(m_body);
  body->setContentsMargins(0, 0, 0, 0);
  m_title = textLabel(m_body, QStringLiteral("title"));
  body->addWidget(m_title);
  body->addWidget(caption(m_body, tr("Ask the class first")));
  m_question = textLabel(m_body, QStringLiteral("question"));
  body->addWidget(m_question);
  body->addWidget(caption(m_body, tr("What it shows")));
  m_story = textLabel(m_body, QStringLiteral("story"));
  body->addWidget(m_story);
  body->addWidget(caption(m_body, tr("Look at")));
  m_lookAt = textLabel(m_body, QStringLiteral("lookAt"));
  body->addWidget(m_lookAt);
  body->addWidget(caption(m_body, tr("The claim (checked by the scenarios test)")));
  m_claim = textLabel(m_body, QStringLiteral("claim"));
  body->addWidget(m_claim);
  m_reference = textLabel(m_body, QStringLiteral("reference"));
  body->addWidget(m_reference);

  m_automatic = new QCheckBox(tr("Apply live changes at their steps"), m_body);
  m_automatic->setObjectName(QStringLiteral("automaticActions"));
  m_automatic->setChecked(true);
  m_automatic->hide();  // shown with the live changes of a run that has some
  m_automatic->setToolTip(
      tr("When on, each live change is made as the run passes its step; its button makes it "
         "now."));
  m_buttons = new QVBoxLayout();
  body->addLayout(m_buttons);
  body->addStretch(1);
  layout->addWidget(m_body);
  layout->addStretch(1);
  m_body->hide();
  scroll->setWidget(content);
  restyle();
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, &ScenarioPanel::restyle);
}

void ScenarioPanel::restyle() {
  // Read from the back of a lecture hall: the title and the question larger than the text
  // (more so in presentation mode), the question upright and in full contrast, set off by a
  // bar in the accent colour rather than by a thin italic.
  const Theme& t = theme();
  QFont title = t.font();
  title.setBold(true);
  title.setPointSizeF(title.pointSizeF() * (t.presentation ? 1.5 : 1.25));
  m_title->setFont(title);
  QFont question = t.font();
  question.setBold(true);
  question.setPointSizeF(question.pointSizeF() * (t.presentation ? 1.3 : 1.1));
  m_question->setFont(question);
  m_question->setStyleSheet(QStringLiteral("QLabel { color: %1; border-left: 4px solid %2; "
                                           "padding-left: 6px; }")
                                .arg(t.foreground.name(), t.accent.name()));
}

void ScenarioPanel::setScenario(const app::Scenario& scenario, int run) {
  m_scenario = scenario;
  m_run = std::clamp(run, 0, int(scenario.runs.size()) - 1);
  m_next.assign(scenario.runs.size(), 0);
  m_armed.assign(scenario.runs.size(), false);
  m_title->setText(scenario.title);
  m_question->setText(scenario.question);
  m_story->setText(scenario.story);
  m_lookAt->setText(scenario.lookAt);
  m_claim->setText(scenario.claim);
  m_reference->setText(scenario.reference.isEmpty() ? QString()
                                                    : tr("Reference: %1").arg(scenario.reference));
  m_reference->setVisible(!scenario.reference.isEmpty());
  m_placeholder->hide();
  m_body->show();
  rebuildButtons();
}

void ScenarioPanel::rebuildButtons() {
  clearLayout(m_buttons, m_automatic);
  m_actionButtons.clear();
  const app::Scenario& s = *m_scenario;
  if (s.runs.size() > 1) {
    m_buttons->addWidget(caption(m_body, tr("Runs (side by side; the checked one is shown)")));
    for (int i = 0; i < int(s.runs.size()); ++i) {
      auto* button = new QPushButton(s.runs[std::size_t(i)].name, m_body);
      button->setObjectName(QStringLiteral("run%1").arg(i));
      button->setCheckable(true);
      button->setChecked(i == m_run);
      button->setToolTip(tr("Show this run in the charts and edit it in the panels"));
      connect(button, &QPushButton::clicked, this, [this, i] {
        if (i != m_run) emit runRequested(i);
        rebuildButtons();
      });
      m_buttons->addWidget(button);
    }
  }
  const std::vector<app::ScenarioAction>& actions = s.runs[std::size_t(m_run)].actions;
  // The switch governs every run's changes, so it stays while any run has some.
  const bool anyActions = std::any_of(s.runs.begin(), s.runs.end(),
                                      [](const app::ScenarioRun& r) { return !r.actions.empty(); });
  if (anyActions) {
    m_buttons->addWidget(
        caption(m_body, s.runs.size() > 1 ? tr("Live changes of this run") : tr("Live changes")));
    m_buttons->addWidget(m_automatic);
  }
  if (!actions.empty()) {
    for (std::size_t k = 0; k < actions.size(); ++k) {
      auto* button =
          new QPushButton(tr("Step %L1: %2").arg(actions[k].atStep).arg(actions[k].label), m_body);
      button->setObjectName(QStringLiteral("action%1").arg(k));
      button->setToolTip(tr("Make this change now (the weights are kept)"));
      connect(button, &QPushButton::clicked, this, [this, k] {
        const auto run = std::size_t(m_run);
        const auto& list = m_scenario->runs[run].actions;
        m_next[run] = std::max(m_next[run], k + 1);
        emit actionDue(m_run, list[k]);
      });
      m_actionButtons.push_back(button);
      m_buttons->addWidget(button);
    }
  }
  m_automatic->setVisible(anyActions);
  if (s.rangeTest) {
    m_buttons->addWidget(caption(m_body, tr("LR range test")));
    auto* button = new QPushButton(tr("Run the LR range test"), m_body);
    button->setObjectName(QStringLiteral("rangeTest"));
    button->setToolTip(
        tr("Trains a copy of the model while the rate grows (the run's weights "
           "are untouched); then press 'Use for 1cycle' in the Schedule panel"));
    const core::LrRangeTestSettings settings = *s.rangeTest;
    connect(button, &QPushButton::clicked, this,
            [this, settings] { emit rangeTestRequested(settings); });
    m_buttons->addWidget(button);
  }
}

void ScenarioPanel::showRun(int run) {
  if (!m_scenario || run < 0 || run >= int(m_scenario->runs.size()) || run == m_run) return;
  m_run = run;
  rebuildButtons();
}

void ScenarioPanel::stepReached(int run, std::int64_t step) {
  if (!m_scenario || run < 0 || run >= int(m_next.size())) return;
  const auto r = std::size_t(run);
  if (!m_armed[r] || !m_automatic->isChecked()) return;
  const std::vector<app::ScenarioAction>& actions = m_scenario->runs[r].actions;
  while (m_next[r] < actions.size() && actions[m_next[r]].atStep <= step) {
    emit actionDue(run, actions[m_next[r]++]);
  }
}

void ScenarioPanel::rearm(int run) {
  if (run < 0 || run >= int(m_next.size())) return;
  m_next[std::size_t(run)] = 0;
  m_armed[std::size_t(run)] = true;
}

std::int64_t ScenarioPanel::nextAutomaticStep() const {
  if (!m_scenario || !m_automatic->isChecked()) return -1;
  std::int64_t next = -1;
  for (std::size_t r = 0; r < m_next.size(); ++r) {
    const std::vector<app::ScenarioAction>& actions = m_scenario->runs[r].actions;
    if (!m_armed[r] || m_next[r] >= actions.size()) continue;
    const std::int64_t step = actions[m_next[r]].atStep;
    if (next < 0 || step < next) next = step;
  }
  return next;
}

int ScenarioPanel::appliedActions(int run) const {
  return run >= 0 && run < int(m_next.size()) ? int(m_next[std::size_t(run)]) : 0;
}

QString ScenarioPanel::text() const {
  if (!m_scenario) return m_placeholder->text();
  return QStringList{m_title->text(), m_question->text(), m_story->text(), m_lookAt->text(),
                     m_claim->text()}
      .join(QLatin1Char('\n'));
}

}  // namespace gradscope::ui
