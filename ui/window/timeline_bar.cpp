#include "ui/window/timeline_bar.h"

#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSlider>
#include <QToolButton>

#include <algorithm>

namespace gradscope::ui {

namespace {
// The slider works in ints: a longer run maps several steps to one slider position.
constexpr std::int64_t kMaxPositions = 1'000'000;
}  // namespace

TimelineBar::TimelineBar(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("timeline"));
  setFocusPolicy(Qt::StrongFocus);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(6, 2, 6, 2);
  auto* title = new QLabel(tr("Timeline"), this);
  m_slider = new QSlider(Qt::Horizontal, this);
  m_slider->setObjectName(QStringLiteral("timelineSlider"));
  m_slider->setToolTip(
      tr("Drag to go back to any step the run trained: every run is restored exactly as it was "
         "then. Left/Right: one step; Shift: one epoch. Play trains on from there."));
  m_label = new QLabel(this);
  m_label->setMinimumWidth(m_label->fontMetrics().horizontalAdvance(tr("step 000,000 of 000,000")));
  m_fork = new QToolButton(this);
  m_fork->setText(tr("Fork here…"));
  m_fork->setToolTip(tr("Start a run from this step with other settings, beside this one"));
  // The bar's own keys (a step, an epoch) rather than the slider's (a slider position).
  m_slider->installEventFilter(this);
  layout->addWidget(title);
  layout->addWidget(m_slider, 1);
  layout->addWidget(m_label);
  layout->addWidget(m_fork);
  connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
    if (m_updating) return;
    const std::int64_t span = m_last - m_first;
    const std::int64_t positions = std::min(span, kMaxPositions);
    const std::int64_t step =
        positions > 0 ? m_first + (span * value + positions / 2) / positions : m_first;
    request(step);
  });
  connect(m_fork, &QToolButton::clicked, this, &TimelineBar::forkRequested);
  setSteps(0, 0, 0);
}

void TimelineBar::setSteps(std::int64_t first, std::int64_t last, std::int64_t current) {
  m_first = first;
  m_last = std::max(first, last);
  m_current = std::clamp(current, m_first, m_last);
  const std::int64_t span = m_last - m_first;
  const std::int64_t positions = std::min(span, kMaxPositions);
  m_updating = true;
  m_slider->setRange(0, int(positions));
  m_slider->setValue(span > 0 ? int((m_current - m_first) * positions / span) : 0);
  m_updating = false;
  m_slider->setEnabled(span > 0);
  m_fork->setEnabled(true);
  updateLabel();
}

void TimelineBar::request(std::int64_t step) {
  step = std::clamp(step, m_first, m_last);
  if (step == m_current) return;
  m_current = step;
  updateLabel();
  emit stepRequested(step);
}

void TimelineBar::updateLabel() {
  const QLocale english(QLocale::English);
  m_label->setText(m_current < m_last ? tr("step %1 of %2")
                                            .arg(english.toString(qlonglong(m_current)),
                                                 english.toString(qlonglong(m_last)))
                                      : tr("step %1").arg(english.toString(qlonglong(m_current))));
}

void TimelineBar::keyPressEvent(QKeyEvent* event) {
  const std::int64_t by = event->modifiers() & Qt::ShiftModifier ? m_stepsPerEpoch : 1;
  switch (event->key()) {
    case Qt::Key_Left:
      request(m_current - by);
      return;
    case Qt::Key_Right:
      request(m_current + by);
      return;
    case Qt::Key_Home:
      request(m_first);
      return;
    case Qt::Key_End:
      request(m_last);
      return;
    default:
      QWidget::keyPressEvent(event);
  }
}

bool TimelineBar::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_slider && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Left || key->key() == Qt::Key_Right || key->key() == Qt::Key_Home ||
        key->key() == Qt::Key_End) {
      keyPressEvent(key);
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void TimelineBar::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  menu.addAction(tr("Fork here…"), this, &TimelineBar::forkRequested);
  QAction* latest =
      menu.addAction(tr("Back to the latest step"), this, [this] { request(m_last); });
  latest->setEnabled(rewound());
  menu.exec(event->globalPos());
}

}  // namespace gradscope::ui
