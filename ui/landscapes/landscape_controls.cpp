#include "ui/landscapes/landscape_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include "app/landscapes/landscape_model.h"
#include "ui/landscapes/landscape_style.h"
#include "ui/panels/number_spin_box.h"

namespace gradscope::ui {

namespace {

QIcon racerIcon(const QColor& color) {
  QPixmap pixmap(32, 32);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(Qt::black, 1.5));
  painter.setBrush(color);
  painter.drawEllipse(QRectF(4, 4, 24, 24));
  return QIcon(pixmap);
}

NumberSpinBox* numberBox(bool log, double lo, double hi, const QString& tip, QWidget* parent) {
  auto* box = new NumberSpinBox(log, parent);
  box->setRange(lo, hi);
  box->setToolTip(tip);
  return box;
}

// The schedules offered: those whose shape needs one length and at most one rate (the
// piecewise schedule's lists belong to the network trainer's panel).
const core::ScheduleKind kSchedules[] = {
    core::ScheduleKind::Constant,         core::ScheduleKind::ExponentialDecay,
    core::ScheduleKind::InverseTimeDecay, core::ScheduleKind::Power,
    core::ScheduleKind::Exponential,      core::ScheduleKind::CosineDecay,
    core::ScheduleKind::OneCycle};

QString scheduleLabel(core::ScheduleKind kind) {
  switch (kind) {
    case core::ScheduleKind::Constant:
      return QObject::tr("constant");
    case core::ScheduleKind::ExponentialDecay:
      return QObject::tr("exponential decay (Keras)");
    case core::ScheduleKind::InverseTimeDecay:
      return QObject::tr("inverse time decay (Keras)");
    case core::ScheduleKind::Power:
      return QObject::tr("power scheduling");
    case core::ScheduleKind::Exponential:
      return QObject::tr("exponential scheduling");
    case core::ScheduleKind::CosineDecay:
      return QObject::tr("cosine decay");
    case core::ScheduleKind::OneCycle:
      return QObject::tr("1cycle (over the race)");
    default:
      return QString::fromUtf8(core::toString(kind).data());
  }
}

}  // namespace

LandscapeControls::LandscapeControls(app::LandscapeModel* model, QWidget* parent)
    : QWidget(parent), m_model(model) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_tabs = new QTabWidget(this);
  m_tabs->addTab(buildOptimizersTab(), tr("Optimisers"));
  m_tabs->addTab(buildSettingsTab(), tr("Settings"));
  layout->addWidget(m_tabs);
  connect(m_model, &app::LandscapeModel::changed, this, &LandscapeControls::syncFromModel);
  syncFromModel();
}

QCheckBox* LandscapeControls::racerBox(core::OptimizerKind kind) const {
  return m_racers[std::size_t(core::optimizerIndex(kind))];
}

NumberSpinBox* LandscapeControls::rateBox(core::OptimizerKind kind) const {
  return m_rates[std::size_t(core::optimizerIndex(kind))];
}

QWidget* LandscapeControls::buildOptimizersTab() {
  auto* page = new QWidget;
  auto* grid = new QGridLayout(page);
  grid->setContentsMargins(6, 6, 6, 6);
  grid->setVerticalSpacing(3);
  grid->addWidget(new QLabel(tr("<b>race</b>"), page), 0, 0);
  grid->addWidget(new QLabel(tr("<b>learning rate</b>"), page), 0, 1);
  int row = 1;
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    const std::size_t i = std::size_t(core::optimizerIndex(kind));
    m_racers[i] = new QCheckBox(racerName(kind), page);
    m_racers[i]->setIcon(racerIcon(racerColor(kind)));
    m_racers[i]->setToolTip(tr("Race %1 from the start point").arg(racerName(kind)));
    m_rates[i] = numberBox(
        true, 1e-5, 10.0,
        tr("%1's learning rate (its initial or peak rate under a schedule)").arg(racerName(kind)),
        page);
    grid->addWidget(m_racers[i], row, 0);
    grid->addWidget(m_rates[i], row, 1);
    connect(m_racers[i], &QCheckBox::toggled, this,
            [this, kind](bool on) { m_model->setOptimizerEnabled(kind, on); });
    connect(m_rates[i], &QDoubleSpinBox::valueChanged, this,
            [this, kind](double rate) { m_model->setLearningRate(kind, rate); });
    ++row;
  }
  m_suggested = new QPushButton(tr("Suggested rates"), page);
  m_suggested->setToolTip(
      tr("Learning rates that show this surface's lesson from its default start"));
  connect(m_suggested, &QPushButton::clicked, m_model,
          &app::LandscapeModel::applySuggestedLearningRates);
  auto* all = new QPushButton(tr("All"), page);
  all->setToolTip(tr("Race all eight optimisers"));
  connect(all, &QPushButton::clicked, this, [this] {
    core::RaceSettings race = m_model->race();
    race.optimizers = core::allOptimizerKinds();
    m_model->setRace(race);
  });
  grid->addWidget(all, row, 0);
  grid->addWidget(m_suggested, row, 1);
  grid->setRowStretch(row + 1, 1);
  grid->setColumnStretch(1, 1);
  return page;
}

