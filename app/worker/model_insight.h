// What the model does on data that is not a 2-D plane, for the decision-boundary panel: the
// worker computes it from the network and a fixed sample of the data a few times a second and
// sends it with a snapshot; the charts only draw it.
//   - Images (inputs are the pixels of one image): a grid of sample images with their true and
//     predicted classes, the confusion matrix with per-class accuracy, and the first layer's
//     weights into each unit drawn as an image.
//   - Tabular (more than two inputs): the confusion matrix (classification) and a 2-D PCA
//     projection of the last hidden layer's activations, coloured by class or target.
//   - Curve (one input): the data and the network's output over the input's range.
#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace gradscope::app {

struct ModelInsight {
  enum class Kind { Images, Tabular, Curve };
  Kind kind = Kind::Tabular;
  bool classification = true;
  int classes = 0;           // 0 for regression
  QStringList classNames;    // one per class
  bool onValidation = true;  // evaluated on the validation split (false: the training split)
  int evaluated = 0;         // samples behind the confusion matrix and the projection

  // Classification: classes x classes counts, row-major (row = true class, column =
  // predicted), each class's accuracy (NaN without samples) and the overall accuracy.
  std::vector<std::int64_t> confusion;
  std::vector<double> classAccuracy;
  double accuracy = 0.0;

  // Images: the same samples at every refresh, so predictions can be watched changing.
  struct ImageSample {
    std::vector<float> pixels;  // rows x columns, row by row, as in the data file (0..1)
    int trueClass = 0;
    int predictedClass = 0;
    float confidence = 0.0f;  // the predicted class's probability
  };
  int imageRows = 0, imageColumns = 0;
  std::vector<ImageSample> images;
  // The first Dense layer's weights into each of its first units (rows x columns each) and
  // how many units the layer has in all.
  std::vector<std::vector<float>> unitWeights;
  int firstLayerUnits = 0;
  static constexpr int kMaxImages = 24;
  static constexpr int kMaxWeightImages = 64;

  // Tabular: the last hidden layer's activations projected on their first two principal
  // components; value is the class index, or the target for regression.
  int projectedLayer = -1;  // Dense position (0 = first hidden layer); -1: no hidden layer
  int projectedUnits = 0;
  std::vector<float> projectionX, projectionY, projectionValue;
  double explainedX = 0.0, explainedY = 0.0;  // share of the layer's variance on each axis

  // Curve: the network's output (the first output unit) over the input's range, and the data.
  std::vector<float> curveX, curveY;
  std::vector<float> pointX, pointY;
  std::vector<bool> pointValidation;
};

}  // namespace gradscope::app
