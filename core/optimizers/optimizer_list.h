// The one list of optimisers: each line registers one optimiser, in the lecture's order
// (the order of the race, of the colours, of the Landscapes window and of the menus).
//
// X(Kind, key): `Kind` becomes OptimizerKind::Kind; `key` is the Keras-style name used in
// files and on the command line, and names the descriptor function `keyDescriptor()` that the
// optimiser's own .cpp defines (see optimizer_descriptor.h). Adding an optimiser is its
// .h/.cpp with that function and one line here (as torch/optim/__init__.py exports each
// optimiser once). New optimisers go at the end: a kind's position is its colour.
#pragma once

#define GRADSCOPE_FOR_EACH_OPTIMIZER(X) \
  X(Sgd, sgd)                           \
  X(Momentum, momentum)                 \
  X(Nesterov, nesterov)                 \
  X(Adagrad, adagrad)                   \
  X(RmsProp, rmsprop)                   \
  X(Adam, adam)                         \
  X(Adamax, adamax)                     \
  X(Nadam, nadam)                       \
  X(AdamW, adamw)                       \
  X(Lion, lion)
