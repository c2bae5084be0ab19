#include "ui/export/session_charts.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QWidget>

#include "app/scenarios/default_experiment.h"
#include "ui/charts/dashboard_view.h"
#include "ui/export/image_export.h"
#include "ui/window/main_window.h"
#include "ui/window/session_manager.h"

namespace gradscope::ui {

namespace {

QString fileNameOf(const QString& title) {
  QString name = title.toLower();
  for (QChar& c : name) {
    if (!c.isLetterOrNumber()) c = QLatin1Char('-');
  }
  while (name.contains(QLatin1String("--"))) name.replace(QLatin1String("--"), QLatin1String("-"));
  return name;
}

}  // namespace

bool exportSessionCharts(const QString& sessionPath, const QString& directory, QStringList* written,
                         QString* error) {
  if (!QDir().mkpath(directory)) {
    if (error) *error = QStringLiteral("cannot create %1").arg(directory);
    return false;
  }
  MainWindow::Options options;
  options.persistent = false;
  options.allViewsVisible = true;  // every chart in its own cell, none behind a tab
  MainWindow window(app::defaultExperiment(), options);
  window.resize(1920, 1200);
  window.show();

  QEventLoop loop;
  bool opened = false;
  QString failure;
  QObject::connect(&window.sessions(), &SessionManager::sessionOpened, &loop, [&] {
    opened = true;
    loop.quit();
  });
  QObject::connect(&window.sessions(), &SessionManager::openFailed, &loop,
                   [&](const QString& message) {
                     failure = message;
                     loop.quit();
                   });
  // Opening reports success or failure; the timer only guards against a hang. The largest
  // session a network may make takes minutes to open on a busy two-core machine.
  bool timedOut = false;
  QTimer::singleShot(30 * 60'000, &loop, [&] {
    timedOut = true;
    loop.quit();
  });
  if (!window.sessions().open(sessionPath, &failure)) {
    if (error) *error = failure;
    return false;
  }
  if (!opened && failure.isEmpty()) loop.exec();
  if (!opened) {
    if (error) {
      *error = !failure.isEmpty() ? failure
               : timedOut         ? QStringLiteral("the session did not open within 30 minutes")
                                  : QStringLiteral("the session did not open");
    }
    return false;
  }
  // Let the layout settle, then draw every view from the restored history.
  for (int i = 0; i < 5; ++i) QCoreApplication::processEvents();
  for (DashboardView* view : window.views()) view->refresh(window.history(), window.run());
  QCoreApplication::processEvents();
  for (DashboardView* view : window.views()) {
    QWidget* widget = view->widget();
    if (!widget || widget->width() < 10 || widget->height() < 10) continue;
    const QString base = QDir(directory).filePath(fileNameOf(view->viewTitle()));
    QString message;
    // Twice the pixels: sharp on a slide or a projector.
    if (!exportPng(widget, base + QStringLiteral(".png"), 2.0, &message) ||
        !exportSvg(widget, base + QStringLiteral(".svg"), &message)) {
      if (error) *error = message;
      return false;
    }
    if (written) *written << base + QStringLiteral(".png") << base + QStringLiteral(".svg");
  }
  return true;
}

}  // namespace gradscope::ui
