// gradscope: the dashboard. `gradscope run|lr-find|export ...` and `gradscope --help` (or no
// display at all) use the command line instead (app/headless_run.h).
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QScreen>
#include <QStatusBar>
#include <QStyleFactory>

#include <cstdio>

#include "app/cli/headless_run.h"
#include "app/scenarios/scenario_library.h"
#include "core/kernels/kernel_level.h"
#include "ui/export/session_charts.h"
#include "ui/window/dashboard_measurement.h"
#include "ui/window/main_window.h"
#include "ui/window/session_manager.h"
#include "ui/window/theme.h"
#include "ui/window/timed_application.h"

using namespace gradscope;

namespace {

void setIdentity() {
  QCoreApplication::setOrganizationName(QStringLiteral("GradScope"));
  QCoreApplication::setApplicationName(QStringLiteral("gradscope"));
  // `gradscope --version` names the kernel level in use too (chosen here, once, at start-up):
  // the last bits of a run depend on it (core/kernels/kernel_level.h).
  QCoreApplication::setApplicationVersion(
      QStringLiteral(GRADSCOPE_VERSION " (kernels: %1)")
          .arg(QLatin1String(core::kernelLevelName(core::kernelLevel()))));
}

bool displayAvailable() {
  return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") ||
         !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

}  // namespace

int main(int argc, char* argv[]) {
  QElapsedTimer sinceStart;
  sinceStart.start();

  QStringList arguments;
  for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
  const bool commandLine = app::isCommandLine(arguments);
  if (commandLine || !displayAvailable()) {
    if (!commandLine) {
      std::fprintf(stderr,
                   "gradscope: no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are "
                   "unset): training headless; 'gradscope --help' lists the commands\n");
    }
    // Charts are rendered offscreen, never in a window, whatever the display.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    return app::runCommandLine(arguments, &ui::exportSessionCharts);
  }

  ui::TimedApplication app(argc, argv);
  setIdentity();
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Watch a deep network train. 'gradscope run --help' describes the "
                     "headless trainer."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption theme(QStringLiteral("theme"),
                           QStringLiteral("light, dark, presentation-light or presentation-dark."),
                           QStringLiteral("NAME"));
  QCommandLineOption play(QStringLiteral("play"), QStringLiteral("Start training at once."));
  QCommandLineOption measure(
      QStringLiteral("measure-ui"),
      QStringLiteral("Train a deep network (20 hidden sigmoid layers of 100 units) at full speed "
                     "for SECONDS, print the dashboard's frame rate, GUI-thread load, event-loop "
                     "latency and start-up time, and quit."),
      QStringLiteral("SECONDS"));
  QCommandLineOption layers(QStringLiteral("layers"),
                            QStringLiteral("Hidden layers of the --measure-ui network (20)."),
                            QStringLiteral("N"), QStringLiteral("20"));
  QCommandLineOption width(QStringLiteral("width"),
                           QStringLiteral("Units per hidden layer of the --measure-ui network "
                                          "(100; e.g. --layers 250 --width 150 saves a ~30 MB "
                                          "session while it measures)."),
                           QStringLiteral("N"), QStringLiteral("100"));
  QCommandLineOption landscapes(QStringLiteral("landscapes"),
                                QStringLiteral("Open the Landscapes window (optimisers racing on "
                                               "2-D loss surfaces) as well."));
  QCommandLineOption showScenario(
      QStringLiteral("show-scenario"),
      QStringLiteral(
          "Open the dashboard with this scenario of the library loaded (its id, e.g. "
          "optimiser-race, or its number; default: the default experiment), ready for the class."),
      QStringLiteral("NAME"));
  parser.addOptions({theme, play, measure, layers, width, landscapes, showScenario});
  // A session given by name (the desktop entry's %f: double-clicking a .gradscope file).
  parser.addPositionalArgument(QStringLiteral("session"),
                               QStringLiteral("A .gradscope session to open."),
                               QStringLiteral("[SESSION]"));
  parser.process(app);

  const app::Scenario* scenario = nullptr;
  // "default" names the experiment GradScope starts on, as `run --scenario default` does.
  if (parser.isSet(showScenario) && parser.value(showScenario) != QLatin1String("default")) {
    scenario = app::ScenarioLibrary::builtIn().find(parser.value(showScenario));
    if (!scenario) {
      QStringList ids;
      for (const app::Scenario& s : app::ScenarioLibrary::builtIn().scenarios()) ids << s.id;
      std::fprintf(stderr, "gradscope: --show-scenario: no scenario '%s' (one of: %s)\n",
                   qPrintable(parser.value(showScenario)), qPrintable(ids.join(", ")));
      return app::kExitBadInput;
    }
  }

  double seconds = 0.0;
  int depth = 20;
  int units = 100;
  if (parser.isSet(measure)) {
    bool ok = false;
    seconds = parser.value(measure).toDouble(&ok);
    if (!ok || seconds <= 0.0 || seconds > 3600.0) {
      std::fprintf(stderr, "gradscope: --measure-ui: expected seconds in (0, 3600]\n");
      return app::kExitBadInput;
    }
    depth = parser.value(layers).toInt(&ok);
    if (!ok || depth < 1 || depth > 250) {
      std::fprintf(stderr, "gradscope: --layers: expected a whole number in [1, 250]\n");
      return app::kExitBadInput;
    }
    units = parser.value(width).toInt(&ok);
    if (!ok || units < 1 || units > 4096) {
      std::fprintf(stderr, "gradscope: --width: expected a whole number in [1, 4096]\n");
      return app::kExitBadInput;
    }
  }

  QString note;
  const core::ExperimentConfig config = parser.isSet(measure)
                                            ? ui::DashboardMeasurement::deepExperiment(depth, units)
                                            : ui::MainWindow::startupExperiment(&note);
  ui::MainWindow::Options options;
  options.persistent = !parser.isSet(measure);
  options.allViewsVisible = parser.isSet(measure);
  ui::MainWindow window(config, options);
  if (parser.isSet(theme)) {
    const QString name = parser.value(theme);
    const QStringList names{QStringLiteral("light"), QStringLiteral("dark"),
                            QStringLiteral("presentation-light"),
                            QStringLiteral("presentation-dark")};
    const int index = int(names.indexOf(name));
    if (index < 0) {
      std::fprintf(stderr, "gradscope: --theme: expected one of %s\n",
                   qPrintable(names.join(QStringLiteral(", "))));
      return app::kExitBadInput;
    }
    window.setDarkTheme(index % 2 == 1);
    window.setPresentationMode(index >= 2);
  }
  std::unique_ptr<ui::DashboardMeasurement> measurement;
  if (parser.isSet(measure)) {
    // A measurement run closes itself when done: nothing of it is worth keeping.
    window.sessions().setClosePrompt([] { return ui::SessionManager::CloseChoice::Discard; });
    measurement = std::make_unique<ui::DashboardMeasurement>(
        window, seconds,
        QStringLiteral("%1 hidden sigmoid layers x %2 units, teacher data (100 inputs, 10 "
                       "classes)")
            .arg(depth)
            .arg(units),
        sinceStart);
    if (QScreen* screen = window.screen()) window.setGeometry(screen->availableGeometry());
    window.showMaximized();
  } else {
    window.showAsRestored();
    if (!note.isEmpty()) window.statusBar()->showMessage(note, 15000);
    // After a crash: offer the recovery copy the last session left.
    const bool recovering = window.sessions().offerRecovery();
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty() && !recovering) {
      QString error;
      if (!window.sessions().open(files.first(), &error)) {
        window.statusBar()->showMessage(error, 15000);
      }
    }
    if (scenario && !recovering) window.loadScenario(*scenario);
    if (parser.isSet(play) && !recovering) window.play();
    if (parser.isSet(landscapes)) window.showLandscapes();
  }
  return app.exec();
}
