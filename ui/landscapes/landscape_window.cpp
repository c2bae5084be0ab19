#include "ui/landscapes/landscape_window.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "app/landscapes/landscape_model.h"
#include "ui/charts/chart_view.h"
#include "ui/export/image_export.h"
#include "ui/landscapes/landscape_controls.h"
#include "ui/landscapes/landscape_loss_chart.h"
#include "ui/landscapes/landscape_map_view.h"
#include "ui/panels/number_spin_box.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

QString functionLabel(core::LandscapeKind kind) {
  switch (kind) {
    case core::LandscapeKind::QuadraticBowl:
      return QObject::tr("Elongated quadratic bowl");
    case core::LandscapeKind::Rosenbrock:
      return QObject::tr("Rosenbrock valley");
    case core::LandscapeKind::Beale:
      return QObject::tr("Beale");
    case core::LandscapeKind::Saddle:
      return QObject::tr("Saddle point");
    case core::LandscapeKind::GaussianWells:
      return QObject::tr("Local minimum (Gaussian wells)");
  }
  return {};
}

const double kSpeeds[] = {10, 30, 100, 300, 1000};

}  // namespace

LandscapeWindow::LandscapeWindow(app::LandscapeModel* model, QWidget* parent)
    : QWidget(parent, Qt::Window), m_model(model) {
  setWindowTitle(tr("GradScope \xE2\x80\x94 Landscapes"));
  setObjectName(QStringLiteral("LandscapeWindow"));

  m_map = new LandscapeMapView(m_model, this);
  m_loss = new LandscapeLossChart(m_model, this);
  m_controls = new LandscapeControls(m_model, this);

  auto* right = new QSplitter(Qt::Vertical, this);
  right->addWidget(m_loss);
  right->addWidget(m_controls);
  right->setStretchFactor(0, 2);
  right->setStretchFactor(1, 3);
  right->setChildrenCollapsible(false);

  auto* main = new QSplitter(Qt::Horizontal, this);
  main->addWidget(m_map);
  main->addWidget(right);
  main->setStretchFactor(0, 3);
  main->setStretchFactor(1, 2);
  main->setSizes({760, 500});
  right->setSizes({380, 280});
  main->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(4);
  layout->addWidget(buildSurfaceRow());
  layout->addWidget(main, 1);
  layout->addWidget(buildPlaybackBar());

  connect(m_model, &app::LandscapeModel::changed, this, &LandscapeWindow::syncFromModel);
  connect(m_model, &app::LandscapeModel::cursorChanged, this, &LandscapeWindow::syncCursor);
  connect(m_model, &app::LandscapeModel::playingChanged, this, &LandscapeWindow::syncPlaying);
  connect(m_model, &app::LandscapeModel::invalidSetting, this,
          [this](const QString& field, const QString& reason) {
            m_message->setText(QStringLiteral("%1: %2").arg(field, reason));
          });
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, &LandscapeWindow::applyTheme);
  applyTheme();
  syncFromModel();
  syncPlaying(m_model->playing());
  resize(1280, 720);
}

QString LandscapeWindow::messageText() const { return m_message->text(); }

QWidget* LandscapeWindow::buildSurfaceRow() {
  auto* row = new QWidget(this);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  h->addWidget(new QLabel(tr("Surface"), row));
  m_function = new QComboBox(row);
  for (core::LandscapeKind kind : core::allLandscapeKinds()) {
    m_function->addItem(functionLabel(kind), int(kind));
  }
  m_function->setToolTip(
      tr("The loss surface; a new one starts from its default start with its "
         "suggested learning rates"));
  h->addWidget(m_function);
  m_conditionLabel = new QLabel(tr("condition \xCE\xBA"), row);
  m_condition = new NumberSpinBox(true, row);
  m_condition->setRange(1.0, 1e4);
  m_condition->setToolTip(tr("Ratio of the steep to the shallow curvature"));
  m_rotationLabel = new QLabel(tr("rotation \xCE\xB8 (\xC2\xB0)"), row);
  m_rotation = new NumberSpinBox(false, row);
  m_rotation->setRange(-180.0, 180.0);
  m_rotation->setToolTip(tr("Angle of the shallow axis to the x axis"));
  h->addWidget(m_conditionLabel);
  h->addWidget(m_condition);
  h->addWidget(m_rotationLabel);
  h->addWidget(m_rotation);
  m_message = new QLabel(row);
  h->addWidget(m_message, 1);
  connect(m_function, &QComboBox::currentIndexChanged, this, [this] {
    m_message->clear();
    m_model->setLandscapeKind(core::LandscapeKind(m_function->currentData().toInt()));
  });
  connect(m_condition, &QDoubleSpinBox::valueChanged, m_model,
          &app::LandscapeModel::setConditionNumber);
  connect(m_rotation, &QDoubleSpinBox::valueChanged, m_model,
          &app::LandscapeModel::setRotationDegrees);
  return row;
}

