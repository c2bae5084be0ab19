// A computed loss surface as JSON, so that a session keeps what the Loss surface view showed
// (minutes of computing for a large network) and reopens with it: the grid's values, its scale,
// the slice's curvature, the projected path and the line, each as computed. The contour lines
// are drawn again from the grid and the scale when read.
#pragma once

#include <QJsonObject>

#include "app/sessions/json_fields.h"
#include "core/loss_surface/loss_surface.h"

namespace gradscope::app {

QJsonObject lossSurfaceToJson(const core::LossSurface& surface);

// Throws core::Error naming the field (e.g. "views.Loss surface.surface.values") and the reason
// for anything that is not a surface the view could have computed.
core::LossSurface lossSurfaceFromJson(const JsonFields& fields);

}  // namespace gradscope::app
