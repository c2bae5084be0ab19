// An experiment session as plain values: what a .gradscope file holds (see
// docs/session_format.md). One session has one or more runs trained side by side, each with
// its configuration, its data, its exact training state and its metric history, plus what
// belongs to the whole window: the dashboard layout, the training speed, a free-text note, the
// state of the Landscapes view (`landscape`) and the dashboard views' own choices (`views`).
//
// A run's training state is kept as its JSON object (`state`): its fields default to those of
// a fresh run from the configuration's seed, which only a built run knows, so it is read
// against that run when the session is opened (session_runs.h). Everything else is read and
// checked when the file is parsed (session_json.h).
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <QMetaType>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "app/history/histogram_store.h"
#include "app/worker/snapshot.h"
#include "core/data/dataset.h"
#include "core/model/experiment_config.h"
#include "core/schedules/lr_range_test.h"

namespace gradscope::app {

// 3: arrays may be compressed ("f32z", "f64z"); version 2 files read unchanged.
inline constexpr int kSessionFormatVersion = 3;

// Where a run's data comes from.
struct SessionData {
  enum class Source {
    Generator,  // the configuration's data settings (kind, samples, noise, seed)
    Embedded,   // the rows are in the session
    File,       // a CSV file (path relative to the session), checked by its SHA-256
  };
  Source source = Source::Generator;
  QString path;          // File
  QByteArray sha256;     // File: 32 bytes
  QString targetColumn;  // File: empty = the last column
  // Embedded: the data; File: the optional embedded copy (used when present).
  std::optional<core::Dataset> data;
};

// The metric history of one run as saved: every step's scalars exactly (or, for a run too long
// to fit in a session beside its state, the mean of each block of `stepStride` steps), the
// per-layer series as the mean of each block of `layerStride` steps, the histogram frames the
// history kept, the epochs, the event log and the linear-region counts.
struct RunHistory {
  std::int64_t firstStep = 0;
  std::int64_t steps = 0;
  std::int64_t stepStride = 1;                                   // 1: every step exactly
  std::array<std::vector<double>, kStepMetricCount> stepValues;  // each stepBlocks() long
  int layers = 0;
  std::int64_t layerStride = 1;
  // Per metric: blocks * layers values, block-major; blocks = ceil(steps / layerStride).
  std::array<std::vector<float>, kLayerMetricCount> layerValues;
  std::vector<HistogramFrame> histograms;
  std::vector<EpochSample> epochs;
  std::vector<Event> events;
  std::vector<RegionCountSample> regionCounts;  // the Linear regions chart's points
  std::vector<SharpnessSample> sharpness;

  std::int64_t blocks() const { return (steps + layerStride - 1) / layerStride; }
  std::int64_t stepBlocks() const { return (steps + stepStride - 1) / stepStride; }
};

struct SessionRun {
  QString label;  // optional name of the run
  core::ExperimentConfig config;
  SessionData data;
  QJsonObject state;  // empty: a fresh run from the seed
  std::optional<RunHistory> history;
  std::optional<core::LrRangeTestResult> lrRangeTest;
  // The tree of runs: a fork continues run `forkParent` (an index of an earlier run of the
  // session) from its step `forkStep` with other settings; -1 for a run started on its own.
  int forkParent = -1;
  std::int64_t forkStep = -1;
  // The future its parent had before training on from `forkStep` (kept, never trained).
  bool keptFuture = false;
  // Not saved: the live run's id (its key in the metric history) when the worker captured it.
  // Ids of a comparison need not be 0..n-1 once a run was removed; opened runs get 0..n-1.
  int liveId = -1;
};

struct Session {
  QString name;  // shown in the window title; empty: the file's name
  QString note;
  double speed = 0.0;  // steps per second, 0 = full speed
  std::vector<SessionRun> runs;
  QByteArray layout;      // the dashboard's layout (QMainWindow::saveState), may be empty
  QJsonObject landscape;  // the Landscapes view's state (landscape_state_json.h), checked when read
  // What each dashboard view lets the user choose (e.g. the decision boundary's Regions mode),
  // one object per view under its title (JSON "views"); each view reads what it knows.
  QJsonObject views;
  // The dashboard's event log: one line per change, rebuild, reset or discarded run, oldest
  // first (JSON "event_log", a list of texts).
  QStringList eventLog;
  // The kernel level that trained it ("avx512", core/kernels/kernel_level.h); written as the
  // level in use when saved, empty in files from before it was recorded.
  QString kernels;
};

using SessionPtr = std::shared_ptr<const Session>;

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::app::SessionPtr)
