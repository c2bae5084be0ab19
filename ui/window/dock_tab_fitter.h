// The tab rows of tabified docks show every view's whole name: when a row has less room than
// its names need at the tab font (the seven control panels down the side at 1280x720 in
// presentation mode), the row takes the largest smaller font, down to kSmallestPointSize, at
// which they all fit. A row that does not fit even then keeps its font and scrolls (a smaller
// font would only make what is shown harder to read). Rows across (charts) and down the side
// (control panels) alike.
#pragma once

#include <QFont>
#include <QObject>

class QTabBar;

namespace gradscope::ui {

class DockTabFitter : public QObject {
  Q_OBJECT
 public:
  static constexpr int kSmallestPointSize = 8;

  explicit DockTabFitter(QObject* parent = nullptr);

  // Fits `bar` with `font` as its largest font, now and whenever its size or tabs change.
  void fit(QTabBar* bar, const QFont& font);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  static void refit(QTabBar* bar);
};

}  // namespace gradscope::ui
