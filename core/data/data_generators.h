// Built-in synthetic data sets: the 2-D classification and regression problems of the
// TensorFlow Playground (circle, xor, gaussian blobs, two spirals) plus scikit-learn's moons,
// and a high-dimensional "teacher network" problem that gives deep models something to learn.
//
// Every generator is a pure function of its DataSpec: the same spec gives the same data, bit
// for bit, on the same build. Inputs are scaled to about [-1, 1] (teacher inputs are standard
// normal), so a lecturer can compare problems without rescaling.
//
// Classification targets follow TaskKind: 2 classes -> Binary (one 0/1 row), more -> MultiClass
// (one-hot rows). Sample i belongs to class i % classes for the 2-D problems, so every prefix of
// the data set is balanced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/data/dataset.h"
#include "core/model/types.h"

namespace gradscope::core {

// Real data sets the application loads by name (app/data/builtin_datasets.h) in place of a
// generator: the engine knows only their names, the settings schema lists them beside the
// generators.
inline constexpr std::string_view kBuiltinDatasets[] = {"fashion-mnist", "iris", "wine",
                                                        "breast-cancer", "digits"};
bool isBuiltinDataset(std::string_view name);

enum class DatasetKind { Circle, Xor, Blobs, Spirals, Moons, Sine, Plane, Teacher };

// "circle", "xor", "blobs", "spirals", "moons", "sine", "plane", "teacher".
std::string_view toString(DatasetKind kind);
std::optional<DatasetKind> datasetKindFromString(std::string_view name);

// What to generate. `noise` means, per kind:
//  - 2-D classification: standard deviation of Gaussian jitter added to each input coordinate
//    (the clean shapes span about [-1, 1], so 0.1 is mild and 0.5 blurs the classes together);
//  - Sine, Plane: standard deviation of Gaussian noise added to the target;
//  - Teacher: standard deviation of Gaussian noise added to the teacher's standardised outputs
//    before they are turned into labels (so it flips labels near the decision boundaries).
// The geometry and the noise come from separate random streams: changing only the noise moves
// each point around its clean position instead of drawing a new data set.
struct DataSpec {
  DatasetKind kind = DatasetKind::Circle;
  // Non-empty: a real data set by name (one of kBuiltinDatasets), loaded by the application;
  // `kind` and the generator's settings below are then ignored (the split settings apply).
  std::string builtin;
  Index samples = 500;
  double noise = 0.1;
  std::uint64_t seed = 1;
  int classes = 2;                 // Blobs, Spirals (2..10); Teacher classification (2..100)
  int features = 20;               // Teacher: input dimension
  int teacherDepth = 4;            // Teacher: hidden tanh layers
  int teacherWidth = 32;           // Teacher: units per hidden layer
  bool teacherRegression = false;  // Teacher: real-valued targets instead of class labels
  // Multiplies the second input feature (x2) after the data (and its noise) are generated;
  // targets are those of the unscaled data. Without input standardisation, features of very
  // different scales make the loss an elongated, ill-conditioned valley in weight space (the
  // curvature along x2's weights grows with the square of the scale). Ignored with one input.
  double secondFeatureScale = 1.0;

  // Documented limits; validate() refuses anything outside them with an Error naming the field.
  static constexpr Index kMinSamples = 4;
  static constexpr Index kMaxSamples = kMaxDatasetSamples;
  static constexpr double kMaxNoise = 10.0;
  static constexpr double kMinFeatureScale = 1e-3;
  static constexpr double kMaxFeatureScale = 1e3;
  static constexpr int kMaxPlaneClasses = 10;  // Blobs, Spirals
  static constexpr int kMaxTeacherClasses = 100;
  static constexpr int kMaxFeatures = 1000;
  static constexpr int kMaxTeacherDepth = 8;
  static constexpr int kMaxTeacherWidth = 128;
  // samples x features of a teacher data set: 20 million doubles are 160 MB.
  static constexpr Index kMaxTeacherValues = 20'000'000;

  // Throws Error(field, reason) for the first setting outside its limits. Settings that the
  // kind ignores (e.g. `features` for Circle) are not checked.
  void validate() const;

  // What generate() will produce, so the network's input and output layers can be built
  // before the data exists.
  TaskKind task() const;
  int classCount() const;  // 0 for regression
  Index inputCount() const;

  bool operator==(const DataSpec&) const = default;
};

// Validates `spec` and generates the data set.
Dataset generate(const DataSpec& spec);

}  // namespace gradscope::core