QWidget* LandscapeWindow::buildPlaybackBar() {
  auto* bar = new QWidget(this);
  auto* h = new QHBoxLayout(bar);
  h->setContentsMargins(0, 0, 0, 0);
  m_play = new QToolButton(bar);
  m_play->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_play->setToolTip(tr("Play or pause the race (Space)"));
  connect(m_play, &QToolButton::clicked, m_model, &app::LandscapeModel::togglePlay);
  m_back = new QToolButton(bar);
  m_back->setIcon(style()->standardIcon(QStyle::SP_MediaSeekBackward));
  m_back->setToolTip(tr("One step back (Left)"));
  connect(m_back, &QToolButton::clicked, m_model, &app::LandscapeModel::stepBack);
  m_forward = new QToolButton(bar);
  m_forward->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
  m_forward->setText(tr("Step"));
  m_forward->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_forward->setToolTip(tr("One step forward (Right)"));
  connect(m_forward, &QToolButton::clicked, m_model, &app::LandscapeModel::stepForward);

  m_speed = new QComboBox(bar);
  for (double s : kSpeeds) m_speed->addItem(tr("%1 steps/s").arg(s), s);
  m_speed->setToolTip(tr("Playback speed"));
  connect(m_speed, &QComboBox::currentIndexChanged, this,
          [this] { m_model->setSpeed(m_speed->currentData().toDouble()); });

  m_scrubber = new QSlider(Qt::Horizontal, bar);
  m_scrubber->setToolTip(tr("Scrub through the race"));
  connect(m_scrubber, &QSlider::valueChanged, this, [this](int step) {
    m_model->pause();
    m_model->setCursor(step);
  });
  m_stepLabel = new QLabel(bar);

  auto* exportButton = new QToolButton(bar);
  exportButton->setText(tr("Export"));
  exportButton->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(exportButton);
  addExportActions(menu->addMenu(tr("Map")), m_map, QStringLiteral("landscape map"));
  addExportActions(menu->addMenu(tr("Loss chart")), m_loss->chart(),
                   QStringLiteral("landscape loss"));
  addExportActions(menu->addMenu(tr("Whole window")), this, QStringLiteral("landscapes"));
  exportButton->setMenu(menu);

  h->addWidget(m_play);
  h->addWidget(m_back);
  h->addWidget(m_forward);
  h->addWidget(m_speed);
  h->addWidget(m_scrubber, 1);
  h->addWidget(m_stepLabel);
  h->addWidget(exportButton);

  auto shortcut = [this](const QKeySequence& key, auto slot) {
    auto* action = new QAction(this);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, m_model, slot);
    addAction(action);
  };
  shortcut(QKeySequence(Qt::Key_Space), &app::LandscapeModel::togglePlay);
  shortcut(QKeySequence(Qt::Key_Left), &app::LandscapeModel::stepBack);
  shortcut(QKeySequence(Qt::Key_Right), &app::LandscapeModel::stepForward);
  return bar;
}

void LandscapeWindow::syncFromModel() {
  const core::RaceSettings& race = m_model->race();
  {
    const QSignalBlocker a(m_function), b(m_condition), c(m_rotation), d(m_speed);
    m_function->setCurrentIndex(m_function->findData(int(race.landscape.kind)));
    m_condition->setValue(race.landscape.conditionNumber);
    m_rotation->setValue(race.landscape.rotationDegrees);
    int speed = 0;
    for (int i = 0; i < m_speed->count(); ++i) {
      if (m_speed->itemData(i).toDouble() <= m_model->speed()) speed = i;
    }
    m_speed->setCurrentIndex(speed);
  }
  const bool bowl = race.landscape.kind == core::LandscapeKind::QuadraticBowl;
  for (QWidget* w : std::initializer_list<QWidget*>{m_conditionLabel, m_condition, m_rotationLabel,
                                                    m_rotation}) {
    w->setVisible(bowl);
  }
  {
    const QSignalBlocker blocker(m_scrubber);
    m_scrubber->setRange(0, m_model->lastStep());
  }
  m_message->clear();
  syncCursor(m_model->cursor());
}

void LandscapeWindow::syncCursor(int step) {
  const QSignalBlocker blocker(m_scrubber);
  m_scrubber->setValue(step);
  m_stepLabel->setText(tr("step %1 / %2").arg(step).arg(m_model->lastStep()));
}

void LandscapeWindow::syncPlaying(bool playing) {
  m_play->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  m_play->setText(playing ? tr("Pause") : tr("Play"));
}

void LandscapeWindow::applyTheme() {
  // Fonts and palette are the application's (the dashboard sets them for every window).
  m_message->setStyleSheet(QStringLiteral("color: %1").arg(theme().warning.name()));
}

}  // namespace gradscope::ui
