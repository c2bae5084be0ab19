// Exporting what is on screen: any widget (one chart or the whole dashboard) to PNG at a
// chosen scale, to SVG, or to the clipboard. Charts offer these from their context menu.
#pragma once

#include <QList>
#include <QString>

class QWidget;
class QMenu;

namespace gradscope::ui {

// Renders `widget` at `scale` (1, 2, 4) device pixels per pixel; false (and `error`) on failure.
bool exportPng(QWidget* widget, const QString& path, double scale, QString* error = nullptr);
bool exportSvg(QWidget* widget, const QString& path, QString* error = nullptr);
// `parts` (children of `root`) in one image, each where it is on screen, cropped to them: the
// rest of `root` (toolbar, panels) is left out.
bool exportPartsPng(QWidget* root, const QList<QWidget*>& parts, const QString& path, double scale,
                    QString* error = nullptr);
// The data of the chart in `widget` (a QChartView, or a widget holding one) as CSV: a row
// "series,x,y,x axis,y axis" per point drawn (visible series only), the axes by their full
// titles, which name the unit; false (and `error`) without a chart.
bool exportChartCsv(QWidget* widget, const QString& path, QString* error = nullptr);
void copyImage(QWidget* widget, double scale = 2.0);
// Adds "Copy image" and "Export…" (a file dialog for PNG at 1x/2x/4x, SVG or, for a chart,
// its data as CSV) to `menu`.
void addExportActions(QMenu* menu, QWidget* widget, const QString& baseName);

}  // namespace gradscope::ui
