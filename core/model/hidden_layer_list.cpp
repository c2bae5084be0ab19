#include "core/model/hidden_layer_list.h"

#include <charconv>
#include <sstream>

namespace gradscope::core {

namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

bool wholeNumber(std::string_view text, long long& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool realNumber(std::string_view text, double& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

HiddenLayerList parseHiddenLayers(std::string_view text, const ActivationSpec& defaultActivation,
                                  const std::string& field) {
  HiddenLayerList list;
  if (words(text).empty()) return list;
  const std::vector<std::string_view> items = split(text, ',');
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::vector<std::string_view> w = words(items[i]);
    const std::string at = field + "[" + std::to_string(list.layers.size() + 1) + "]";
    if (w.empty()) throw Error(field, "empty item " + std::to_string(i + 1) + " between commas");
    if (w.size() == 1 && w[0] == "bn") {
      if (i != 0) throw Error(at, "BatchNorm alone is only possible on the inputs (first item)");
      list.inputBatchNorm = true;
      continue;
    }
    // [COUNTx]UNITS
    long long count = 1, units = 0;
    std::string_view size = w[0];
    if (const std::size_t x = size.find('x'); x != std::string_view::npos) {
      if (!wholeNumber(size.substr(0, x), count) || count < 1 || count > kMaxLayers / 4) {
        throw Error(at + ".count", "'" + std::string(size.substr(0, x)) +
                                       "' is not a layer count in [1, " +
                                       std::to_string(kMaxLayers / 4) + "]");
      }
      size = size.substr(x + 1);
    }
    if (!wholeNumber(size, units)) {
      throw Error(at + ".units", "'" + std::string(size) + "' is not a whole number of units");
    }
    if (units < 1 || units > kMaxUnits) {
      throw Error(at + ".units", "must be in [1, " + std::to_string(kMaxUnits) + "]");
    }
    HiddenLayer layer;
    layer.units = Index(units);
    layer.activation = defaultActivation;
    for (std::size_t k = 1; k < w.size(); ++k) {
      if (w[k] == "bn" || w[k] == "bn_after") {
        layer.batchNorm = BatchNormPlacement::AfterActivation;
      } else if (w[k] == "bn_before") {
        layer.batchNorm = BatchNormPlacement::BeforeActivation;
      } else if (w[k] == "dropout" || w[k].substr(0, 8) == "dropout=") {
        const std::string_view value =
            w[k] == "dropout" ? (k + 1 < w.size() ? w[++k] : std::string_view()) : w[k].substr(8);
        double rate = 0.0;
        if (!realNumber(value, rate) || !(rate >= 0.0 && rate < 1.0)) {
          throw Error(at + ".dropout",
                      "expected a rate in [0, 1), got '" + std::string(value) + "'");
        }
        layer.dropoutRate = rate;
      } else if (const auto kind = activationKindFromString(w[k])) {
        if (*kind == ActivationKind::Softmax) {
          throw Error(at + ".activation", "softmax is only used by the output layer");
        }
        if (k != 1) throw Error(at + ".activation", "the activation comes right after the units");
        layer.activation.kind = *kind;
      } else if (k == 1) {
        throw Error(at + ".activation", "unknown activation '" + std::string(w[k]) + "'");
      } else {
        throw Error(at, "unknown option '" + std::string(w[k]) +
                            "' (expected bn, bn_before or dropout RATE)");
      }
    }
    for (long long c = 0; c < count; ++c) list.layers.push_back(layer);
    if (list.layers.size() > std::size_t(kMaxLayers / 4)) {
      throw Error(field, "at most " + std::to_string(kMaxLayers / 4) + " hidden layers");
    }
  }
  return list;
}

std::string formatHiddenLayers(const std::vector<HiddenLayer>& layers, bool inputBatchNorm) {
  std::ostringstream out;
  out.precision(15);
  bool first = true;
  if (inputBatchNorm) {
    out << "bn";
    first = false;
  }
  for (std::size_t i = 0; i < layers.size();) {
    std::size_t run = 1;
    while (i + run < layers.size() && layers[i + run] == layers[i]) ++run;
    const HiddenLayer& layer = layers[i];
    if (!first) out << ", ";
    first = false;
    if (run > 1) out << run << 'x';
    out << layer.units << ' ' << toString(layer.activation.kind);
    if (layer.batchNorm == BatchNormPlacement::AfterActivation) out << " bn";
    if (layer.batchNorm == BatchNormPlacement::BeforeActivation) out << " bn_before";
    if (layer.dropoutRate > 0.0) out << " dropout " << layer.dropoutRate;
    i += run;
  }
  return out.str();
}

}  // namespace gradscope::core
