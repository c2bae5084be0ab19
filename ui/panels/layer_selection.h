// The layers the user picked for the per-layer line charts (default: first, middle, last),
// shared by the heatmap (click a row to toggle it) and the charts that draw those layers.
#pragma once

#include <QList>
#include <QObject>

namespace gradscope::ui {

class LayerSelection : public QObject {
  Q_OBJECT
 public:
  static constexpr int kMaxSelected = 6;
  using QObject::QObject;

  const QList<int>& layers() const { return m_layers; }
  // Resets to first, middle and last when the layer count changes.
  void setLayerCount(int count);
  int layerCount() const { return m_count; }
  // Adds the layer (dropping the oldest pick beyond kMaxSelected) or removes it.
  void toggle(int layer);

 signals:
  void changed();

 private:
  QList<int> m_layers;
  int m_count = 0;
};

}  // namespace gradscope::ui
