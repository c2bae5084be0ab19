#include "ui/panels/layer_selection.h"

#include <algorithm>

namespace gradscope::ui {

void LayerSelection::setLayerCount(int count) {
  if (count == m_count) return;
  m_count = count;
  m_layers.clear();
  if (count > 0) m_layers << 0;
  if (count > 2) m_layers << count / 2;
  if (count > 1) m_layers << count - 1;
  emit changed();
}

void LayerSelection::toggle(int layer) {
  if (layer < 0 || layer >= m_count) return;
  if (m_layers.contains(layer)) {
    m_layers.removeAll(layer);
  } else {
    m_layers << layer;
    while (m_layers.size() > kMaxSelected) m_layers.removeFirst();
  }
  std::sort(m_layers.begin(), m_layers.end());
  emit changed();
}

}  // namespace gradscope::ui
