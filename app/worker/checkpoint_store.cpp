#include "app/worker/checkpoint_store.h"

#include <algorithm>
#include <limits>

#include "app/worker/training_run.h"

namespace gradscope::app {

using namespace gradscope::core;

CheckpointStore::CheckpointStore(std::size_t budgetBytes, std::int64_t interval)
    : m_budget(budgetBytes), m_interval(std::max<std::int64_t>(1, interval)) {}

std::size_t CheckpointStore::sizeOf(const TrainerState& state) {
  std::size_t values = std::size_t(state.parameters.size() + state.bestParameters.size());
  for (const BufferState& b : state.buffers) values += std::size_t(b.values.size());
  for (const auto& slot : state.optimizer.vectors) values += std::size_t(slot.values.size());
  for (const Eigen::VectorXd& b : state.bestBuffers) values += std::size_t(b.size());
  return sizeof(Checkpoint) + values * sizeof(double) + state.order.size() * sizeof(std::int64_t) +
         state.optimizer.scalars.size() * sizeof(double) +
         (state.buffers.size() + state.optimizer.vectors.size()) * 32;
}

void CheckpointStore::restart(const TrainingRun& run) {
  m_checkpoints.clear();
  m_changes.clear();
  m_bytes = 0;
  m_lastStep = run.stepCount();
  add(run);
}

void CheckpointStore::afterStep(const TrainingRun& run) {
  m_lastStep = run.stepCount();
  if (m_lastStep % m_interval == 0) add(run);
}

void CheckpointStore::recordConfig(const TrainingRun& run) {
  m_changes.push_back(Change{run.stepCount(), false, run.config()});
}

void CheckpointStore::recordReinitialize(const TrainingRun& run) {
  m_changes.push_back(Change{run.stepCount(), true, run.config()});
  add(run, true);
}

void CheckpointStore::add(const TrainingRun& run, bool pinned) {
  Checkpoint c;
  c.pinned = pinned;
  c.state = run.captureState();
  c.config = run.config();
  c.changes = m_changes.size();
  c.bytes = sizeOf(c.state);
  // A second checkpoint of one step (after a change made there) replaces the first.
  if (!m_checkpoints.empty() && m_checkpoints.back().step() == c.step()) {
    c.pinned |= m_checkpoints.back().pinned;
    m_bytes -= m_checkpoints.back().bytes;
    m_checkpoints.pop_back();
  }
  // The origin is never given up: without it the earliest steps could not be reached.
  if (m_checkpoints.size() == 1 && m_bytes + c.bytes > m_budget && !c.pinned) return;
  m_bytes += c.bytes;
  m_checkpoints.push_back(std::move(c));
  thin();
}

void CheckpointStore::thin() {
  while (m_bytes > m_budget && m_checkpoints.size() > 2) {
    const std::int64_t newest = m_checkpoints.back().step();
    std::size_t victim = 0;
    double lowest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i + 1 < m_checkpoints.size(); ++i) {
      if (m_checkpoints[i].pinned) continue;
      // The gap left if checkpoint i went, against how far back it lies.
      const double gap = double(m_checkpoints[i + 1].step() - m_checkpoints[i - 1].step());
      const double age = double(newest - m_checkpoints[i].step() + m_interval);
      const double cost = gap / age;
      if (cost < lowest) {
        lowest = cost;
        victim = i;
      }
    }
    if (victim == 0) break;  // only pinned ones are left to remove
    m_bytes -= m_checkpoints[victim].bytes;
    m_checkpoints.erase(m_checkpoints.begin() + std::ptrdiff_t(victim));
  }
  // Only the origin and the newest are left and they still do not fit: the newest goes
  // (steps are then reached by replaying from the origin).
  if (m_bytes > m_budget && m_checkpoints.size() == 2 && !m_checkpoints.back().pinned) {
    m_bytes -= m_checkpoints.back().bytes;
    m_checkpoints.pop_back();
  }
}

void CheckpointStore::reach(TrainingRun& run, std::int64_t step) const {
  if (m_checkpoints.empty() || step < firstStep() || step > m_lastStep) {
    throw Error("step", "must be in [" + std::to_string(firstStep()) + ", " +
                            std::to_string(m_lastStep) + "], the steps this run can go back to");
  }
  // The last checkpoint at or before `step`.
  auto it = std::upper_bound(m_checkpoints.begin(), m_checkpoints.end(), step,
                             [](std::int64_t s, const Checkpoint& c) { return s < c.step(); });
  const Checkpoint& from = *std::prev(it);
  // The run takes the checkpoint's configuration first (its shapes must fit the state),
  // then its state; both are checked before anything changes.
  if (!(run.config() == from.config)) run.apply(from.config);
  run.restoreState(from.state);
  std::size_t next = from.changes;
  auto makeChangesAt = [&](std::int64_t at) {
    for (; next < m_changes.size() && m_changes[next].step == at; ++next) {
      const Change& change = m_changes[next];
      if (change.reinitialize) {
        run.reinitialize();
      } else {
        run.apply(change.config);
      }
    }
  };
  for (std::int64_t at = from.step(); at < step; ++at) {
    makeChangesAt(at);
    run.step();
  }
  makeChangesAt(step);
}

void CheckpointStore::discardAfter(std::int64_t step) {
  while (m_checkpoints.size() > 1 && m_checkpoints.back().step() > step) {
    m_bytes -= m_checkpoints.back().bytes;
    m_checkpoints.pop_back();
  }
  while (!m_changes.empty() && m_changes.back().step > step) m_changes.pop_back();
  m_lastStep = std::min(m_lastStep, step);
}

void CheckpointStore::setBudget(std::size_t bytes) {
  m_budget = bytes;
  thin();
}

std::int64_t CheckpointStore::firstStep() const {
  return m_checkpoints.empty() ? 0 : m_checkpoints.front().step();
}

std::vector<std::int64_t> CheckpointStore::steps() const {
  std::vector<std::int64_t> out;
  for (const Checkpoint& c : m_checkpoints) out.push_back(c.step());
  return out;
}

std::int64_t CheckpointStore::longestReplay() const {
  std::int64_t longest = 0;
  for (std::size_t i = 1; i < m_checkpoints.size(); ++i) {
    longest = std::max(longest, m_checkpoints[i].step() - m_checkpoints[i - 1].step() - 1);
  }
  if (!m_checkpoints.empty()) longest = std::max(longest, m_lastStep - m_checkpoints.back().step());
  return longest;
}

}  // namespace gradscope::app
