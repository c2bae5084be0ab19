#include "ui/panels/event_log_panel.h"

#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTime>
#include <QVBoxLayout>

namespace gradscope::ui {

EventLogPanel::EventLogPanel(QWidget* parent) : QWidget(parent) {
  m_view = new QPlainTextEdit(this);
  m_view->setObjectName(QStringLiteral("eventLogText"));
  m_view->setReadOnly(true);
  m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_view->setMaximumBlockCount(kMaxLines);
  m_view->setPlaceholderText(tr("Changes, rebuilds and resets of the runs appear here."));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(m_view);
}

void EventLogPanel::append(const QString& run, std::int64_t step, const QString& text) {
  QStringList parts{QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))};
  if (!run.isEmpty()) parts << run;
  if (step >= 0) parts << tr("step %1").arg(step);
  parts << text;
  const QString line = parts.join(QStringLiteral("  "));
  m_lines.append(line);
  if (m_lines.size() > kMaxLines) m_lines.removeFirst();
  QScrollBar* bar = m_view->verticalScrollBar();
  const bool atEnd = bar->value() == bar->maximum();
  m_view->appendPlainText(line);
  if (atEnd) bar->setValue(bar->maximum());
  emit changed();
}

void EventLogPanel::setLines(const QStringList& lines) {
  m_lines = lines.mid(std::max<qsizetype>(0, lines.size() - kMaxLines));
  m_view->setPlainText(m_lines.join(QLatin1Char('\n')));
  m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
  emit changed();
}

void EventLogPanel::clear() { setLines({}); }

}  // namespace gradscope::ui
