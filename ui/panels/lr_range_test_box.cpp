#include "ui/panels/lr_range_test_box.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace gradscope::ui {

LrRangeTestBox::LrRangeTestBox(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_run = new QPushButton(tr("LR range test"), this);
  m_run->setToolTip(
      tr("<p>Trains a copy of the model for a few hundred steps while the learning rate grows "
         "exponentially from 1e-7 to 10, and records the loss. The rate where the loss is "
         "lowest, divided by 10, is a good maximum for 1cycle. Your run is not touched.</p>"
         "<p>The copy starts from the initial weights (as after Reset), as the test is meant "
         "for an untrained network, unless you choose the current weights.</p>"));
  m_start = new QComboBox(this);
  m_start->setObjectName(QStringLiteral("lrRangeTestStart"));
  m_start->addItem(tr("from the initial weights"), int(core::LrRangeTestStart::InitialWeights));
  m_start->addItem(tr("from the current weights"), int(core::LrRangeTestStart::CurrentWeights));
  m_start->setToolTip(
      tr("Where the test's copy of the network starts: the weights a Reset "
         "gives (the test as meant, before training) or the run's weights now"));
  m_use = new QPushButton(tr("Use for 1cycle"), this);
  m_use->setToolTip(tr("Switch the schedule to 1cycle with the suggested maximum rate."));
  m_use->setEnabled(false);
  // One above the other: the panel is narrow, more so with presentation fonts.
  layout->addWidget(m_run, 0, Qt::AlignLeft);
  layout->addWidget(m_start, 0, Qt::AlignLeft);
  m_result = new QLabel(this);
  m_result->setWordWrap(true);
  m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_result->hide();
  layout->addWidget(m_result);
  layout->addWidget(m_use, 0, Qt::AlignLeft);

  connect(m_run, &QPushButton::clicked, this, [this] {
    m_run->setEnabled(false);
    m_result->setText(tr("Running the range test…"));
    m_result->show();
    core::LrRangeTestSettings settings;
    settings.start = core::LrRangeTestStart(m_start->currentData().toInt());
    emit runRequested(settings);
  });
  connect(m_use, &QPushButton::clicked, this, [this] {
    if (m_suggested > 0.0) emit useForOneCycle(m_suggested);
  });
}

void LrRangeTestBox::setResult(const core::LrRangeTestResult& result) {
  m_run->setEnabled(true);
  if (result.rates.empty() && result.rule.empty()) {
    // Cleared: the run it was measured on was reset or replaced.
    m_suggested = 0.0;
    m_use->setEnabled(false);
    m_result->clear();
    m_result->hide();
    return;
  }
  // The test itself refuses a rate outside its range (suggestedMaxRate 0, the rule says why).
  const bool useful = result.suggestedMaxRate >= kMinimumRate && result.rates.size() > 1 &&
                      result.suggestedMaxRate >= result.rates.front();
  m_suggested = useful ? result.suggestedMaxRate : 0.0;
  m_use->setEnabled(useful);
  QString text = useful ? tr("<b>Suggested maximum rate: %1</b>").arg(m_suggested, 0, 'g', 3)
                        : tr("<b>No suggestion</b>");
  text += result.fromInitialWeights
              ? tr("<br>measured from the initial weights")
              : tr("<br>measured from the weights at step %1").arg(result.startStep);
  text += tr("<br>lowest loss at %1, steepest fall at %2")
              .arg(result.minimumLossRate, 0, 'g', 3)
              .arg(result.steepestRate, 0, 'g', 3);
  if (result.diverged) text += tr("; diverged beyond it");
  if (!result.rule.empty())
    text +=
        QStringLiteral("<br><i>%1</i>").arg(QString::fromStdString(result.rule).toHtmlEscaped());
  m_result->setText(text);
  m_result->show();
}

void LrRangeTestBox::setFailed(const QString& reason) {
  m_run->setEnabled(true);
  m_result->setText(tr("The range test failed: %1").arg(reason.toHtmlEscaped()));
  m_result->show();
}

QString LrRangeTestBox::resultText() const { return m_result->text(); }

}  // namespace gradscope::ui
