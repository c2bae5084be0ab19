// The --measure-ui run: trains a deep network at full speed with the whole dashboard shown and,
// after a set time, prints how the GUI kept up: the loss chart's frames per second, how busy
// the GUI thread was, the event loop's latency percentiles and the training speed, plus the
// start-up time to a usable window. Halfway through it saves the session (to a temporary
// folder) as File → Save does, and reports the save's size and duration and the event loop's
// latency while the save was in flight. Then it quits.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>

#include <cstdint>
#include <vector>

#include "ui/window/main_window.h"

class QTimer;

namespace gradscope::ui {

class DashboardMeasurement : public QObject {
  Q_OBJECT
 public:
  // `sinceStart` was started at the top of main().
  DashboardMeasurement(MainWindow& window, double seconds, const QString& description,
                       const QElapsedTimer& sinceStart, QObject* parent = nullptr);

  // The network --measure-ui trains: teacher data with 100 inputs and 10 classes, `layers`
  // hidden sigmoid layers of `width` units.
  static core::ExperimentConfig deepExperiment(int layers, int width = 100);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void windowUsable();
  void begin();
  void probe();
  void startSave();
  void finish();

  MainWindow& m_window;
  double m_seconds = 20.0;
  QString m_description;
  QElapsedTimer m_sinceStart;
  qint64 m_firstPaintMs = -1;
  qint64 m_usableMs = -1;

  QPointer<QWidget> m_lossCanvas;
  std::int64_t m_lossPaints = 0;
  QElapsedTimer m_wall;
  MainWindow::Stats m_startStats;
  std::int64_t m_startStep = 0;
  bool m_measuring = false;

  // Event-loop latency: a zero-timer posted every 10 ms, and how late it ran.
  QTimer* m_probeTimer = nullptr;
  std::vector<double> m_latencies;  // ms

  // The save halfway through: from the click to the file written.
  QTemporaryDir m_saveDir;
  QElapsedTimer m_saveClock;
  bool m_saving = false;
  double m_saveSeconds = -1.0;
  qint64 m_saveBytes = -1;
  QString m_saveError;
  std::vector<double> m_saveLatencies;  // ms, probes posted while the save was in flight
};

}  // namespace gradscope::ui
