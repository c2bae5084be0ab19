// The timeline under the charts: a slider over the steps the selected run has trained. Dragging
// it (or the arrow keys: one step; with Shift, one epoch) takes every run back to that step of
// its past, exactly as it was (the worker replays from its checkpoints); a cursor then marks
// the step on every time chart. Play trains on from there. "Fork here…" (also in the context
// menu) starts a run from that step with other settings.
#pragma once

#include <QWidget>

#include <cstdint>

class QLabel;
class QSlider;
class QToolButton;

namespace gradscope::ui {

class TimelineBar : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineBar(QWidget* parent = nullptr);

  // The steps that can be reached, [first, last], and the run's step now.
  void setSteps(std::int64_t first, std::int64_t last, std::int64_t current);
  void setStepsPerEpoch(std::int64_t steps) { m_stepsPerEpoch = steps > 0 ? steps : 1; }
  std::int64_t current() const { return m_current; }
  std::int64_t last() const { return m_last; }
  // True when the run stands at an earlier step than the latest it trained.
  bool rewound() const { return m_current < m_last; }

 signals:
  void stepRequested(qint64 step);
  void forkRequested();

 protected:
  void keyPressEvent(QKeyEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void request(std::int64_t step);
  void updateLabel();

  QSlider* m_slider = nullptr;
  QLabel* m_label = nullptr;
  QToolButton* m_fork = nullptr;
  std::int64_t m_first = 0;
  std::int64_t m_last = 0;
  std::int64_t m_current = 0;
  std::int64_t m_stepsPerEpoch = 1;
  bool m_updating = false;
};

}  // namespace gradscope::ui
