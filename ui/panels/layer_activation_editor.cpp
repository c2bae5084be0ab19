#include "ui/panels/layer_activation_editor.h"

#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

#include "ui/panels/config_editor.h"
#include "ui/panels/settings_panel.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

LayerActivationEditor::LayerActivationEditor(ConfigEditor& editor, QWidget* parent)
    : QWidget(parent), m_editor(editor) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  auto* label = new QLabel(tr("Per-layer activation"), this);
  label->setWordWrap(true);
  m_edit = new QLineEdit(this);
  m_edit->setObjectName(QStringLiteral("model.layer_activations"));
  m_edit->setPlaceholderText(tr("e.g. relu, relu, sigmoid"));
  const QString tip =
      tr("<p><b>Per-layer activation</b></p><p>One activation per hidden layer, separated by "
         "commas; a blank entry keeps the hidden activation. A sigmoid between ReLU layers "
         "shows where the gradient starts to vanish.</p><p><i>%1</i></p>")
          .arg(SettingsPanel::effectText(core::SettingEffect::Live));
  label->setToolTip(tip);
  m_edit->setToolTip(tip);
  label->setBuddy(m_edit);
  m_error = new QLabel(this);
  m_error->setWordWrap(true);
  m_error->hide();
  layout->addWidget(label);
  layout->addWidget(m_edit);
  layout->addWidget(m_error);
  connect(m_edit, &QLineEdit::editingFinished, this, &LayerActivationEditor::commit);
  connect(&m_editor, &ConfigEditor::configChanged, this, &LayerActivationEditor::refresh);
  refresh();
}

QString LayerActivationEditor::error() const {
  return m_error->isHidden() ? QString() : m_error->text();
}

std::vector<std::optional<core::ActivationSpec>> LayerActivationEditor::parse(
    const QString& text, const core::ModelConfig& model) {
  std::vector<std::optional<core::ActivationSpec>> overrides;
  if (text.trimmed().isEmpty()) return overrides;
  const QStringList parts = text.split(QLatin1Char(','));
  if (parts.size() > model.hiddenLayers) {
    throw core::Error("model.layer_activations", "more entries (" + std::to_string(parts.size()) +
                                                     ") than hidden layers (" +
                                                     std::to_string(model.hiddenLayers) + ")");
  }
  for (const QString& part : parts) {
    const std::string name = part.trimmed().toStdString();
    if (name.empty()) {
      overrides.emplace_back();
      continue;
    }
    const auto kind = core::activationKindFromString(name);
    if (!kind || *kind == core::ActivationKind::Softmax) {
      throw core::Error("model.layer_activations", "unknown hidden activation '" + name + "'");
    }
    core::ActivationSpec spec = model.hiddenActivation;
    spec.kind = *kind;
    overrides.emplace_back(spec);
  }
  while (!overrides.empty() && !overrides.back()) overrides.pop_back();
  return overrides;
}

QString LayerActivationEditor::format(const core::ModelConfig& model) {
  QStringList parts;
  for (const auto& a : model.layerActivations) {
    parts << (a ? QString::fromUtf8(core::toString(a->kind).data()) : QString());
  }
  while (!parts.isEmpty() && parts.back().isEmpty()) parts.removeLast();
  return parts.join(QStringLiteral(", "));
}

void LayerActivationEditor::commit() {
  core::ExperimentConfig next = m_editor.config();
  try {
    next.model.layerActivations = parse(m_edit->text(), next.model);
    core::validate(next);
  } catch (const core::Error& e) {
    m_error->setText(QString::fromStdString(e.reason()));
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(theme().warning.name()));
    m_error->show();
    return;
  }
  m_error->hide();
  m_editor.edit(next);
}

void LayerActivationEditor::refresh() {
  // A list of hidden layers carries each layer's activation itself.
  setVisible(m_editor.config().model.layers.empty());
  if (m_edit->hasFocus()) return;
  const QString text = format(m_editor.config().model);
  if (m_edit->text() != text) m_edit->setText(text);
}

}  // namespace gradscope::ui
