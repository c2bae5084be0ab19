#include "ui/charts/view_registry.h"

#include "ui/charts/clipping_view.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/gradient_flow_view.h"
#include "ui/charts/gradient_norm_view.h"
#include "ui/charts/heatmap_view.h"
#include "ui/charts/histogram_view.h"
#include "ui/charts/learning_rate_view.h"
#include "ui/charts/loss_view.h"
#include "ui/charts/lr_range_test_view.h"
#include "ui/charts/network_view.h"
#include "ui/charts/saturation_view.h"
#include "ui/charts/sharpness_view.h"
#include "ui/charts/update_ratio_view.h"

namespace gradscope::ui {

namespace {

// A view built from its parent alone.
template <typename View>
ViewDescriptor plain(int cell) {
  return {cell, [](const ViewContext& c) -> DashboardView* { return new View(c.parent); }};
}

// A per-layer view that follows the shared layer selection.
template <typename View>
ViewDescriptor perLayer(int cell) {
  return {cell,
          [](const ViewContext& c) -> DashboardView* { return new View(c.layers, c.parent); }};
}

}  // namespace

const std::vector<ViewDescriptor>& dashboardViews() {
  static const std::vector<ViewDescriptor> views{
      plain<LossView>(0),
      plain<LearningRateView>(0),
      plain<LrRangeTestView>(0),
      plain<SharpnessView>(0),
      plain<DecisionBoundaryView>(1),
      plain<NetworkView>(1),
      plain<GradientFlowView>(2),
      perLayer<GradientNormView>(2),
      perLayer<HeatmapView>(3),
      perLayer<UpdateRatioView>(3),
      plain<HistogramView>(4),
      perLayer<SaturationView>(5),
      plain<ClippingView>(5),
  };
  return views;
}

}  // namespace gradscope::ui
