// The contract of every dashboard chart. A view redraws itself from the metric history when
// the dashboard's refresh timer asks (only if its run changed), takes what is not in the
// history (the decision field, the learning-rate plan, the data points) from snapshots, and
// never computes anything about the model itself.
#pragma once

#include <QJsonObject>
#include <QString>

class QWidget;

namespace gradscope::app {
class MetricHistory;
struct Snapshot;
}  // namespace gradscope::app

namespace gradscope::ui {

class DashboardView {
 public:
  virtual ~DashboardView() = default;
  virtual QWidget* widget() = 0;
  // The name on the dock / export file, e.g. "Loss" or "Gradient flow".
  virtual QString viewTitle() const = 0;
  // Loss-like views refresh at 30 Hz, per-layer views at 5-10 Hz.
  virtual bool fastRefresh() const { return false; }
  // Redraw from the history; `run` is the run to show (the selected run of a comparison).
  virtual void refresh(const app::MetricHistory& history, int run) = 0;
  // A view of one step (the histograms, gradient flow, saturation). While the run trains it
  // refreshes with the status bar and the Runs table, so the step it names is never ahead of
  // theirs; otherwise with the other views.
  virtual bool showsOneStep() const { return false; }
  // True while the view draws every run of a comparison (so it redraws when any run
  // changes, not only `run`).
  virtual bool overlaysRuns() const { return false; }
  // Every snapshot, as it arrives (after the history has taken it).
  virtual void onSnapshot(const app::Snapshot& /*snapshot*/) {}
  // The run was reset or rebuilt: drop anything cached.
  virtual void clear() {}
  // What a session keeps of the view beyond the history (its "views" entry under the view's
  // title); empty: nothing. restoreViewState() takes what viewState() gave and ignores what it
  // does not know.
  virtual QJsonObject viewState() const { return {}; }
  virtual void restoreViewState(const QJsonObject& /*state*/) {}
  // The view's dock came to the front of its tab group (true) or went behind another tab or
  // was closed (false). A dock behind a tab stays "visible" to Qt (it is only moved out of
  // sight), so views that do work only while seen listen to this, not to show events.
  virtual void setOnScreen(bool /*onScreen*/) {}
};

}  // namespace gradscope::ui
