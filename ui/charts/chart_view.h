// Our wrapper around Qt Charts (QChartView + QChart). Every use of Qt Charts in the dashboard
// goes through this class and the views in ui/, so a move to Qt Graphs (Qt Charts is deprecated
// from Qt 6.10) touches one folder.
//
// What it adds to a plain QChartView:
//  - the dashboard look: no animations, no OpenGL, theme fonts, colours and line widths, restyled
//    when the theme changes (presentation mode), a compact legend on top;
//  - axes that stay put: step axes grow in "nice" steps, value and log axes change only when
//    the data leaves them or uses a small part of them;
//  - series filled from the history's decimated data with one replace() (min and max per
//    bucket, so a one-step spike survives), clamped to the axis floor on log axes (Qt Charts
//    hides a whole series with one value <= 0 on a log axis);
//  - marks: thin lines with a short label at a step (events, the current step) or at a value
//    (guide lines), laid out again whenever the plot area or an axis changes;
//  - a right-click menu with "Copy image" and "Export…".
#pragma once

#include <QChartView>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "app/history/decimated_series.h"
#include "app/worker/snapshot.h"

class QAbstractAxis;
class QAbstractSeries;
class QAreaSeries;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QLogValueAxis;
class QMenu;
class QScatterSeries;
class QValueAxis;
class QXYSeries;

namespace gradscope::ui {

// A thin line across the plot with a short label: at x = value (Qt::Vertical, e.g. an event at
// a step) or at y = value (Qt::Horizontal, e.g. a guide line).
struct ChartMark {
  Qt::Orientation orientation = Qt::Vertical;
  double value = 0.0;
  QString label;
  QString toolTip;
  QColor color;
  Qt::PenStyle style = Qt::SolidLine;
  QAbstractAxis* axis = nullptr;  // null: the chart's first axis of that orientation
};

// The running minimum and maximum of the values a chart will show.
struct ValueRange {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v);
  // Positive values only (for log axes).
  void addPositive(double v);
  void add(const app::DecimatedSeries& series, bool positiveOnly = false);
  bool valid() const { return lo <= hi; }
};

class ChartView : public QChartView {
  Q_OBJECT
 public:
  // How a decimated bucket becomes points: its min and max (two points, keeps spikes) or its
  // mean (one point, for smooth curves).
  enum class Envelope { MinMax, Mean };
  // Timeline: the step the timeline took the runs back to, on every chart over steps.
  enum class MarkGroup { Events, Cursor, Guides, Highlights, Timeline, Count };
  // Values <= 0 on a log axis are drawn at the axis minimum, and never below this (vanished
  // gradients are measured down to ~1e-38 and must show as such).
  static constexpr double kLogFloor = 1e-300;

  explicit ChartView(const QString& title, QWidget* parent = nullptr);
  ~ChartView() override;

  // Shown above the plot unless the chart is too small for it at the theme's font size (the
  // dock's title names the chart then).
  // `shortTitle` replaces `title` where that does not fit the chart's width.
  void setTitle(const QString& title, const QString& shortTitle = QString());
  QString title() const { return m_title; }
  bool compact() const { return m_compact; }
  // The base name of exported files.
  void setExportName(const QString& name) { m_exportName = name; }

  QValueAxis* addValueAxis(Qt::Alignment alignment, const QString& title);
  // Titles for `axis`, longest first: the longest that fits along the plot is shown (a narrow
  // dock gets "layer (in → out)" instead of "layer (input → output)").
  void setAxisTitles(QAbstractAxis* axis, const QStringList& titles);
  // The longest title of `axis` (the one that says its unit), whatever the chart's width shows.
  QString fullAxisTitle(const QAbstractAxis* axis) const;
  QLogValueAxis* addLogAxis(Qt::Alignment alignment, const QString& title);
  QLineSeries* addLine(const QString& name, QAbstractAxis* x, QAbstractAxis* y);
  QScatterSeries* addScatter(const QString& name, QAbstractAxis* x, QAbstractAxis* y);
  // An area between its upper and lower line (both owned by the area).
  QAreaSeries* addArea(const QString& name, QAbstractAxis* x, QAbstractAxis* y);
  void setInLegend(QAbstractSeries* series, bool shown);

  // Pens and brushes at the theme's line width times `widthScale`.
  static void styleLine(QXYSeries* series, const QColor& color, double widthScale = 1.0,
                        Qt::PenStyle style = Qt::SolidLine);
  static void styleScatter(QScatterSeries* series, const QColor& color, double sizeScale = 1.0);

