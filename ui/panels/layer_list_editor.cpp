#include "ui/panels/layer_list_editor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/panels/config_editor.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

const core::ActivationKind kHidden[] = {
    core::ActivationKind::Linear, core::ActivationKind::Sigmoid,   core::ActivationKind::Tanh,
    core::ActivationKind::Relu,   core::ActivationKind::LeakyRelu, core::ActivationKind::Elu,
    core::ActivationKind::Selu};
const core::BatchNormPlacement kPlacements[] = {core::BatchNormPlacement::None,
                                                core::BatchNormPlacement::BeforeActivation,
                                                core::BatchNormPlacement::AfterActivation};

QString placementName(core::BatchNormPlacement p) {
  switch (p) {
    case core::BatchNormPlacement::None:
      return LayerListEditor::tr("none");
    case core::BatchNormPlacement::BeforeActivation:
      return LayerListEditor::tr("before");
    case core::BatchNormPlacement::AfterActivation:
      return LayerListEditor::tr("after");
  }
  return {};
}

}  // namespace

LayerListEditor::LayerListEditor(ConfigEditor& editor, QWidget* parent)
    : QWidget(parent), m_editor(editor) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  auto* label = new QLabel(tr("Hidden layers, one by one"), this);
  label->setToolTip(
      tr("<p><b>Hidden layers</b></p><p>Units, activation, BatchNorm (before or after the "
         "activation) and dropout of each hidden layer, input side first. A new activation "
         "keeps every weight; a new width rebuilds only the layers whose shape changes. The "
         "same list as one line: the 'Hidden layers (list)' setting, e.g. '300 relu, 100 "
         "relu'.</p>"));
  m_table = new QTableWidget(0, ColumnCount, this);
  m_table->setObjectName(QStringLiteral("layerList"));
  m_table->setHorizontalHeaderLabels({tr("Units"), tr("Activation"), tr("BN"), tr("Dropout")});
  m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  // The columns fit the Network panel's width (no cut-off "Dr…" at 1280 px): the numbers take
  // their contents' width, the activation the rest.
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(Activation, QHeaderView::Stretch);
  m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setMinimumHeight(fontMetrics().height() * 7);
  m_table->setMaximumHeight(fontMetrics().height() * 14);
  auto* buttons = new QHBoxLayout;
  buttons->setSpacing(4);
  auto button = [&](const QString& text, const QString& name, const QString& tip) {
    // Tool buttons, as wide as their text: four push buttons made the panel wider than its
    // dock at 1280 px, cutting off the list's last column.
    auto* b = new QToolButton(this);
    b->setText(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    buttons->addWidget(b);
    return b;
  };
  connect(button(tr("+"), QStringLiteral("addLayer"), tr("Add a layer after the selected one")),
          &QToolButton::clicked, this, &LayerListEditor::addLayer);
  connect(button(tr("Duplicate"), QStringLiteral("duplicateLayer"),
                 tr("Insert a copy of the selected layer after it")),
          &QToolButton::clicked, this, &LayerListEditor::duplicateLayer);
  m_remove = button(tr("−"), QStringLiteral("removeLayer"), tr("Remove the selected layer"));
  connect(m_remove, &QToolButton::clicked, this, &LayerListEditor::removeLayer);
  m_equal = button(tr("Equal"), QStringLiteral("equalLayers"),
                   tr("Back to equal layers: depth, width and activation set above"));
  connect(m_equal, &QToolButton::clicked, this, &LayerListEditor::useEqualLayers);
  buttons->addStretch(1);
  m_error = new QLabel(this);
  m_error->setWordWrap(true);
  m_error->hide();
  layout->addWidget(label);
  layout->addWidget(m_table);
  layout->addLayout(buttons);
  layout->addWidget(m_error);
  connect(&m_editor, &ConfigEditor::configChanged, this, &LayerListEditor::refresh);
  refresh();
}

QString LayerListEditor::error() const { return m_error->isHidden() ? QString() : m_error->text(); }

std::vector<core::HiddenLayer> LayerListEditor::layers() const {
  std::vector<core::HiddenLayer> list;
  const core::ActivationSpec base = m_editor.config().model.hiddenActivation;
  for (int row = 0; row < m_table->rowCount(); ++row) {
    core::HiddenLayer layer;
    layer.units = static_cast<QSpinBox*>(m_table->cellWidget(row, Units))->value();
    layer.activation = base;
    layer.activation.kind =
        kHidden[static_cast<QComboBox*>(m_table->cellWidget(row, Activation))->currentIndex()];
    // Each layer keeps its own activation parameters where the configuration has them.
    const auto& current = m_editor.config().model.layers;
    if (std::size_t(row) < current.size() &&
        current[std::size_t(row)].activation.kind == layer.activation.kind) {
      layer.activation = current[std::size_t(row)].activation;
    }
    layer.batchNorm =
        kPlacements[static_cast<QComboBox*>(m_table->cellWidget(row, BatchNorm))->currentIndex()];
    layer.dropoutRate = static_cast<QDoubleSpinBox*>(m_table->cellWidget(row, Dropout))->value();
    list.push_back(layer);
  }
  return list;
}

int LayerListEditor::currentRow() const {
  const int row = m_table->currentRow();
  return row >= 0 ? row : m_table->rowCount() - 1;
}

void LayerListEditor::addLayer() {
  std::vector<core::HiddenLayer> list = layers();
  const int at = currentRow() + 1;
  core::HiddenLayer layer = at > 0 ? list[std::size_t(at - 1)] : core::HiddenLayer{};
  if (at == 0) layer.activation = m_editor.config().model.hiddenActivation;
  layer.batchNorm = core::BatchNormPlacement::None;
  layer.dropoutRate = 0.0;
  list.insert(list.begin() + at, layer);
  commit(std::move(list), at);
}

