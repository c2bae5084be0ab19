#include "ui/panels/open_data_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/data/csv_loader.h"
#include "core/data/data_files.h"

namespace gradscope::ui {

namespace {

constexpr int kPreviewRows = 20;

QString taskName(core::TaskKind task) {
  switch (task) {
    case core::TaskKind::Regression:
      return QObject::tr("regression");
    case core::TaskKind::Binary:
      return QObject::tr("binary classification");
    case core::TaskKind::MultiClass:
      return QObject::tr("multi-class classification");
  }
  return {};
}

}  // namespace

OpenDataDialog::OpenDataDialog(const QString& path, QWidget* parent)
    : QDialog(parent), m_path(path) {
  setWindowTitle(tr("Open data: %1").arg(QFileInfo(path).fileName()));
  auto* layout = new QVBoxLayout(this);
  m_summary = new QLabel(this);
  m_summary->setWordWrap(true);
  layout->addWidget(m_summary);

  auto* form = new QFormLayout;
  m_delimiter = new QComboBox(this);
  m_delimiter->addItem(tr("Detect"), 0);
  m_delimiter->addItem(tr("Comma ,"), int(','));
  m_delimiter->addItem(tr("Semicolon ;"), int(';'));
  m_delimiter->addItem(tr("Tab"), int('\t'));
  m_delimiter->addItem(tr("Bar |"), int('|'));
  m_header = new QComboBox(this);
  m_header->addItem(tr("Detect"), -1);
  m_header->addItem(tr("First row holds column names"), 1);
  m_header->addItem(tr("No header: columns by number"), 0);
  m_target = new QComboBox(this);
  m_target->setObjectName(QStringLiteral("targetColumn"));
  m_task = new QComboBox(this);
  m_task->setObjectName(QStringLiteral("task"));
  m_task->addItem(tr("Detect"), -1);
  m_task->addItem(taskName(core::TaskKind::Regression), int(core::TaskKind::Regression));
  m_task->addItem(taskName(core::TaskKind::Binary), int(core::TaskKind::Binary));
  m_task->addItem(taskName(core::TaskKind::MultiClass), int(core::TaskKind::MultiClass));
  form->addRow(tr("Delimiter"), m_delimiter);
  form->addRow(tr("Header"), m_header);
  form->addRow(tr("Target column"), m_target);
  form->addRow(tr("Task"), m_task);
  layout->addLayout(form);

  m_preview = new QTableWidget(this);
  m_preview->setObjectName(QStringLiteral("preview"));
  m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_preview->verticalHeader()->setVisible(false);
  m_preview->setMinimumSize(560, 260);
  layout->addWidget(m_preview, 1);

  m_error = new QLabel(this);
  m_error->setObjectName(QStringLiteral("error"));
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
  m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(m_error);

  m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Load"));
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(m_buttons);

  for (QComboBox* box : {m_delimiter, m_header, m_target, m_task})
    connect(box, &QComboBox::currentIndexChanged, this, [this] {
      if (!m_refreshing) refresh();
    });

  // IDX files: nothing to choose, say what was found.
  try {
    const core::DataFiles files = core::locateDataFiles(path.toStdString());
    m_csv = files.format == core::DataFiles::Format::Csv;
    if (!m_csv) {
      for (QWidget* w :
           std::initializer_list<QWidget*>{m_delimiter, m_header, m_target, m_task, m_preview})
        w->setVisible(false);
      for (int row = 0; row < form->rowCount(); ++row) form->setRowVisible(row, false);
      const auto name = [](const std::string& p) {
        return QFileInfo(QString::fromStdString(p)).fileName();
      };
      QString text = tr("IDX images and labels: %1 with %2.")
                         .arg(name(files.trainImages), name(files.trainLabels));
      text += files.testImages.empty()
                  ? tr(" No test files beside them: validation takes a fraction of the data.")
                  : tr(" Test split: %1 with %2 (used for validation when \"Validate on the "
                       "test split\" is on).")
                        .arg(name(files.testImages), name(files.testLabels));
      m_summary->setText(text);
      return;
    }
  } catch (const core::Error& e) {
    showError(QString::fromStdString(e.field() + ": " + e.reason()));
    return;
  }
  refresh();
}

void OpenDataDialog::showError(const QString& message) {
  m_error->setText(message);
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(message.isEmpty());
}

app::DataSource OpenDataDialog::source() const {
  app::DataSource source;
  source.location = m_path;
  if (!m_csv) return source;
  source.delimiter = char(m_delimiter->currentData().toInt());
  const int header = m_header->currentData().toInt();
  if (header >= 0) source.header = header == 1;
  source.targetColumn = m_target->currentText();
  const int task = m_task->currentData().toInt();
  if (task >= 0) source.task = core::TaskKind(task);
  return source;
}

QString OpenDataDialog::error() const { return m_error->text(); }

void OpenDataDialog::refresh() {
  m_refreshing = true;
  core::CsvOptions options = source().csvOptions();
  options.task.reset();
  try {
    core::CsvPreview preview = core::previewCsvFile(m_path.toStdString(), options, kPreviewRows);
    // The target list follows the columns; keep the choice when the column still exists.
    const QString chosen = m_target->currentText();
    m_target->clear();
    for (const std::string& column : preview.columns)
      m_target->addItem(QString::fromStdString(column));
    const int keep = m_target->findText(chosen);
    m_target->setCurrentIndex(keep >= 0 ? keep : int(preview.columns.size()) - 1);
    if (keep < 0 && !chosen.isEmpty()) {
      options.targetColumn = m_target->currentText().toStdString();
      preview = core::previewCsvFile(m_path.toStdString(), options, kPreviewRows);
    }
    if (preview.targetIndex != m_target->currentIndex()) {
      options.targetColumn = m_target->currentText().toStdString();
      preview = core::previewCsvFile(m_path.toStdString(), options, kPreviewRows);
    }
    m_task->setItemText(
        0, tr("Detect (the first rows suggest %1)").arg(taskName(preview.suggestedTask)));
    const QString delimiter =
        preview.delimiter == '\t'
            ? tr("tab")
            : QStringLiteral("'%1'").arg(QChar::fromLatin1(preview.delimiter));
    m_summary->setText(tr("CSV, fields separated by %1, %2. The first %3 rows:")
                           .arg(delimiter, preview.header ? tr("a header row of column names")
                                                          : tr("no header (columns by number)"))
                           .arg(preview.rows.size()));
    m_preview->clear();
    m_preview->setColumnCount(int(preview.columns.size()));
    m_preview->setRowCount(int(preview.rows.size()));
    QStringList headers;
    for (const std::string& column : preview.columns) headers << QString::fromStdString(column);
    m_preview->setHorizontalHeaderLabels(headers);
    for (int r = 0; r < int(preview.rows.size()); ++r)
      for (int c = 0; c < int(preview.columns.size()); ++c)
        m_preview->setItem(r, c, new QTableWidgetItem(QString::fromStdString(preview.rows[r][c])));
    // The target column stands out.
    for (int r = 0; r < m_preview->rowCount(); ++r)
      if (auto* item = m_preview->item(r, int(preview.targetIndex))) {
        QFont font = item->font();
        font.setBold(true);
        item->setFont(font);
      }
    showError({});
  } catch (const core::Error& e) {
    showError(QString::fromStdString(e.field() + ": " + e.reason()));
  }
  m_refreshing = false;
}

}  // namespace gradscope::ui