  // The plot area's width in pixels (a fallback from the widget before the first layout).
  int plotWidth() const;
  // How many buckets to ask the history for when `lines` min/max lines share the chart and the
  // data covers `fraction` of the x axis: about one point per pixel column in all.
  int bucketsFor(int lines = 1, double fraction = 1.0) const;
  // Points this chart may show in all (its share of the dashboard's budget).
  int pointBudget() const;
  int pointCount() const;

  // Series data, always with one replace().
  static void fill(QXYSeries* series, const app::DecimatedSeries& data, Envelope envelope);
  // A band from each bucket's min to its max (spikes stay visible as its edge), for a mean
  // line drawn over it: several noisy lines stay apart where zigzags would tangle.
  static void fillBand(QAreaSeries* band, const app::DecimatedSeries& data);
  static void styleBand(QAreaSeries* band, const QColor& color);
  // Non-finite points are dropped; on a log axis values are clamped to the axis floor.
  static void setPoints(QXYSeries* series, QList<QPointF> points);
  // Min and max per bucket of `count` values, in index order.
  static QList<QPointF> minMaxPoints(std::size_t count, const std::function<double(std::size_t)>& x,
                                     const std::function<double(std::size_t)>& y, int buckets);

  // Axes, with as many labels as fit the plot at the theme's font. A step axis starts at
  // `first` and grows to the next nice number past `last` (or ends at `last` without
  // `headroom`, for a plan whose end is known).
  void fitSteps(QValueAxis* axis, std::int64_t first, std::int64_t last, bool headroom = true);
  // A nice range around `range` (with zero if `includeZero`), kept while the data fits well.
  void fitValues(QValueAxis* axis, ValueRange range, bool includeZero = false);
  // Whole decades around `range`, kept while the data fits well; labels every decade, or every
  // second (third, ...) one when the decades are too many for the axis's length.
  void fitLog(QLogValueAxis* axis, ValueRange range);
  // How many labels of `sample`'s width fit along an axis of this orientation.
  int labelCapacity(Qt::Orientation orientation, const QString& sample) const;
  // A layer axis: 1..layers, labelled as densely as the plot's width allows (up to 8 labels).
  // Call it again when the plot changes size (QChart::plotAreaChanged): a spacing worked out
  // for a wider plot draws every label as "...".
  void fitLayers(QValueAxis* axis, int layers);

  void setMarks(MarkGroup group, std::vector<ChartMark> marks);
  // True when the horizontal axis counts training steps (a time chart).
  bool overSteps() const;
  int markCount(MarkGroup group) const;
  const std::vector<ChartMark>& marks(MarkGroup group) const;
  // Event marks from the history (redone only when the events changed); `show` filters kinds.
  void setEvents(const std::vector<app::Event>& events,
                 const std::function<bool(app::EventKind)>& show = {});
  static QColor eventColor(app::EventKind kind);
  static QString eventLabel(const app::Event& event);

  // A line of grey text in the middle of the plot while there is nothing to show.
  void setPlaceholder(const QString& text);

 signals:
  // After the chart took the new theme: views restyle their series.
  void themeApplied();
  // The plot area's size changed noticeably: views may ask for another bucket count and fit
  // another number of axis labels.
  void plotSizeChanged();
  // Before the context menu opens, for view-specific actions (placed above the export ones).
  void aboutToShowMenu(QMenu* menu);

 protected:
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct MarkItem {
    QGraphicsLineItem* line = nullptr;
    QGraphicsRectItem* box = nullptr;  // behind the label, so lines under it do not hide it
    QGraphicsSimpleTextItem* text = nullptr;
  };

  void applyTheme();
  void updateCompact();
  void fitAxisTitles();
  void styleAxis(QAbstractAxis* axis) const;
  QFont axisFont() const;  // the axes' labels and titles
  void layoutMarks();
  void onPlotAreaChanged();
  QAbstractAxis* defaultAxis(Qt::Orientation orientation) const;
  // Position of `value` on `axis` in chart coordinates; NaN when the axis cannot map it.
  double toPosition(QAbstractAxis* axis, double value) const;

  QString m_title;
  QString m_shortTitle;
  std::vector<std::pair<QAbstractAxis*, QStringList>> m_axisTitles;
  bool m_compact = false;
  QString m_exportName;
  std::array<std::vector<ChartMark>, std::size_t(MarkGroup::Count)> m_marks;
  std::array<std::vector<MarkItem>, std::size_t(MarkGroup::Count)> m_markItems;
  std::size_t m_eventCount = 0;
  std::int64_t m_lastEventStep = -1;
  QGraphicsSimpleTextItem* m_placeholder = nullptr;
  QString m_placeholderText;  // as given (shown on two lines where the plot is narrow)
  QSizeF m_lastPlotSize;
};

}  // namespace gradscope::ui
