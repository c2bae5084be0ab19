#include "ui/window/dashboard_measurement.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QDockWidget>
#include <QEvent>
#include <QFileInfo>
#include <QTimer>
#include <QWidget>

#include <algorithm>
#include <cstdio>

#include "core/model/settings_schema.h"
#include "ui/charts/dashboard_view.h"
#include "ui/window/session_manager.h"
#include "ui/window/timed_application.h"

namespace gradscope::ui {

namespace {
double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t i =
      std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
  return values[i];
}
}  // namespace

core::ExperimentConfig DashboardMeasurement::deepExperiment(int layers, int width) {
  core::ExperimentConfig c;
  core::setSetting(c, "data.dataset", std::string("teacher"));
  core::setSetting(c, "data.features", std::int64_t(100));
  core::setSetting(c, "data.classes", std::int64_t(10));
  core::setSetting(c, "data.samples", std::int64_t(10000));
  core::setSetting(c, "model.hidden_layers", std::int64_t(layers));
  core::setSetting(c, "model.width", std::int64_t(width));
  core::setSetting(c, "model.activation", std::string("sigmoid"));
  core::setSetting(c, "training.epochs", std::int64_t(1000));
  return c;
}

DashboardMeasurement::DashboardMeasurement(MainWindow& window, double seconds,
                                           const QString& description,
                                           const QElapsedTimer& sinceStart, QObject* parent)
    : QObject(parent),
      m_window(window),
      m_seconds(seconds),
      m_description(description),
      m_sinceStart(sinceStart) {
  m_window.installEventFilter(this);
  m_probeTimer = new QTimer(this);
  m_probeTimer->setInterval(10);
  m_probeTimer->setTimerType(Qt::PreciseTimer);
  connect(m_probeTimer, &QTimer::timeout, this, &DashboardMeasurement::probe);
}

bool DashboardMeasurement::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Paint) {
    if (watched == &m_window && m_firstPaintMs < 0) {
      m_firstPaintMs = m_sinceStart.elapsed();
      // Usable once this paint (and whatever it queued) is done and the loop is free again.
      QTimer::singleShot(0, this, &DashboardMeasurement::windowUsable);
    } else if (watched == m_lossCanvas && m_measuring) {
      ++m_lossPaints;
    }
  }
  return QObject::eventFilter(watched, event);
}

void DashboardMeasurement::windowUsable() {
  m_usableMs = m_sinceStart.elapsed();
  // Let the window settle, then train.
  QTimer::singleShot(300, this, &DashboardMeasurement::begin);
}

void DashboardMeasurement::begin() {
  // The loss chart's widget that repaints the curve: its largest child (a chart view's
  // viewport).
  if (DashboardView* loss = m_window.view(QStringLiteral("Loss"))) {
    QWidget* best = loss->widget();
    int bestArea = 0;
    for (QWidget* child : loss->widget()->findChildren<QWidget*>()) {
      const int area = child->width() * child->height();
      if (child->isVisible() && area >= bestArea) {
        best = child;
        bestArea = area;
      }
    }
    if (auto* area = qobject_cast<QAbstractScrollArea*>(best)) best = area->viewport();
    m_lossCanvas = best;
    m_lossCanvas->installEventFilter(this);
  }
  m_window.setSpeed(0.0);
  m_window.play();
  m_startStats = m_window.stats();
  m_startStep = m_window.history().lastStep(m_window.run());
  m_lossPaints = 0;
  TimedApplication::setTiming(true);
  m_latencies.clear();
  m_measuring = true;
  m_wall.start();
  m_probeTimer->start();
  QTimer::singleShot(int(m_seconds * 500.0), this, &DashboardMeasurement::startSave);
  QTimer::singleShot(int(m_seconds * 1000.0), this, &DashboardMeasurement::finish);
}

void DashboardMeasurement::probe() {
  if (!m_measuring) return;
  QElapsedTimer posted;
  posted.start();
  const bool saving = m_saving;
  QTimer::singleShot(0, this, [this, posted, saving] {
    if (!m_measuring) return;
    const double ms = double(posted.nsecsElapsed()) / 1e6;
    m_latencies.push_back(ms);
    if (saving) m_saveLatencies.push_back(ms);
  });
}

