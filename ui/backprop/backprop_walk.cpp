#include "ui/backprop/backprop_walk.h"

#include <QCoreApplication>

#include <algorithm>

namespace gradscope::ui {

BackpropWalk::BackpropWalk(int layers) : m_layers(std::max(0, layers)) {
  if (m_layers == 0) return;
  m_steps.push_back({Kind::Sample, -1});
  for (int l = 0; l < m_layers; ++l) m_steps.push_back({Kind::Forward, l});
  m_steps.push_back({Kind::Loss, -1});
  for (int l = m_layers - 1; l >= 0; --l) m_steps.push_back({Kind::Backward, l});
  m_steps.push_back({Kind::Paths, 0});
  for (int l = 0; l < m_layers; ++l) m_steps.push_back({Kind::Update, l});
}

bool BackpropWalk::next() {
  if (m_index + 1 >= count()) return false;
  ++m_index;
  return true;
}

bool BackpropWalk::previous() {
  if (m_index <= 0) return false;
  --m_index;
  return true;
}

void BackpropWalk::setIndex(int index) { m_index = std::clamp(index, 0, std::max(0, count() - 1)); }

namespace {
// The position of the sub-step of `kind` and `layer` in the walk (-1 when there is none).
int positionOf(const std::vector<BackpropWalk::SubStep>& steps, BackpropWalk::Kind kind,
               int layer) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].kind == kind && (layer < 0 || steps[i].layer == layer)) return int(i);
  }
  return -1;
}
}  // namespace

bool BackpropWalk::forwardDone(int layer) const {
  const int at = positionOf(m_steps, Kind::Forward, layer);
  return at >= 0 && m_index >= at;
}

bool BackpropWalk::lossShown() const {
  const int at = positionOf(m_steps, Kind::Loss, -1);
  return at >= 0 && m_index >= at;
}

bool BackpropWalk::backwardDone(int layer) const {
  const int at = positionOf(m_steps, Kind::Backward, layer);
  return at >= 0 && m_index >= at;
}

bool BackpropWalk::updateDone(int layer) const {
  const int at = positionOf(m_steps, Kind::Update, layer);
  return at >= 0 && m_index >= at;
}

QString BackpropWalk::title(const SubStep& step) const {
  auto tr = [](const char* text) { return QCoreApplication::translate("BackpropWalk", text); };
  const QString layer =
      step.layer == m_layers - 1 ? tr("output layer") : tr("hidden layer %1").arg(step.layer + 1);
  switch (step.kind) {
    case Kind::Sample:
      return tr("The sample");
    case Kind::Forward:
      return tr("Forward: %1").arg(layer);
    case Kind::Loss:
      return tr("The loss");
    case Kind::Backward:
      return tr("Backward: %1").arg(layer);
    case Kind::Paths:
      return tr("Sum over paths");
    case Kind::Update:
      return tr("Update: %1").arg(layer);
  }
  return {};
}

}  // namespace gradscope::ui
