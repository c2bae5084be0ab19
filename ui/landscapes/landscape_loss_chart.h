// The Landscapes view's side chart: each racer's f - f* (the gap to the global minimum)
// against the step on a log axis, drawn up to the playback step, with a mark at that step.
// The axes cover the whole race, so they stay put while it plays.
#pragma once

#include <QWidget>

#include <array>

#include "core/landscapes/landscape_race.h"

class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace gradscope::app {
class LandscapeModel;
}

namespace gradscope::ui {

class ChartView;

class LandscapeLossChart : public QWidget {
  Q_OBJECT
 public:
  // Gaps below this are drawn on it: past double precision's reach around f* = O(1).
  static constexpr double kFloor = 1e-16;

  explicit LandscapeLossChart(app::LandscapeModel* model, QWidget* parent = nullptr);

  ChartView* chart() const { return m_chart; }
  // The series of `kind` (hidden when it is not racing).
  QLineSeries* series(core::OptimizerKind kind) const;

 private:
  void restyle();
  void fitAxes();
  void draw();

  app::LandscapeModel* m_model;
  ChartView* m_chart = nullptr;
  QValueAxis* m_x = nullptr;
  QLogValueAxis* m_y = nullptr;
  std::array<QLineSeries*, core::kOptimizerKindCount> m_series{};
};

}  // namespace gradscope::ui
