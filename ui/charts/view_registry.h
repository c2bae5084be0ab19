// The dashboard's one list of views. Adding a chart is one entry in view_registry.cpp: the window
// creates every registered view in its own dock, lists it in the View menu, places it in its
// default cell, refreshes and exports it; nothing else names the view.
#pragma once

#include <functional>
#include <vector>

class QWidget;

namespace gradscope::ui {

class DashboardView;
class LayerSelection;

// What a view may be built with: the layer selection shared by the per-layer views, and the
// widget that owns it.
struct ViewContext {
  LayerSelection* layers = nullptr;
  QWidget* parent = nullptr;
};

// The default layout has three chart columns of two cells each: 0 and 1 on the left (top,
// bottom), 2 and 3 in the middle, 4 and 5 on the right. Views of one cell share it as tabs, in
// registry order, the first in front.
struct ViewDescriptor {
  int cell = 0;
  std::function<DashboardView*(const ViewContext&)> create;
};

const std::vector<ViewDescriptor>& dashboardViews();

}  // namespace gradscope::ui