QWidget* LandscapeControls::buildSettingsTab() {
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* page = new QWidget;
  auto* form = new QFormLayout(page);
  form->setContentsMargins(6, 6, 6, 6);
  form->setVerticalSpacing(3);

  m_momentum = numberBox(false, 0.0, 1.0,
                         tr("SGD with momentum and Nesterov: momentum (Keras "
                            "SGD momentum)"),
                         page);
  m_rho = numberBox(false, 0.0, 1.0, tr("RMSprop: decay of the squared-gradient average"), page);
  m_beta1 =
      numberBox(false, 0.0, 0.999, tr("Adam, AdaMax, Nadam: decay of the first moment"), page);
  m_beta2 = numberBox(false, 0.0, 0.9999,
                      tr("Adam, AdaMax, Nadam: decay of the second moment (AdaMax: of the "
                         "infinity norm)"),
                      page);
  m_epsilon =
      numberBox(true, 1e-12, 1.0, tr("AdaGrad, RMSprop and the Adam family: epsilon"), page);
  form->addRow(tr("momentum"), m_momentum);
  form->addRow(tr("rho"), m_rho);
  form->addRow(tr("beta_1"), m_beta1);
  form->addRow(tr("beta_2"), m_beta2);
  form->addRow(tr("epsilon"), m_epsilon);
  connect(m_momentum, &QDoubleSpinBox::valueChanged, m_model, &app::LandscapeModel::setMomentum);
  connect(m_rho, &QDoubleSpinBox::valueChanged, m_model, &app::LandscapeModel::setRho);
  connect(m_beta1, &QDoubleSpinBox::valueChanged, m_model, &app::LandscapeModel::setBeta1);
  connect(m_beta2, &QDoubleSpinBox::valueChanged, m_model, &app::LandscapeModel::setBeta2);
  connect(m_epsilon, &QDoubleSpinBox::valueChanged, m_model, &app::LandscapeModel::setEpsilon);

  m_clipMode = new QComboBox(page);
  m_clipMode->addItem(tr("none"), int(core::ClipMode::None));
  m_clipMode->addItem(tr("clipvalue"), int(core::ClipMode::Value));
  m_clipMode->addItem(tr("clipnorm"), int(core::ClipMode::Norm));
  m_clipMode->addItem(tr("global_clipnorm"), int(core::ClipMode::GlobalNorm));
  m_clipMode->setToolTip(tr("Gradient clipping, as Keras's optimiser arguments"));
  m_clipThreshold = numberBox(true, 1e-6, 1e6, tr("Clipping threshold"), page);
  form->addRow(tr("clipping"), m_clipMode);
  form->addRow(tr("threshold"), m_clipThreshold);
  connect(m_clipMode, &QComboBox::currentIndexChanged, this, &LandscapeControls::applyClip);
  connect(m_clipThreshold, &QDoubleSpinBox::valueChanged, this, &LandscapeControls::applyClip);

  m_schedule = new QComboBox(page);
  for (core::ScheduleKind kind : kSchedules) m_schedule->addItem(scheduleLabel(kind), int(kind));
  m_schedule->setToolTip(
      tr("Learning-rate schedule; each optimiser starts (1cycle: peaks) at "
         "its own rate"));
  m_decaySteps = numberBox(false, 1.0, 1e6, tr("Schedule: decay steps"), page);
  m_decayRate = numberBox(false, 1e-4, 1.0, tr("Schedule: decay rate"), page);
  form->addRow(tr("schedule"), m_schedule);
  form->addRow(tr("decay steps"), m_decaySteps);
  form->addRow(tr("decay rate"), m_decayRate);
  connect(m_schedule, &QComboBox::currentIndexChanged, this, &LandscapeControls::applySchedule);
  connect(m_decaySteps, &QDoubleSpinBox::valueChanged, this, &LandscapeControls::applySchedule);
  connect(m_decayRate, &QDoubleSpinBox::valueChanged, this, &LandscapeControls::applySchedule);

  m_steps = new QSpinBox(page);
  m_steps->setRange(1, 20000);
  m_steps->setSingleStep(100);
  m_steps->setKeyboardTracking(false);
  m_steps->setToolTip(tr("Updates each optimiser takes"));
  form->addRow(tr("steps"), m_steps);
  connect(m_steps, &QSpinBox::valueChanged, m_model, &app::LandscapeModel::setSteps);

  scroll->setWidget(page);
  return scroll;
}

