// What the loss-surface job needs from a run, taken by the worker between two steps: a copy
// of the network and its training samples (the run trains on meanwhile, untouched) and the
// weights recorded along the run (immutable samples, shared). Handed to the job's thread
// once; only that thread uses it afterwards.
#pragma once

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <memory>

#include "core/loss_surface/weight_history.h"
#include "core/loss_surface/weight_space_loss.h"

namespace gradscope::app {

struct LossSurfaceInput {
  std::shared_ptr<core::WeightSpaceLoss> loss;  // null when `error` says why
  core::WeightHistory history;
  std::int64_t step = 0;
  QString runName;
  QString error;  // "field: reason"
};

using LossSurfaceInputPtr = std::shared_ptr<LossSurfaceInput>;

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::app::LossSurfaceInputPtr)
