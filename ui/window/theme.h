// Colours, fonts and line widths of the dashboard, in one place, for the normal look and the
// projector-friendly presentation mode (larger text and lines, high-contrast light or dark).
// Views read theme() when they draw and listen to ThemeManager::changed() to restyle.
#pragma once

#include <QColor>
#include <QFont>
#include <QObject>

namespace gradscope::ui {

struct Theme {
  bool dark = false;
  bool presentation = false;
  QColor background;
  QColor foreground;  // text, axes
  QColor grid;
  QColor faint;      // raw loss, ghosts
  QColor accent;     // the main line
  QColor secondary;  // validation
  QColor warning;    // events such as divergence
  int fontPointSize = 9;
  int titlePointSize = 10;
  qreal lineWidth = 1.5;

  QFont font() const;
  QFont titleFont() const;
  // A perceptual ramp (viridis) from input layer (0) to output layer (count - 1).
  QColor layerColor(int layer, int count) const;
  // Distinct colours for comparison runs.
  QColor runColor(int run) const;
  // A sequential colour map for heatmaps, t in [0, 1].
  QColor heat(double t) const;
  // A diverging map for signed values (decision boundaries, weights), t in [-1, 1].
  QColor diverging(double t) const;
};

const Theme& theme();

class ThemeManager : public QObject {
  Q_OBJECT
 public:
  static ThemeManager& instance();
  void setPresentation(bool on);
  void setDark(bool on);
  const Theme& current() const { return m_theme; }

 signals:
  void changed();

 private:
  ThemeManager();
  void rebuild();
  Theme m_theme;
};

}  // namespace gradscope::ui
