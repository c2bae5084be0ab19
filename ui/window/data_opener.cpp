#include "ui/window/data_opener.h"

#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QProgressBar>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>

#include "app/data/builtin_datasets.h"
#include "app/sessions/session.h"
#include "app/worker/training_controller.h"
#include "ui/panels/open_data_dialog.h"
#include "ui/window/main_window.h"

namespace gradscope::ui {

namespace {

// The first data path among dropped URLs, if any.
QString droppedData(const QMimeData* mime) {
  if (!mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    const QString path = url.toLocalFile();
    if (!path.isEmpty() && DataOpener::isDataPath(path)) return path;
  }
  return {};
}

}  // namespace

bool DataOpener::isDataPath(const QString& path) {
  const QFileInfo info(path);
  const QString name = info.fileName().toLower();
  if (info.isDir())
    return !QDir(path).entryList({QStringLiteral("*-images-idx3-ubyte*")}, QDir::Files).isEmpty();
  for (const char* suffix : {".csv", ".tsv"})
    if (name.endsWith(QLatin1String(suffix))) return true;
  return name.contains(QLatin1String("-idx3-ubyte")) || name.contains(QLatin1String("-idx1-ubyte"));
}

DataOpener::DataOpener(MainWindow& window) : QObject(&window), m_window(window) {
  m_openAction = new QAction(tr("Open data…"), this);
  m_openAction->setObjectName(QStringLiteral("openDataAction"));
  m_openAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
  m_openAction->setToolTip(
      tr("Train on your own data: a CSV file (target column and task chosen in a preview), "
         "or MNIST-style IDX image and label files (.gz or plain)."));
  connect(m_openAction, &QAction::triggered, this, [this] { open(); });
  m_recentMenu = new QMenu(tr("Recent data"));
  m_recentMenu->setObjectName(QStringLiteral("recentDataMenu"));
  updateRecent();

  // The progress bar with Cancel, shown in the status bar after a second of loading.
  m_progressBox = new QWidget;
  auto* row = new QHBoxLayout(m_progressBox);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(new QLabel(tr("Loading data"), m_progressBox));
  m_progress = new QProgressBar(m_progressBox);
  m_progress->setObjectName(QStringLiteral("dataLoadProgress"));
  m_progress->setRange(0, 100);
  m_progress->setMaximumWidth(180);
  row->addWidget(m_progress);
  m_cancel = new QToolButton(m_progressBox);
  m_cancel->setText(tr("Cancel"));
  m_cancel->setObjectName(QStringLiteral("cancelDataLoad"));
  row->addWidget(m_cancel);
  m_window.statusBar()->addPermanentWidget(m_progressBox);
  m_progressBox->hide();
  connect(m_cancel, &QToolButton::clicked, this, [this] {
    if (m_job) m_job->cancel();
  });
  m_showProgress = new QTimer(this);
  m_showProgress->setSingleShot(true);
  m_showProgress->setInterval(1000);
  connect(m_showProgress, &QTimer::timeout, m_progressBox, &QWidget::show);

  // Data that does not fit a run's settings is refused by the worker, which keeps its runs.
  connect(&m_window.controller(), &app::TrainingController::sessionFailed, this,
          [this](const QString& field, const QString& reason) {
            if (!m_restoring) return;
            m_restoring.reset();
            const QString message = tr("Not loaded: %1: %2").arg(field, reason);
            m_window.statusBar()->showMessage(message, 20000);
            emit failed(message);
          });
  connect(&m_window.controller(), &app::TrainingController::sessionRestored, this,
          [this](const app::SessionPtr& session) {
            if (!m_restoring || session != m_restoring) return;
            m_restoring.reset();
            emit loaded(m_restoringLocation);
          });

  m_window.setAcceptDrops(true);
  m_window.installEventFilter(this);
}

DataOpener::~DataOpener() { delete m_recentMenu; }

void DataOpener::updateRecent() {
  m_recentMenu->clear();
  const QStringList recent = app::recentDataFiles();
  for (const QString& location : recent) {
    QAction* action = m_recentMenu->addAction(QDir::toNativeSeparators(location));
    connect(action, &QAction::triggered, this, [this, location] { open(location); });
  }
  m_recentMenu->setEnabled(!recent.isEmpty());
}

bool DataOpener::open(const QString& given) {
  QString path = given;
  if (path.isEmpty()) {
    path = QFileDialog::getOpenFileName(
        &m_window, tr("Open data"), QString(),
        tr("Data files (*.csv *.tsv *.txt *-idx3-ubyte *-idx3-ubyte.gz);;All files (*)"));
    if (path.isEmpty()) return false;
  }
  OpenDataDialog dialog(path, &m_window);
  if (dialog.exec() != QDialog::Accepted) return false;
  load(dialog.source());
  return true;
}

void DataOpener::load(const app::DataSource& source) {
  if (m_job) {
    m_job->disconnect(this);
    m_job.release()->deleteLater();  // its result is no longer wanted
  }
  m_job = std::make_unique<app::DataLoadJob>(source);
  connect(m_job.get(), &app::DataLoadJob::progressChanged, m_progress, &QProgressBar::setValue);
  connect(m_job.get(), &app::DataLoadJob::finished, this, &DataOpener::finish);
  m_progress->setValue(0);
  m_showProgress->start();
  m_window.statusBar()->showMessage(tr("Loading %1…").arg(QFileInfo(source.location).fileName()));
  m_job->start();
}

void DataOpener::finish(const app::DataLoadJob::Result& result) {
  m_showProgress->stop();
  m_progressBox->hide();
  // Deleted once this signal has returned, never inside its own emission.
  app::DataLoadJob* job = m_job.release();
  if (!job) return;
  job->deleteLater();
  if (result.cancelled) {
    m_window.statusBar()->showMessage(tr("Loading cancelled: the experiment is unchanged"), 8000);
    emit failed(result.error);
    return;
  }
  if (!result.loaded) {
    m_window.statusBar()->showMessage(tr("Not loaded: %1").arg(result.error), 20000);
    emit failed(result.error);
    return;
  }
  giveToRuns(*result.loaded, job->source());
}

void DataOpener::giveToRuns(const app::LoadedData& loaded, const app::DataSource& source) {
  // Every run of the comparison restarts on the data, with its own settings.
  auto session = std::make_shared<app::Session>();
  session->name = QString::fromStdString(loaded.data.name);
  const QList<app::NamedConfig> runs = m_window.controller().runs();
  const QList<app::NamedConfig> all =
      runs.isEmpty() ? QList<app::NamedConfig>{{QString(), m_window.controller().config()}} : runs;
  for (const app::NamedConfig& named : all) {
    app::SessionRun run;
    run.label = named.name;
    run.config = named.config;
    run.config.data.builtin.clear();
    run.data.source = app::SessionData::Source::File;
    run.data.path =
        source.isBuiltin() ? source.location : QFileInfo(loaded.file).absoluteFilePath();
    run.data.sha256 = loaded.sha256;
    run.data.targetColumn = source.targetColumn;
    run.data.data = loaded.data;
    session->runs.push_back(std::move(run));
  }
  m_restoring = session;
  m_restoringLocation = source.location;
  m_window.controller().restoreSession(session, QDir::currentPath());
  app::rememberDataFile(source.location);
  updateRecent();
  const QString what = QString::fromStdString(loaded.data.name);
  m_window.statusBar()->showMessage(tr("Loaded %1: %2 samples, %3 inputs: press Play")
                                        .arg(what)
                                        .arg(loaded.data.sampleCount())
                                        .arg(loaded.data.featureCount()),
                                    10000);
}

bool DataOpener::eventFilter(QObject* watched, QEvent* event) {
  if (watched == &m_window) {
    if (event->type() == QEvent::DragEnter) {
      auto* drag = static_cast<QDragEnterEvent*>(event);
      if (!droppedData(drag->mimeData()).isEmpty()) {
        drag->acceptProposedAction();
        return true;
      }
    } else if (event->type() == QEvent::Drop) {
      auto* drop = static_cast<QDropEvent*>(event);
      const QString path = droppedData(drop->mimeData());
      if (!path.isEmpty()) {
        drop->acceptProposedAction();
        // After the drop returns: the dialog must not run inside the drag's event.
        QTimer::singleShot(0, this, [this, path] { open(path); });
        return true;
      }
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace gradscope::ui
