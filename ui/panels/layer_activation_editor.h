// Per-layer activations for the Network panel: one name per hidden layer, separated by
// commas, a blank entry keeping the hidden activation ("relu, , sigmoid"). Lets a lecturer
// put a sigmoid in the middle of a ReLU stack and watch the gradient flow change there.
#pragma once

#include <QWidget>

#include "core/model/experiment_config.h"

class QLabel;
class QLineEdit;

namespace gradscope::ui {

class ConfigEditor;

class LayerActivationEditor : public QWidget {
  Q_OBJECT
 public:
  explicit LayerActivationEditor(ConfigEditor& editor, QWidget* parent = nullptr);

  QLineEdit* edit() const { return m_edit; }
  QString error() const;

  // "relu, , sigmoid" <-> overrides; blank entries keep the hidden activation. Throws
  // core::Error("model.layer_activations", ...) for an unknown name or too many entries.
  static std::vector<std::optional<core::ActivationSpec>> parse(const QString& text,
                                                                const core::ModelConfig& model);
  static QString format(const core::ModelConfig& model);

 private:
  void commit();
  void refresh();

  ConfigEditor& m_editor;
  QLineEdit* m_edit = nullptr;
  QLabel* m_error = nullptr;
};

}  // namespace gradscope::ui
