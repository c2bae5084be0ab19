// The Network panel's list of hidden layers: one row per layer with its units, activation,
// BatchNorm placement and dropout rate, and buttons to add, duplicate and remove layers (as
// the TensorFlow Playground's + and -) or to go back to the equal stack. The rows show the
// equal stack spelled out until a row is edited; from then on the list (the model.layers
// setting) is the network. Each edit is sent at once: a change of activation keeps every
// weight, a change of width rebuilds the layers whose shape changed (the log says which).
#pragma once

#include <QWidget>

#include <vector>

#include "core/model/experiment_config.h"

class QLabel;
class QToolButton;
class QTableWidget;

namespace gradscope::ui {

class ConfigEditor;

class LayerListEditor : public QWidget {
  Q_OBJECT
 public:
  explicit LayerListEditor(ConfigEditor& editor, QWidget* parent = nullptr);

  QTableWidget* table() const { return m_table; }
  // The layers the rows show.
  std::vector<core::HiddenLayer> layers() const;
  QString error() const;

  void addLayer();
  void duplicateLayer();
  void removeLayer();
  void useEqualLayers();

 private:
  enum Column { Units, Activation, BatchNorm, Dropout, ColumnCount };
  void commit(std::vector<core::HiddenLayer> layers, int selectRow = -1);
  void refresh();
  void fillRow(int row, const core::HiddenLayer& layer);
  int currentRow() const;

  ConfigEditor& m_editor;
  QTableWidget* m_table = nullptr;
  QToolButton* m_equal = nullptr;
  QToolButton* m_remove = nullptr;
  QLabel* m_error = nullptr;
  bool m_filling = false;
};

}  // namespace gradscope::ui
