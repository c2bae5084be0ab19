// Exporting what is on screen: any widget (one chart or the whole dashboard) to PNG at a
// chosen scale, to SVG, or to the clipboard. Charts offer these from their context menu.
#pragma once

#include <QString>

class QWidget;
class QMenu;

namespace gradscope::ui {

// Renders `widget` at `scale` (1, 2, 4) device pixels per pixel; false (and `error`) on failure.
bool exportPng(QWidget* widget, const QString& path, double scale, QString* error = nullptr);
bool exportSvg(QWidget* widget, const QString& path, QString* error = nullptr);
void copyImage(QWidget* widget, double scale = 2.0);
// Adds "Copy image" and "Export…" (a file dialog for PNG at 1x/2x/4x or SVG) to `menu`.
void addExportActions(QMenu* menu, QWidget* widget, const QString& baseName);

}  // namespace gradscope::ui