void DashboardMeasurement::startSave() {
  if (!m_measuring || !m_saveDir.isValid()) return;
  const QString path = m_saveDir.filePath(QStringLiteral("measure-ui.gradscope"));
  m_saving = true;
  m_saveClock.start();
  m_window.sessions().saveTo(path, [this, path](bool ok, const QString& error) {
    m_saving = false;
    m_saveSeconds = double(m_saveClock.nsecsElapsed()) / 1e9;
    m_saveBytes = ok ? QFileInfo(path).size() : -1;
    m_saveError = error;
  });
}

void DashboardMeasurement::finish() {
  m_measuring = false;
  m_probeTimer->stop();
  const double busy = double(TimedApplication::busyNanoseconds()) / 1e9;
  TimedApplication::setTiming(false);
  const double wall = double(m_wall.nsecsElapsed()) / 1e9;
  const MainWindow::Stats& s = m_window.stats();
  const double fastTicks = double(s.fastTicks - m_startStats.fastTicks);
  const double fastRefreshes = double(s.fastRefreshes - m_startStats.fastRefreshes);
  const double slowRefreshes = double(s.slowRefreshes - m_startStats.slowRefreshes);
  const double handled = double(s.busyNanoseconds - m_startStats.busyNanoseconds) / 1e9;
  const double snapshots = double(s.snapshots - m_startStats.snapshots);
  const double steps = double(m_window.history().lastStep(m_window.run()) - m_startStep);
  int fastViews = 0;
  int visibleViews = 0;
  for (DashboardView* v : m_window.views()) {
    if (v->fastRefresh()) ++fastViews;
    if (v->widget()->isVisible()) ++visibleViews;
  }
  std::printf("startup: %lld ms to a usable window (first paint at %lld ms)\n",
              static_cast<long long>(m_usableMs), static_cast<long long>(m_firstPaintMs));
  std::printf("measure-ui: %s; %.1f s at full speed, window %dx%d, %d of %d views visible\n",
              qPrintable(m_description), wall, m_window.width(), m_window.height(), visibleViews,
              int(m_window.views().size()));
  if (m_lossCanvas) {
    std::printf("  loss chart: %.1f frames/s painted, %.1f refreshes/s\n",
                double(m_lossPaints) / wall, fastTicks / wall);
  } else {
    std::printf("  loss chart: not registered; fast-view refresh ticks %.1f/s\n", fastTicks / wall);
  }
  std::printf("  view refreshes: %.1f/s fast (%d views), %.1f/s slow; snapshots %.1f/s\n",
              fastRefreshes / wall, fastViews, slowRefreshes / wall, snapshots / wall);
  std::printf(
      "  GUI thread busy: %.1f%% of the time (snapshot handling + view refreshes "
      "%.1f%%, the rest painting and events)\n",
      100.0 * busy / wall, 100.0 * handled / wall);
  std::printf(
      "  event-loop latency (zero-timer every 10 ms, %zu samples): p50 %.2f ms, p95 %.2f "
      "ms, p99 %.2f ms, max %.2f ms\n",
      m_latencies.size(), percentile(m_latencies, 0.50), percentile(m_latencies, 0.95),
      percentile(m_latencies, 0.99), percentile(m_latencies, 1.0));
  std::printf("  training: %.0f steps/s (%.0f steps)\n", steps / wall, steps);
  if (m_saveSeconds >= 0.0 && m_saveBytes >= 0) {
    std::printf(
        "  session saved while training: %.1f MB in %.2f s; event-loop latency meanwhile (%zu "
        "samples): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        double(m_saveBytes) / 1e6, m_saveSeconds, m_saveLatencies.size(),
        percentile(m_saveLatencies, 0.50), percentile(m_saveLatencies, 0.99),
        percentile(m_saveLatencies, 1.0));
  } else if (m_saveSeconds >= 0.0) {
    std::printf("  session save failed: %s\n", qPrintable(m_saveError));
  } else {
    std::printf("  session save: still in flight at the end\n");
  }
  std::fflush(stdout);
  m_window.pause();
  QTimer::singleShot(50, qApp, &QApplication::quit);
}

}  // namespace gradscope::ui
