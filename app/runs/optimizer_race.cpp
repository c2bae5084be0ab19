#include "app/runs/optimizer_race.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gradscope::app {

using core::OptimizerKind;

namespace {
constexpr double kFastRatio = 1.5;     // *** speed: within 1.5x the fastest run's steps
constexpr double kAverageRatio = 3.0;  // ** speed
constexpr double kGoodMiss = 0.05;     // *** quality: misses at most 5% of the best improvement
constexpr double kAverageMiss = 0.25;  // ** quality
}  // namespace

const std::vector<OptimizerKind>& raceOptimizers() {
  static const std::vector<OptimizerKind> kinds = core::allOptimizerKinds();
  return kinds;
}

QString optimizerDisplayName(OptimizerKind kind) {
  const std::string_view name = core::descriptorOf(kind).displayName;
  return QString::fromUtf8(name.data(), qsizetype(name.size()));
}

QList<NamedConfig> optimizerRace(const core::ExperimentConfig& base) {
  QList<NamedConfig> runs;
  for (OptimizerKind kind : raceOptimizers()) {
    core::ExperimentConfig c = base;
    c.optimizer = core::OptimizerSettings::defaultsFor(kind, base.optimizer.conventions);
    runs.push_back(NamedConfig{optimizerDisplayName(kind), c});
  }
  return runs;
}

LectureRating lectureRating(OptimizerKind kind) {
  // The lecture's "Optimiser Comparison (Géron 2019)" table, row by row, as each descriptor
  // carries it.
  const core::LectureRating& r = core::descriptorOf(kind).lectureRating;
  return {r.speed, r.qualityLow, r.qualityHigh,
          QString::fromUtf8(r.note.data(), qsizetype(r.note.size()))};
}

QString starText(int low, int high, const QString& note) {
  // An optimiser the lecture's table does not rate (AdamW, Lion) shows a dash.
  if (low <= 0) return QStringLiteral("–");
  auto stars = [](int n) { return QString(std::clamp(n, 0, 3), QChar(0x2605)); };
  QString text = stars(low);
  if (high > low) text += QStringLiteral(" or ") + stars(high);
  if (!note.isEmpty()) text += QStringLiteral(" (%1)").arg(note);
  return text;
}

std::vector<MeasuredRating> measuredRatings(const RunTable& table) {
  std::vector<MeasuredRating> out(table.runs.size());
  // Speed: relative to the fastest run that reached the target.
  std::int64_t fastest = -1;
  for (const RunEntry& e : table.runs) {
    const std::int64_t s = e.summary.stepsToTarget;
    if (!e.summary.diverged && s > 0 && (fastest < 0 || s < fastest)) fastest = s;
  }
  // Quality: the lowest loss each run reached, against the best run's.
  auto reached = [](const RunSummary& s) {
    return std::isfinite(s.bestValLoss) ? s.bestValLoss : s.bestLoss;
  };
  double best = std::numeric_limits<double>::infinity();
  double start = -std::numeric_limits<double>::infinity();
  for (const RunEntry& e : table.runs) {
    if (e.summary.diverged) continue;
    if (std::isfinite(reached(e.summary))) best = std::min(best, reached(e.summary));
    if (std::isfinite(e.summary.initialLoss)) start = std::max(start, e.summary.initialLoss);
  }
  for (std::size_t i = 0; i < table.runs.size(); ++i) {
    const RunSummary& s = table.runs[i].summary;
    MeasuredRating& r = out[i];
    if (s.diverged) {
      r = {1, 1};
      continue;
    }
    if (fastest > 0) {
      if (s.stepsToTarget < 0) {
        r.speed = s.steps > 0 ? 1 : 0;
      } else {
        const double ratio = double(s.stepsToTarget) / double(fastest);
        r.speed = ratio <= kFastRatio ? 3 : ratio <= kAverageRatio ? 2 : 1;
      }
    }
    const double loss = reached(s);
    if (std::isfinite(loss) && std::isfinite(best) && std::isfinite(start)) {
      const double improvement = start - best;
      const double missed = improvement > 0.0 ? (loss - best) / improvement : 0.0;
      r.quality = missed <= kGoodMiss ? 3 : missed <= kAverageMiss ? 2 : 1;
    }
  }
  return out;
}

}  // namespace gradscope::app
