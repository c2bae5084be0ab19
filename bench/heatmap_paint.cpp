// Heatmap cost: recolouring and painting the layer heatmap of a 50-layer, 4,000-step run at
// 2200 x 600 pixels (the decimated image is 50 x 2000). A plain executable (needs the widgets
// library and a platform, e.g. QT_QPA_PLATFORM=offscreen); prints milliseconds per call. The
// dashboard redraws at 30-60 Hz, so recolouring should stay well below 5 ms and a repaint
// below 25 ms on the reference machine. tst_painted_views checks what the heatmap shows.
#include <QApplication>
#include <QElapsedTimer>

#include <cstdio>

#include "app/history/metric_history.h"
#include "app/worker/snapshot.h"
#include "synthetic_history.h"
#include "ui/charts/heatmap_view.h"

using namespace gradscope;

int main(int argc, char** argv) {
  QApplication application(argc, argv);
  constexpr int kLayers = 50;
  constexpr std::int64_t kSteps = 4000;
  app::MetricHistory history;
  bench::Noise noise;
  for (std::int64_t first = 0; first < kSteps; first += 250) {
    app::Snapshot s;
    s.layerCount = kLayers;
    s.firstStep = first;
    for (std::int64_t i = 0; i < 250; ++i) s.steps.push_back(first + i);
    for (auto& v : s.stepValues) v.assign(250, 0.5);
    for (auto& v : s.layerValues) {
      for (int i = 0; i < 250 * kLayers; ++i) v.push_back(float(noise.next()));
    }
    s.currentStep = first + 249;
    history.append(s);
  }
  ui::HeatmapView view(nullptr);
  view.resize(2200, 600);
  view.show();
  application.processEvents();
  view.refresh(history, 0);
  constexpr int kRounds = 50;
  QElapsedTimer timer;
  timer.start();
  for (int i = 0; i < kRounds; ++i) view.resetRange();  // recolours the image
  const double recolour = double(timer.nsecsElapsed()) / kRounds / 1e6;
  timer.restart();
  for (int i = 0; i < kRounds; ++i) view.canvas()->repaint();
  const double paint = double(timer.nsecsElapsed()) / kRounds / 1e6;
  std::printf("heatmap %d layers x %lld steps (image %d x %d): recolour %.3f ms, paint %.3f ms\n",
              kLayers, static_cast<long long>(kSteps), view.image().height(), view.image().width(),
              recolour, paint);
  return 0;
}
