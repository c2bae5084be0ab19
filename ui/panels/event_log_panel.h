// The dashboard's event log: every change made to a run (live settings, rebuilds of the
// network, re-initialisations, resets, scenarios and experiments loaded, trained runs
// discarded), one line each with the time, the run and its step, newest at the bottom. The
// metric history forgets a run's events when the run restarts; this log keeps them, and a
// session saves it.
#pragma once

#include <QStringList>
#include <QWidget>

#include <cstdint>

class QPlainTextEdit;

namespace gradscope::ui {

class EventLogPanel : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxLines = 10000;  // the oldest lines go beyond this

  explicit EventLogPanel(QWidget* parent = nullptr);

  // One line: "12:03:41  relu  step 200  activation: tanh -> relu" (run and step left out
  // when empty / negative).
  void append(const QString& run, std::int64_t step, const QString& text);
  const QStringList& lines() const { return m_lines; }
  void setLines(const QStringList& lines);
  void clear();

 signals:
  void changed();

 private:
  QPlainTextEdit* m_view = nullptr;
  QStringList m_lines;
};

}  // namespace gradscope::ui
