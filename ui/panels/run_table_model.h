// The results table of a comparison as a Qt item model: one row per run (its colour, name
// and what it achieved) from the RunTable the worker publishes. With the optimiser race (runs
// that differ in their optimiser) it adds the measured star ratings beside the lecture's
// (Géron 2019: Bad *, Average **, Good ***).
#pragma once

#include <QAbstractTableModel>

#include <memory>
#include <vector>

#include "app/runs/optimizer_race.h"
#include "app/runs/run_table.h"

namespace gradscope::ui {

class RunTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Name,
    // The star ratings come first, each measured one beside the lecture's, so that an
    // optimiser race reads as the lecture's table even when the Runs dock is narrow.
    SpeedMeasured,
    SpeedLecture,
    QualityMeasured,
    QualityLecture,
    ToTarget,        // "412 (32)": steps (epochs) to the target loss
    TrainingLoss,    // "best / final"
    ValidationLoss,  // "best / final"
    Time,
    Status,
    ColumnCount
  };
  static bool isRatingColumn(int column);

  using QAbstractTableModel::QAbstractTableModel;

  void setRunTable(std::shared_ptr<const app::RunTable> table);
  const app::RunTable* runTable() const { return m_table.get(); }
  int idAt(int row) const;
  int rowOf(int id) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  QString text(const app::RunEntry& entry, int row, int column) const;

  std::shared_ptr<const app::RunTable> m_table;
  std::vector<app::MeasuredRating> m_ratings;
};

}  // namespace gradscope::ui
