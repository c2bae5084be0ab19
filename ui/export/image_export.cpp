#include "ui/export/image_export.h"

#include <QApplication>
#include <QAreaSeries>
#include <QChartView>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLineSeries>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPointer>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QWidget>
#include <QXYSeries>

#include <algorithm>
#include <cstdio>

#include "app/sessions/session_file.h"
#include "ui/charts/chart_view.h"
#include "ui/window/settings_keys.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

QImage renderImage(QWidget* widget, double scale) {
  const QSize size = widget->size();
  QImage image((QSizeF(size) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.setDevicePixelRatio(scale);
  image.fill(theme().background);
  widget->render(&image, QPoint(), QRegion(),
                 QWidget::DrawWindowBackground | QWidget::DrawChildren);
  return image;
}

QString fileStem(const QString& baseName) {
  QString stem = baseName.toLower();
  stem.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
  while (stem.endsWith(QLatin1Char('-'))) stem.chop(1);
  while (stem.startsWith(QLatin1Char('-'))) stem.remove(0, 1);
  return stem.isEmpty() ? QStringLiteral("gradscope") : QStringLiteral("gradscope-") + stem;
}

QString exportDirectory() {
  const QString last = QSettings().value(kExportDirectoryKey).toString();
  if (!last.isEmpty() && QDir(last).exists()) return last;
  const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
  return pictures.isEmpty() ? QDir::homePath() : pictures;
}

}  // namespace

bool exportPng(QWidget* widget, const QString& path, double scale, QString* error) {
  if (!widget || widget->width() <= 0 || widget->height() <= 0) {
    if (error) *error = QObject::tr("nothing to export: the view is not shown");
    return false;
  }
  if (!(scale >= 0.25 && scale <= 8.0)) {
    if (error) *error = QObject::tr("scale must be between 0.25 and 8");
    return false;
  }
  const QImage image = renderImage(widget, scale);
  // Written to a temporary file that replaces `path` only when complete: a full disk or a
  // crash leaves the previous image (or none), never a truncated one.
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !app::commitWhole(file)) {
    if (error) *error = app::fileWriteError(path, file);
    file.cancelWriting();
    return false;
  }
  return true;
}

bool exportSvg(QWidget* widget, const QString& path, QString* error) {
  if (!widget || widget->width() <= 0 || widget->height() <= 0) {
    if (error) *error = QObject::tr("nothing to export: the view is not shown");
    return false;
  }
  QSaveFile file(path);  // as exportPng: complete or not at all
  if (!file.open(QIODevice::WriteOnly)) {
    if (error) *error = app::fileWriteError(path, file);
    return false;
  }
  QSvgGenerator generator;
  generator.setOutputDevice(&file);
  generator.setSize(widget->size());
  generator.setViewBox(QRect(QPoint(0, 0), widget->size()));
  generator.setTitle(QStringLiteral("GradScope"));
  generator.setDescription(widget->windowTitle());
  QPainter painter;
  if (!painter.begin(&generator)) {
    if (error) *error = app::fileWriteError(path, file);
    file.cancelWriting();
    return false;
  }
  painter.fillRect(QRect(QPoint(0, 0), widget->size()), theme().background);
  widget->render(&painter, QPoint(), QRegion(),
                 QWidget::DrawWindowBackground | QWidget::DrawChildren);
  painter.end();
  if (file.pos() == 0 || !app::commitWhole(file)) {
    if (error) *error = app::fileWriteError(path, file);
    file.cancelWriting();
    return false;
  }
  return true;
}

