// The optimiser race: every registered optimiser on the same problem, data, mini-batch order and
// initial weights, each with its Keras default hyper-parameters (SGD 0.01, the others 0.001;
// momentum 0.9 for the momentum kinds). Its results table is GradScope's measured version of
// the lecture's optimiser comparison table (Géron 2019: convergence speed and quality, Bad *,
// Average **, Good ***), shown beside the lecture's ratings.
//
// Measured ratings, on the lecture's three-star scale, relative to the other runs:
//  - speed: steps to the target loss; *** within 1.5x the fastest run, ** within 3x, * slower
//    or never (diverged runs get *);
//  - quality: the lowest loss reached (validation if measured, else training), as the share
//    of the best run's improvement over the starting loss that the run missed: *** misses at
//    most 5%, ** at most 25%, * more (or diverged).
#pragma once

#include <QList>
#include <QString>

#include <vector>

#include "app/runs/run_table.h"
#include "core/optimizers/optimizer_registry.h"

namespace gradscope::app {

// Every registered optimiser in the lecture's order: SGD, Momentum, Nesterov, AdaGrad,
// RMSprop, Adam, AdaMax, Nadam, then AdamW and Lion.
const std::vector<core::OptimizerKind>& raceOptimizers();
// The descriptor's display name: "SGD", "Momentum", ..., "AdamW", "Lion".
QString optimizerDisplayName(core::OptimizerKind kind);

// One configuration per optimiser: `base` with each optimiser at its Keras defaults (everything
// else, the schedule included, as in `base`), named after the optimiser.
QList<NamedConfig> optimizerRace(const core::ExperimentConfig& base);

// The lecture's rating of an optimiser (stars 1..3; all 0 when the lecture's table has no row
// for it, as for AdamW and Lion).
struct LectureRating {
  int speed = 0;
  int qualityLow = 0;  // "** or ***" is 2..3
  int qualityHigh = 0;
  QString note;  // e.g. "stops too early"
};
LectureRating lectureRating(core::OptimizerKind kind);
// "★★★", "★★ or ★★★", with the note in parentheses; "–" for no rating (low 0).
QString starText(int low, int high = 0, const QString& note = QString());

// Measured stars (1..3) per run of `table`, in table order; 0 where nothing is measured yet.
struct MeasuredRating {
  int speed = 0;
  int quality = 0;
};
std::vector<MeasuredRating> measuredRatings(const RunTable& table);

}  // namespace gradscope::app
