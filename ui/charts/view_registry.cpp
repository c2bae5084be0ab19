#include "ui/charts/view_registry.h"

#include "app/worker/training_controller.h"
#include "ui/backprop/backprop_view.h"
#include "ui/charts/clipping_view.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/gradient_flow_view.h"
#include "ui/charts/gradient_norm_view.h"
#include "ui/charts/heatmap_view.h"
#include "ui/charts/histogram_view.h"
#include "ui/charts/learning_rate_view.h"
#include "ui/charts/loss_surface_view.h"
#include "ui/charts/loss_view.h"
#include "ui/charts/lr_range_test_view.h"
#include "ui/charts/network_view.h"
#include "ui/charts/region_count_view.h"
#include "ui/charts/saturation_view.h"
#include "ui/charts/signal_propagation_view.h"
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

// The Backprop view asks the worker for "step with trace" and shows its answer.
ViewDescriptor backprop(int cell) {
  return {cell, [](const ViewContext& c) -> DashboardView* {
            auto* view = new BackpropView(c.parent);
            if (c.controller) {
              QObject::connect(view, &BackpropView::traceRequested, c.controller,
                               &app::TrainingController::traceBackprop);
              QObject::connect(c.controller, &app::TrainingController::backpropTraced, view,
                               &BackpropView::setTrace);
            }
            return view;
          }};
}

// A view that computes from a copy of the run through the training controller.
template <typename View>
ViewDescriptor withController(int cell) {
  return {cell,
          [](const ViewContext& c) -> DashboardView* { return new View(c.controller, c.parent); }};
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
      backprop(1),
      plain<RegionCountView>(1),
      withController<LossSurfaceView>(1),  // computes from a copy of the run
      plain<GradientFlowView>(2),
      perLayer<GradientNormView>(2),
      plain<SignalPropagationView>(2),
      perLayer<HeatmapView>(3),
      perLayer<UpdateRatioView>(3),
      plain<HistogramView>(4),
      perLayer<SaturationView>(5),
      plain<ClippingView>(5),
  };
  return views;
}

}  // namespace gradscope::ui