void LandscapeControls::applyClip() {
  core::ClipSettings clip;
  clip.mode = core::ClipMode(m_clipMode->currentData().toInt());
  clip.threshold = m_clipThreshold->value();
  m_model->setClip(clip);
}

void LandscapeControls::applySchedule() {
  core::ScheduleSettings schedule = m_model->race().schedule;
  schedule.kind = core::ScheduleKind(m_schedule->currentData().toInt());
  schedule.decaySteps = m_decaySteps->value();
  schedule.decayRate = m_decayRate->value();
  if (schedule.kind == core::ScheduleKind::OneCycle) schedule.totalSteps = 0;  // the race
  m_model->setSchedule(schedule);
}

void LandscapeControls::updateEnabled() {
  const auto kind = core::ScheduleKind(m_schedule->currentData().toInt());
  const bool length = kind != core::ScheduleKind::Constant && kind != core::ScheduleKind::OneCycle;
  const bool rate =
      kind == core::ScheduleKind::ExponentialDecay || kind == core::ScheduleKind::InverseTimeDecay;
  m_decaySteps->setEnabled(length);
  m_decayRate->setEnabled(rate);
  m_clipThreshold->setEnabled(core::ClipMode(m_clipMode->currentData().toInt()) !=
                              core::ClipMode::None);
}

void LandscapeControls::syncFromModel() {
  const core::RaceSettings& race = m_model->race();
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    const QSignalBlocker a(racerBox(kind)), b(rateBox(kind));
    racerBox(kind)->setChecked(m_model->isOptimizerEnabled(kind));
    rateBox(kind)->setValue(race.learningRate(kind));
  }
  const std::pair<NumberSpinBox*, double> values[] = {{m_momentum, race.momentum},
                                                      {m_rho, race.rho},
                                                      {m_beta1, race.beta1},
                                                      {m_beta2, race.beta2},
                                                      {m_epsilon, race.epsilon},
                                                      {m_clipThreshold, race.clip.threshold},
                                                      {m_decaySteps, race.schedule.decaySteps},
                                                      {m_decayRate, race.schedule.decayRate}};
  for (const auto& [box, value] : values) {
    const QSignalBlocker blocker(box);
    box->setValue(value);
  }
  {
    const QSignalBlocker blocker(m_clipMode);
    m_clipMode->setCurrentIndex(m_clipMode->findData(int(race.clip.mode)));
  }
  {
    const QSignalBlocker blocker(m_schedule);
    int index = m_schedule->findData(int(race.schedule.kind));
    if (index < 0) {  // a session with a schedule this panel does not offer
      m_schedule->addItem(scheduleLabel(race.schedule.kind), int(race.schedule.kind));
      index = m_schedule->count() - 1;
    }
    m_schedule->setCurrentIndex(index);
  }
  {
    const QSignalBlocker blocker(m_steps);
    m_steps->setValue(race.steps);
  }
  updateEnabled();
}

}  // namespace gradscope::ui