void LayerListEditor::duplicateLayer() {
  std::vector<core::HiddenLayer> list = layers();
  if (list.empty()) return addLayer();
  const int at = currentRow();
  list.insert(list.begin() + at + 1, list[std::size_t(at)]);
  commit(std::move(list), at + 1);
}

void LayerListEditor::removeLayer() {
  std::vector<core::HiddenLayer> list = layers();
  if (list.empty()) return;
  const int at = currentRow();
  list.erase(list.begin() + at);
  if (list.empty()) {
    // No hidden layer at all: the equal stack of depth 0 says so without a list.
    core::ExperimentConfig next = m_editor.config();
    next.model.layers.clear();
    next.model.hiddenLayers = 0;
    m_error->hide();
    m_editor.edit(next);
    return;
  }
  commit(std::move(list), std::min(at, int(list.size()) - 1));
}

void LayerListEditor::useEqualLayers() {
  core::ExperimentConfig next = m_editor.config();
  if (next.model.layers.empty()) return;
  // The equal stack closest to the list: its depth, the first layer's width and activation.
  next.model.hiddenLayers = int(next.model.layers.size());
  next.model.width = next.model.layers.front().units;
  next.model.hiddenActivation = next.model.layers.front().activation;
  next.model.batchNorm = next.model.layers.front().batchNorm;
  next.model.dropoutRate = next.model.layers.front().dropoutRate;
  next.model.layerActivations.clear();
  next.model.layers.clear();
  m_error->hide();
  m_editor.edit(next);
}

void LayerListEditor::commit(std::vector<core::HiddenLayer> list, int selectRow) {
  core::ExperimentConfig next = m_editor.config();
  next.model.layers = std::move(list);
  next.model.layerActivations.clear();
  try {
    core::validate(next);
  } catch (const core::Error& e) {
    m_error->setText(QStringLiteral("%1: %2").arg(QString::fromStdString(e.field()),
                                                  QString::fromStdString(e.reason())));
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(theme().warning.name()));
    m_error->show();
    return;
  }
  m_error->hide();
  if (!m_editor.edit(next)) return;
  if (selectRow >= 0 && selectRow < m_table->rowCount()) m_table->selectRow(selectRow);
}

void LayerListEditor::fillRow(int row, const core::HiddenLayer& layer) {
  auto* units = new QSpinBox(m_table);
  units->setRange(1, int(core::kMaxUnits));
  units->setValue(int(layer.units));
  units->setKeyboardTracking(false);
  units->setFrame(false);
  // Typed, wheeled or arrowed: the step buttons would take a third of a narrow cell.
  units->setButtonSymbols(QAbstractSpinBox::NoButtons);
  auto* activation = new QComboBox(m_table);
  int index = 0;
  for (std::size_t i = 0; i < std::size(kHidden); ++i) {
    activation->addItem(QString::fromUtf8(core::toString(kHidden[i]).data()));
    if (kHidden[i] == layer.activation.kind) index = int(i);
  }
  activation->setCurrentIndex(index);
  auto* batchNorm = new QComboBox(m_table);
  for (std::size_t i = 0; i < std::size(kPlacements); ++i) {
    batchNorm->addItem(placementName(kPlacements[i]));
    if (kPlacements[i] == layer.batchNorm) batchNorm->setCurrentIndex(int(i));
  }
  auto* dropout = new QDoubleSpinBox(m_table);
  dropout->setRange(0.0, 0.95);
  dropout->setSingleStep(0.05);
  dropout->setDecimals(2);
  dropout->setValue(layer.dropoutRate);
  dropout->setKeyboardTracking(false);
  dropout->setFrame(false);
  dropout->setButtonSymbols(QAbstractSpinBox::NoButtons);
  m_table->setCellWidget(row, Units, units);
  m_table->setCellWidget(row, Activation, activation);
  m_table->setCellWidget(row, BatchNorm, batchNorm);
  m_table->setCellWidget(row, Dropout, dropout);
  auto edited = [this, row] {
    if (!m_filling) commit(layers(), row);
  };
  connect(units, &QSpinBox::valueChanged, this, edited);
  connect(activation, &QComboBox::activated, this, edited);
  connect(batchNorm, &QComboBox::activated, this, edited);
  connect(dropout, &QDoubleSpinBox::valueChanged, this, edited);
}

void LayerListEditor::refresh() {
  const core::ModelConfig& model = m_editor.config().model;
  const std::vector<core::HiddenLayer> list = model.hiddenLayerList();
  if (list == layers() && m_table->rowCount() == int(list.size())) {
    m_equal->setEnabled(!model.layers.empty());
    return;
  }
  // Do not rebuild the row being typed in: its editor would lose focus.
  for (int row = 0; row < m_table->rowCount(); ++row) {
    for (int column = 0; column < ColumnCount; ++column) {
      QWidget* cell = m_table->cellWidget(row, column);
      if (cell && cell->hasFocus() && m_table->rowCount() == int(list.size())) return;
    }
  }
  const int selected = m_table->currentRow();
  m_filling = true;
  m_table->setRowCount(int(list.size()));
  for (int row = 0; row < int(list.size()); ++row) fillRow(row, list[std::size_t(row)]);
  m_filling = false;
  if (selected >= 0 && selected < m_table->rowCount()) m_table->selectRow(selected);
  m_equal->setEnabled(!model.layers.empty());
  m_remove->setEnabled(!list.empty());
}

}  // namespace gradscope::ui
