// What the worker answers to "step with trace": the backprop trace of one step of the selected
// run (core/backprop/backprop_trace.h), or why the run's network cannot be traced. Shared as
// std::shared_ptr<const BackpropSnapshot> through a queued signal, like Snapshot.
#pragma once

#include <QMetaType>
#include <QString>

#include <memory>

#include "core/backprop/backprop_trace.h"

namespace gradscope::app {

struct BackpropSnapshot {
  int run = 0;      // the run traced (the selected run)
  QString runName;  // empty for a single run
  // The trace; null when refused.
  std::shared_ptr<const core::BackpropTrace> trace;
  // Why there is no trace: the network is too large or has other layers (the sizes it
  // takes), or the run diverged.
  QString refusal;
  // True when the run took the traced step (the other views moved on by it); false for a
  // preview of the next step.
  bool stepTaken = false;
};

using BackpropSnapshotPtr = std::shared_ptr<const BackpropSnapshot>;

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::app::BackpropSnapshotPtr)