bool exportPartsPng(QWidget* root, const QList<QWidget*>& parts, const QString& path, double scale,
                    QString* error) {
  QRect area;
  for (QWidget* part : parts) area |= QRect(part->mapTo(root, QPoint(0, 0)), part->size());
  if (!root || area.isEmpty()) {
    if (error) *error = QObject::tr("nothing to export: no chart is shown");
    return false;
  }
  if (!(scale >= 0.25 && scale <= 8.0)) {
    if (error) *error = QObject::tr("scale must be between 0.25 and 8");
    return false;
  }
  QImage image((QSizeF(area.size()) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.setDevicePixelRatio(scale);
  image.fill(theme().background);
  for (QWidget* part : parts) {
    const QPoint at = part->mapTo(root, QPoint(0, 0)) - area.topLeft();
    part->render(&image, at, QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
  }
  if (!image.save(path, "PNG")) {
    if (error) *error = QObject::tr("cannot write %1").arg(QDir::toNativeSeparators(path));
    return false;
  }
  return true;
}

bool exportChartCsv(QWidget* widget, const QString& path, QString* error) {
  auto* view = qobject_cast<QChartView*>(widget);
  if (!view && widget) view = widget->findChild<QChartView*>();
  if (!view || !view->chart()) {
    if (error) *error = QObject::tr("this view has no chart data");
    return false;
  }
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error) *error = out.errorString();
    return false;
  }
  // Each row names the axes its point is drawn against (their full titles, which carry the
  // unit: "accuracy % (dashed)" holds percentages where metrics.csv holds fractions).
  out.write("series,x,y,x axis,y axis\n");
  const auto* ours = qobject_cast<const ChartView*>(view);
  auto axisTitle = [&](QAbstractSeries* series, Qt::Orientation orientation) {
    for (const QAbstractAxis* axis : series->attachedAxes()) {
      if (axis->orientation() != orientation) continue;
      QString title = ours ? ours->fullAxisTitle(axis) : axis->titleText();
      return title.replace(QLatin1Char(','), QLatin1Char(';'));
    }
    return QString();
  };
  char number[64];
  int unnamed = 0;
  auto write = [&](const QXYSeries* series, QString name, QAbstractSeries* owner) {
    name.replace(QLatin1Char(','), QLatin1Char(';'));
    const QByteArray label = name.toUtf8();
    const QByteArray axes = (QLatin1Char(',') + axisTitle(owner, Qt::Horizontal) +
                             QLatin1Char(',') + axisTitle(owner, Qt::Vertical) + QLatin1Char('\n'))
                                .toUtf8();
    for (const QPointF& p : series->points()) {
      std::snprintf(number, sizeof number, ",%.17g,%.17g", p.x(), p.y());
      out.write(label + number + axes);
    }
  };
  const QList<QAbstractSeries*> all = view->chart()->series();
  // An unnamed series drawing the same points as a named one (dots over a line) adds nothing
  // but a row per point under a made-up name.
  auto drawnTwice = [&](const QXYSeries* series) {
    return std::any_of(all.begin(), all.end(), [&](const QAbstractSeries* other) {
      const auto* xy = qobject_cast<const QXYSeries*>(other);
      return xy && xy != series && xy->isVisible() && !xy->name().isEmpty() &&
             xy->points() == series->points();
    });
  };
  for (QAbstractSeries* s : all) {
    if (!s->isVisible()) continue;
    auto* xy = qobject_cast<QXYSeries*>(s);
    if (xy && s->name().isEmpty() && drawnTwice(xy)) continue;
    const QString name =
        s->name().isEmpty() ? QStringLiteral("series %1").arg(++unnamed) : s->name();
    if (xy) write(xy, name, s);
    if (auto* area = qobject_cast<QAreaSeries*>(s)) {
      write(area->upperSeries(), name + QStringLiteral(" (upper)"), s);
      if (area->lowerSeries()) write(area->lowerSeries(), name + QStringLiteral(" (lower)"), s);
    }
  }
  if (!app::commitWhole(out)) {
    if (error) *error = out.errorString();
    return false;
  }
  return true;
}

void copyImage(QWidget* widget, double scale) {
  if (!widget || widget->width() <= 0 || widget->height() <= 0) return;
  QApplication::clipboard()->setImage(renderImage(widget, scale));
}

void addExportActions(QMenu* menu, QWidget* widget, const QString& baseName) {
  QPointer<QWidget> target(widget);
  menu->addAction(QObject::tr("Copy image"), menu, [target] {
    if (target) copyImage(target);
  });
  menu->addAction(QObject::tr("Export…"), menu, [target, baseName] {
    if (!target) return;
    const QString png1 = QObject::tr("PNG image, 1x (*.png)");
    const QString png2 = QObject::tr("PNG image, 2x (*.png)");
    const QString png4 = QObject::tr("PNG image, 4x (*.png)");
    const QString svg = QObject::tr("SVG drawing (*.svg)");
    const QString csv = QObject::tr("Chart data as CSV (*.csv)");
    const bool hasChart =
        qobject_cast<QChartView*>(target.data()) || target->findChild<QChartView*>();
    QStringList filters{png1, png2, png4, svg};
    if (hasChart) filters << csv;
    QString filter = png2;
    const QString start = QDir(exportDirectory()).filePath(fileStem(baseName) + ".png");
    QString path =
        QFileDialog::getSaveFileName(target->window(), QObject::tr("Export %1").arg(baseName),
                                     start, filters.join(QStringLiteral(";;")), &filter);
    if (path.isEmpty() || !target) return;
    const bool asSvg = filter == svg;
    const bool asCsv = filter == csv;
    const QString suffix = asCsv   ? QStringLiteral(".csv")
                           : asSvg ? QStringLiteral(".svg")
                                   : QStringLiteral(".png");
    if (QFileInfo(path).suffix().isEmpty()) path += suffix;
    QSettings().setValue(kExportDirectoryKey, QFileInfo(path).absolutePath());
    QString error;
    const double scale = filter == png1 ? 1.0 : filter == png4 ? 4.0 : 2.0;
    const bool ok = asCsv   ? exportChartCsv(target, path, &error)
                    : asSvg ? exportSvg(target, path, &error)
                            : exportPng(target, path, scale, &error);
    if (!ok) {
      QMessageBox::warning(target->window(), QObject::tr("Export failed"),
                           QObject::tr("The image was not saved: %1.").arg(error));
    }
  });
}

}  // namespace gradscope::ui
