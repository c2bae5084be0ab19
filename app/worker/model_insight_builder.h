// Computes a ModelInsight from a network and its data (see model_insight.h): predictions on a
// fixed sample, the confusion matrix, the first layer's weights as images, a PCA projection of
// the last hidden layer, or the fitted curve. Runs on the worker thread between two steps.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "app/worker/model_insight.h"
#include "core/data/data_split.h"
#include "core/model/experiment_config.h"
#include "core/model/network.h"
#include "core/probes/confusion_matrix.h"
#include "core/probes/principal_components.h"

namespace gradscope::app {

// Samples behind the confusion matrix, and behind the projection (a subset of them).
inline constexpr core::Index kInsightSamples = 1000;
inline constexpr core::Index kProjectedSamples = 500;
inline constexpr int kCurvePoints = 200;
inline constexpr core::Index kCurveDataPoints = 2000;

// The predicted class of each column of a network's output (softmax: the largest; one
// sigmoid unit: 1 from 0.5) and its probability.
template <typename T>
void predictedClasses(const core::Matrix<T>& out, std::vector<int>& classes,
                      std::vector<float>& confidence) {
  classes.resize(std::size_t(out.cols()));
  confidence.resize(std::size_t(out.cols()));
  for (core::Index i = 0; i < out.cols(); ++i) {
    if (out.rows() == 1) {
      const double p = double(out(0, i));
      classes[std::size_t(i)] = p >= 0.5 ? 1 : 0;
      confidence[std::size_t(i)] = float(p >= 0.5 ? p : 1.0 - p);
    } else {
      core::Index best = 0;
      out.col(i).maxCoeff(&best);
      classes[std::size_t(i)] = int(best);
      confidence[std::size_t(i)] = float(out(best, i));
    }
  }
}

template <typename T>
std::shared_ptr<const ModelInsight> buildModelInsight(core::Network<T>& net,
                                                      const core::SplitData& data) {
  const core::Dataset& train = data.train;
  if (train.featureCount() == 2 || train.sampleCount() == 0) return nullptr;
  auto insight = std::make_shared<ModelInsight>();
  const bool classification = train.task != core::TaskKind::Regression;
  insight->classification = classification;
  insight->classes = train.task == core::TaskKind::MultiClass ? int(train.outputCount())
                     : train.task == core::TaskKind::Binary   ? 2
                                                              : 0;
  for (int k = 0; k < insight->classes; ++k) {
    insight->classNames << QString::fromStdString(train.className(k));
  }
  core::Rng unused(0);
  const std::vector<int> dense = core::denseLayerIndices(net.spec());

  if (train.featureCount() == 1) {
    // The fitted curve over the data's range (5% margin), and the data itself.
    insight->kind = ModelInsight::Kind::Curve;
    for (const core::Dataset* set : {&data.train, &data.validation}) {
      if (set->sampleCount() == 0) continue;
      const core::Index n = std::min(set->sampleCount(), kCurveDataPoints);
      const Eigen::MatrixXd x = data.standardizer.inverseTransform(set->inputs.leftCols(n));
      for (core::Index i = 0; i < n; ++i) {
        insight->pointX.push_back(float(x(0, i)));
        insight->pointY.push_back(float(classification ? set->classOf(i) : set->targets(0, i)));
        insight->pointValidation.push_back(set == &data.validation);
      }
    }
    const auto [lo, hi] = std::minmax_element(insight->pointX.begin(), insight->pointX.end());
    const double margin = (double(*hi) - double(*lo)) * 0.05 + 1e-6;
    const double from = *lo - margin, to = *hi + margin;
    Eigen::MatrixXd grid(1, kCurvePoints);
    for (int i = 0; i < kCurvePoints; ++i) grid(0, i) = from + (to - from) * i / (kCurvePoints - 1);
    const core::Matrix<T> input = data.standardizer.transform(grid).template cast<T>();
    const core::Matrix<T>& out = net.forward(input, core::Mode::Inference, unused);
    for (int i = 0; i < kCurvePoints; ++i) {
      insight->curveX.push_back(float(grid(0, i)));
      insight->curveY.push_back(float(out(0, i)));
    }
    return insight;
  }

  // A fixed sample: the first samples of the validation split (of the training split without
  // one), so that every refresh shows the same images.
  const bool validation = data.validation.sampleCount() > 0;
  const core::Dataset& set = validation ? data.validation : data.train;
  const core::Index n = std::min(set.sampleCount(), kInsightSamples);
  insight->onValidation = validation;
  insight->evaluated = int(n);
  const core::Matrix<T> input = set.inputs.leftCols(n).template cast<T>();
  const core::Matrix<T>& out = net.forward(input, core::Mode::Inference, unused);
  std::vector<int> predicted;
  std::vector<float> confidence;
  if (classification) {
    predictedClasses(out, predicted, confidence);
    std::vector<int> truth(static_cast<std::size_t>(n));
    for (core::Index i = 0; i < n; ++i) truth[std::size_t(i)] = set.classOf(i);
    const core::ConfusionMatrix matrix = core::confusionMatrix(truth, predicted, insight->classes);
    insight->confusion = matrix.counts();
    for (int k = 0; k < insight->classes; ++k) {
      insight->classAccuracy.push_back(matrix.classAccuracy(k));
    }
    insight->accuracy = matrix.accuracy();
  }

  // Grey-level images (one channel) are drawn as images; colour ones would need channels.
  if (train.image.isImage() && train.image.channels == 1 &&
      train.image.valueCount() == train.featureCount() && classification) {
    insight->kind = ModelInsight::Kind::Images;
    insight->imageRows = int(train.image.height);
    insight->imageColumns = int(train.image.width);
    const core::Index shown = std::min<core::Index>(n, ModelInsight::kMaxImages);
    const Eigen::MatrixXd pixels = data.standardizer.inverseTransform(set.inputs.leftCols(shown));
    for (core::Index i = 0; i < shown; ++i) {
      ModelInsight::ImageSample sample;
      sample.pixels.assign(pixels.col(i).data(), pixels.col(i).data() + pixels.rows());
      sample.trueClass = set.classOf(i);
      sample.predictedClass = predicted[std::size_t(i)];
      sample.confidence = confidence[std::size_t(i)];
      insight->images.push_back(std::move(sample));
    }
    if (!dense.empty()) {
      const auto* kernel = net.findTensor("layers[" + std::to_string(dense.front()) + "].kernel");
      if (kernel) {
        const Eigen::MatrixXd k = net.tensorValue(*kernel);  // inputs x units
        insight->firstLayerUnits = int(k.cols());
        const auto units = std::min<Eigen::Index>(k.cols(), ModelInsight::kMaxWeightImages);
        for (Eigen::Index u = 0; u < units; ++u) {
          insight->unitWeights.emplace_back(k.col(u).data(), k.col(u).data() + k.rows());
        }
      }
    }
    return insight;
  }

  // Tabular: the last hidden layer's output (after its activation, BatchNorm and dropout) for
  // the first samples of the evaluation sample, on its first two principal components.
  insight->kind = ModelInsight::Kind::Tabular;
  if (dense.size() >= 2) {
    const int blockEnd = dense.back() - 1;
    const core::Index m = std::min(n, kProjectedSamples);
    const Eigen::MatrixXd hidden = net.layerOutput(blockEnd).leftCols(m).template cast<double>();
    const core::PrincipalComponents pca = core::principalComponents(hidden, 2);
    insight->projectedLayer = int(dense.size()) - 2;
    insight->projectedUnits = int(hidden.rows());
    const double total = pca.totalVariance > 0 ? pca.totalVariance : 1.0;
    if (pca.variances.size() > 0) insight->explainedX = pca.variances(0) / total;
    if (pca.variances.size() > 1) insight->explainedY = pca.variances(1) / total;
    for (core::Index i = 0; i < m; ++i) {
      insight->projectionX.push_back(float(pca.projection(0, i)));
      insight->projectionY.push_back(pca.projection.rows() > 1 ? float(pca.projection(1, i)) : 0.f);
      insight->projectionValue.push_back(classification ? float(set.classOf(i))
                                                        : float(set.targets(0, i)));
    }
  }
  return insight;
}

}  // namespace gradscope::app
