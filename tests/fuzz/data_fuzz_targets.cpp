#include "data_fuzz_targets.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>

#include "core/data/csv_loader.h"
#include "core/data/idx_loader.h"

using gradscope::core::CsvOptions;
using gradscope::core::Error;
using gradscope::core::TaskKind;

namespace {

// Checks what a loaded data set promises: sizes agree and every value is finite.
void checkDataset(const gradscope::core::Dataset& data) {
  if (data.inputs.cols() != data.targets.cols() || !data.inputs.allFinite() ||
      !data.targets.allFinite())
    __builtin_trap();
}

}  // namespace

int fuzzCsvLoader(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t choice = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  CsvOptions options;
  constexpr char kDelimiters[] = {0, ',', ';', '\t'};
  options.delimiter = kDelimiters[choice & 3];
  if (choice & 4) options.header = (choice & 8) != 0;
  if (choice & 16) options.task = static_cast<TaskKind>((choice >> 5) % 3);
  if (choice & 128) options.targetColumn = "y";
  try {
    std::istringstream in(text);
    checkDataset(gradscope::core::parseCsv(in, "fuzz.csv", options));
  } catch (const Error&) {
  }
  try {
    std::istringstream in(text);
    const auto preview = gradscope::core::previewCsv(in, "fuzz.csv", options, 5);
    for (const auto& row : preview.rows)
      if (row.size() != preview.columns.size()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}

int fuzzIdxLoader(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const gradscope::core::Index maxSamples = data[0] % 4;
  const std::size_t imagesSize =
      std::min<std::size_t>(data[1] | (std::size_t(data[2]) << 8), size - 3);
  const std::string_view bytes(reinterpret_cast<const char*>(data + 3), size - 3);
  try {
    checkDataset(gradscope::core::parseIdx(bytes.substr(0, imagesSize), "images",
                                           bytes.substr(imagesSize), "labels", maxSamples));
  } catch (const Error&) {
  }
  return 0;
}
