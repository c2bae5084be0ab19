// A small network as in TensorFlow Playground: a column per layer (the two inputs first),
// each unit drawn as a thumbnail of its output over the input plane (diverging colours), and
// a line for every weight, orange for positive and blue for negative, wider for larger |w|.
// Shown for 2-D data sets and networks of at most DecisionField::kNetworkViewUnits units in
// every hidden layer; the field arrives with snapshots a few times a second.
#pragma once

#include <QImage>
#include <QLineF>
#include <QRect>

#include <cstdint>
#include <memory>
#include <vector>

#include "app/worker/snapshot.h"
#include "ui/charts/painted_view.h"

namespace gradscope::ui {

class NetworkView : public PaintedView {
  Q_OBJECT
 public:
  struct Unit {
    int column = 0;  // 0 = inputs, c = Dense layer c - 1
    int index = 0;
    QRect rect;  // canvas coordinates
  };
  struct Connection {
    int layer = 0;  // Dense layer the weight belongs to
    int from = 0, to = 0;
    float weight = 0.0f;
    QLineF line;
    double width = 0.0;
  };

  explicit NetworkView(QWidget* parent = nullptr);

  QString viewTitle() const override;
  void refresh(const app::MetricHistory& history, int run) override;
  void onSnapshot(const app::Snapshot& snapshot) override;
  void clear() override;

  void setField(std::shared_ptr<const app::DecisionField> field, std::int64_t step = -1);
  // The data set has other than two inputs.
  void setNotPlanar();

  // True when the field describes every unit (a small network).
  bool showsNetwork() const { return m_valid; }
  // Geometry at the current size: every unit's thumbnail (inputs included) and weight line.
  const std::vector<Unit>& units() const { return m_units; }
  const std::vector<Connection>& connections() const { return m_connections; }
  int thumbnailCount() const { return int(m_units.size()); }
  // Line width for a weight: from a hairline at 0 to `maxWidth` at the largest |w|.
  static double connectionWidth(double weight, double maxAbsWeight, double maxWidth);

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void canvasResized() override;
  void restyle() override;

 private:
  static bool consistent(const app::DecisionField& field);
  void rebuildImages();
  void layoutUnits();
  QColor weightColor(float weight) const;

  std::shared_ptr<const app::DecisionField> m_field;
  std::int64_t m_step = -1;
  bool m_valid = false;
  bool m_notPlanar = false;
  std::vector<std::vector<QImage>> m_images;                   // [column][unit], inputs first
  std::vector<std::vector<std::pair<float, float>>> m_ranges;  // output range per unit
  double m_maxAbsWeight = 0.0;
  std::vector<Unit> m_units;
  std::vector<Connection> m_connections;
  std::vector<int> m_columnX;  // centre of each column, for the headers
  int m_headerY = 0;
};

}  // namespace gradscope::ui
