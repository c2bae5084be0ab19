#include "ui/window/theme.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace gradscope::ui {

namespace {
// Viridis at 9 stops (matplotlib's perceptually uniform map), interpolated linearly.
constexpr std::array<std::array<int, 3>, 9> kViridis{{{68, 1, 84},
                                                      {71, 44, 122},
                                                      {59, 81, 139},
                                                      {44, 113, 142},
                                                      {33, 144, 141},
                                                      {39, 173, 129},
                                                      {92, 200, 99},
                                                      {170, 220, 50},
                                                      {253, 231, 37}}};

QColor interpolate(double t) {
  t = std::clamp(t, 0.0, 1.0) * double(kViridis.size() - 1);
  const std::size_t i = std::min(std::size_t(t), kViridis.size() - 2);
  const double f = t - double(i);
  auto mix = [&](int c) {
    return int(
        std::lround(kViridis[i][std::size_t(c)] * (1 - f) + kViridis[i + 1][std::size_t(c)] * f));
  };
  return QColor(mix(0), mix(1), mix(2));
}
}  // namespace

QFont Theme::font() const {
  QFont f;
  f.setPointSize(fontPointSize);
  return f;
}

QFont Theme::titleFont() const {
  QFont f;
  f.setPointSize(titlePointSize);
  f.setBold(true);
  return f;
}

QColor Theme::layerColor(int layer, int count) const {
  // Stop short of viridis's pale yellow end on a light background and of its near-black
  // purple start on a dark one, where they are unreadable.
  const double bottom = dark ? 0.3 : 0.0;
  const double top = dark ? 1.0 : 0.85;
  return interpolate(count <= 1 ? bottom
                                : bottom + (top - bottom) * double(layer) / double(count - 1));
}

QColor Theme::runColor(int run) const {
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies; then four of Paul
  // Tol's colours (lightened to read on the dark theme too), so every racer has its own.
  static const QColor colors[] = {
      QColor(0, 114, 178),   QColor(213, 94, 0),   QColor(0, 158, 115),   QColor(204, 121, 167),
      QColor(230, 159, 0),   QColor(86, 180, 233), QColor(120, 120, 120), QColor(240, 228, 66),
      QColor(204, 102, 119), QColor(153, 153, 51), QColor(136, 102, 238), QColor(68, 170, 153)};
  return colors[std::size_t(run) % std::size(colors)];
}

QColor Theme::heat(double t) const { return interpolate(t); }

QColor Theme::diverging(double t) const {
  // Blue (negative) - background-ish neutral - orange (positive).
  t = std::clamp(t, -1.0, 1.0);
  const QColor neutral = dark ? QColor(40, 40, 40) : QColor(247, 247, 247);
  const QColor end = t < 0 ? QColor(33, 102, 172) : QColor(214, 96, 77);
  const double f = std::abs(t);
  return QColor(int(neutral.red() * (1 - f) + end.red() * f),
                int(neutral.green() * (1 - f) + end.green() * f),
                int(neutral.blue() * (1 - f) + end.blue() * f));
}

const Theme& theme() { return ThemeManager::instance().current(); }

ThemeManager& ThemeManager::instance() {
  static ThemeManager manager;
  return manager;
}

ThemeManager::ThemeManager() { rebuild(); }

void ThemeManager::setPresentation(bool on) {
  if (m_theme.presentation == on) return;
  m_theme.presentation = on;
  rebuild();
  emit changed();
}

void ThemeManager::setDark(bool on) {
  if (m_theme.dark == on) return;
  m_theme.dark = on;
  rebuild();
  emit changed();
}

void ThemeManager::rebuild() {
  Theme& t = m_theme;
  if (t.dark) {
    t.background = QColor(18, 18, 18);
    t.foreground = QColor(235, 235, 235);
    t.grid = QColor(70, 70, 70);
    t.faint = QColor(120, 120, 120);
    t.accent = QColor(86, 180, 233);
    t.secondary = QColor(230, 159, 0);
    t.warning = QColor(255, 90, 90);
  } else {
    t.background = QColor(255, 255, 255);
    t.foreground = QColor(20, 20, 20);
    t.grid = QColor(220, 220, 220);
    t.faint = QColor(170, 170, 170);
    t.accent = QColor(0, 114, 178);
    t.secondary = QColor(213, 94, 0);
    t.warning = QColor(200, 0, 0);
  }
  t.fontPointSize = t.presentation ? 14 : 9;
  t.titlePointSize = t.presentation ? 16 : 10;
  t.lineWidth = t.presentation ? 3.0 : 1.5;
}

}  // namespace gradscope::ui
