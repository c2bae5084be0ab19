// The sub-steps the Backprop view walks through for a network of L Dense layers, in the
// lecture's order: the sample, the forward pass one layer at a time, the loss, the backward
// pass one layer at a time from the output, the sum over paths of a first-layer weight, and
// the update one layer at a time. Only an index into this list changes as the lecturer presses
// → and ←; what each sub-step shows is the view's business.
#pragma once

#include <QString>

#include <vector>

namespace gradscope::ui {

class BackpropWalk {
 public:
  enum class Kind { Sample, Forward, Loss, Backward, Paths, Update };
  struct SubStep {
    Kind kind = Kind::Sample;
    int layer = -1;  // Forward, Backward, Update: the Dense layer (0 = the first)
  };

  // For `layers` Dense layers (0: no trace, no sub-steps).
  explicit BackpropWalk(int layers = 0);

  int count() const { return int(m_steps.size()); }
  int index() const { return m_index; }
  const SubStep& current() const { return m_steps[std::size_t(m_index)]; }
  const SubStep& at(int i) const { return m_steps[std::size_t(i)]; }
  bool empty() const { return m_steps.empty(); }
  // False at either end.
  bool next();
  bool previous();
  void setIndex(int index);

  // True when the forward pass has reached Dense layer `layer` (its z and a are shown).
  bool forwardDone(int layer) const;
  bool lossShown() const;
  // True when the backward pass has reached Dense layer `layer` (its δ and gradients).
  bool backwardDone(int layer) const;
  // True when the update of Dense layer `layer` is shown.
  bool updateDone(int layer) const;

  // "Forward: layer 2 of 3", "Loss", "Backward: output layer", ...
  QString title(const SubStep& step) const;

 private:
  int m_layers = 0;
  std::vector<SubStep> m_steps;
  int m_index = 0;
};

}  // namespace gradscope::ui
