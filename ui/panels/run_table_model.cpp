#include "ui/panels/run_table_model.h"

#include <QFont>
#include <QPixmap>

#include <algorithm>
#include <cmath>

#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

QString bestAndFinal(double best, double final) {
  if (!std::isfinite(best) && !std::isfinite(final)) return QStringLiteral("–");
  return QStringLiteral("%1 / %2").arg(formatReading(best), formatReading(final));
}

QString seconds(double s) {
  if (s < 10.0) return QString::number(s, 'f', 2);
  if (s < 100.0) return QString::number(s, 'f', 1);
  return QString::number(s, 'f', 0);
}

QPixmap runSwatch(const QColor& colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(colour);
  return pixmap;
}

}  // namespace

bool RunTableModel::isRatingColumn(int column) {
  return column == SpeedMeasured || column == SpeedLecture || column == QualityMeasured ||
         column == QualityLecture;
}

void RunTableModel::setRunTable(std::shared_ptr<const app::RunTable> table) {
  // Same runs: only the figures changed, and the view keeps its selection and scrolling.
  bool sameRuns = m_table && table && m_table->runs.size() == table->runs.size() &&
                  m_table->comparesOptimizers == table->comparesOptimizers &&
                  m_table->targetLoss == table->targetLoss;
  for (std::size_t i = 0; sameRuns && i < table->runs.size(); ++i) {
    sameRuns = m_table->runs[i].id == table->runs[i].id;
  }
  if (!sameRuns) beginResetModel();
  m_table = std::move(table);
  m_ratings = m_table ? app::measuredRatings(*m_table) : std::vector<app::MeasuredRating>{};
  if (!sameRuns) {
    endResetModel();
  } else if (rowCount() > 0) {
    emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
  }
}

int RunTableModel::idAt(int row) const {
  if (!m_table || row < 0 || row >= rowCount()) return -1;
  return m_table->runs[std::size_t(row)].id;
}

int RunTableModel::rowOf(int id) const { return m_table ? m_table->indexOf(id) : -1; }

int RunTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_table ? 0 : int(m_table->runs.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QString RunTableModel::text(const app::RunEntry& e, int row, int column) const {
  const app::RunSummary& s = e.summary;
  const app::MeasuredRating rating =
      std::size_t(row) < m_ratings.size() ? m_ratings[std::size_t(row)] : app::MeasuredRating{};
  const app::LectureRating lecture = app::lectureRating(e.config.optimizer.kind);
  switch (column) {
    case Name:
      return e.name;
    case ToTarget:
      if (s.stepsToTarget <= 0 && s.epochsToTarget <= 0) return QStringLiteral("–");
      return QStringLiteral("%1 (%2)").arg(
          s.stepsToTarget > 0 ? QString::number(s.stepsToTarget) : QStringLiteral("–"),
          s.epochsToTarget > 0 ? QString::number(s.epochsToTarget) : QStringLiteral("–"));
    case SpeedMeasured:
      return rating.speed > 0 ? app::starText(rating.speed) : QStringLiteral("–");
    case SpeedLecture:
      return app::starText(lecture.speed);
    case TrainingLoss:
      return bestAndFinal(s.bestLoss, s.finalLoss);
    case ValidationLoss:
      return bestAndFinal(s.bestValLoss, s.finalValLoss);
    case QualityMeasured:
      return rating.quality > 0 ? app::starText(rating.quality) : QStringLiteral("–");
    case QualityLecture:
      return app::starText(lecture.qualityLow, lecture.qualityHigh, lecture.note);
    case Time:
      return seconds(s.seconds);
    case Status:
      if (s.diverged) return tr("diverged at step %1").arg(s.divergedAtStep);
      if (s.finished) {
        // Why, in a few words: "finished the planned 67 epochs", "stopped early at epoch 44,
        // weights of epoch 24" (the whole stop message is its tooltip).
        QString why = e.stopSummary.isEmpty() ? e.stopStatus : e.stopSummary;
        if (why.startsWith(QStringLiteral("stopped: "))) why = why.mid(9);
        return why.isEmpty() ? tr("finished") : why;
      }
      return s.steps > 0 ? tr("step %1").arg(s.steps) : tr("ready");
    default:
      return QString();
  }
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
  if (!m_table || !index.isValid() || index.row() >= rowCount()) return {};
  const app::RunEntry& e = m_table->runs[std::size_t(index.row())];
  const int column = index.column();
  switch (role) {
    case Qt::DisplayRole:
      return text(e, index.row(), column);
    case Qt::DecorationRole:
      if (column == Name) return runSwatch(theme().runColor(e.colour));
      return {};
    case Qt::TextAlignmentRole:
      if (column == Name || column == Status || column == QualityLecture) {
        return int(Qt::AlignLeft | Qt::AlignVCenter);
      }
      return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
      if (e.id == m_table->selected && column == Name) {
        QFont font;
        font.setBold(true);
        return font;
      }
      return {};
    case Qt::ForegroundRole:
      if (column == Status && e.summary.diverged) return theme().warning;
      return {};
    case Qt::ToolTipRole:
      if (column == Name) {
        return e.id == m_table->selected
                   ? tr("%1: the run the settings panels edit and the layer charts show")
                         .arg(e.name)
                   : tr("%1: click to edit it and show its layer charts").arg(e.name);
      }
      if (column == Status && e.summary.finished && !e.stopStatus.isEmpty()) return e.stopStatus;
      return {};
    default:
      return {};
  }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  const QString target = m_table ? formatReading(m_table->targetLoss) : QStringLiteral("–");
  if (role == Qt::DisplayRole) {
    switch (section) {
      case Name: {
        // Runs named by what differs: the header says what that is.
        const bool autoNamed =
            m_table && std::none_of(m_table->runs.begin(), m_table->runs.end(),
                                    [](const app::RunEntry& e) { return e.namedExplicitly; });
        return autoNamed && m_table->runs.size() > 1 && !m_table->differingSettings.isEmpty()
                   ? m_table->differingSettings
                   : tr("Run");
      }
      case ToTarget:
        return tr("Steps (epochs) to %1").arg(target);
      case SpeedMeasured:
        return tr("Speed");
      case SpeedLecture:
        return tr("Speed (lecture)");
      case TrainingLoss:
        return tr("Loss best / final");
      case ValidationLoss:
        return tr("Val. loss best / final");
      case QualityMeasured:
        return tr("Quality");
      case QualityLecture:
        return tr("Quality (lecture)");
      case Time:
        return tr("Compute (s)");
      case Status:
        return tr("Status");
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case ToTarget:
        return tr("The first step at which the training loss, smoothed over about ten steps, "
                  "reached %1, and in brackets the first epoch whose mean training loss did "
                  "(the target is set above the table)")
            .arg(target);
      case SpeedMeasured:
        return tr(
            "Convergence speed, measured: ★★★ within 1.5x the fastest run's steps to "
            "the target, ★★ within 3x, ★ slower or never");
      case SpeedLecture:
        return tr(
            "Convergence speed as the lecture rates it (Géron 2019: Bad ★, Average ★★, "
            "Good ★★★)");
      case TrainingLoss:
        return tr("Training loss: the lowest epoch mean, and the last epoch's mean");
      case ValidationLoss:
        return tr("Validation loss: the lowest, and the one after the last epoch");
      case QualityMeasured:
        return tr(
            "Convergence quality, measured: of the best run's improvement over the "
            "starting loss (validation loss where there is one), ★★★ misses at most 5%, "
            "★★ at most 25%, ★ more");
      case QualityLecture:
        return tr("Convergence quality as the lecture rates it (Géron 2019)");
      case Time:
        return tr(
            "Seconds spent computing this run's steps (not the time on the clock: the "
            "display speed and the other runs' steps are not counted)");
      default:
        return {};
    }
  }
  return {};
}

}  // namespace gradscope::ui
