// Locating and loading the data set named by a path (see data_files.h).
#include "core/data/data_files.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "core/data/idx_loader.h"

namespace gradscope::core {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImagesTag = "-images-idx3-ubyte";
constexpr std::string_view kLabelsTag = "-labels-idx1-ubyte";

bool isImagesFile(const fs::path& path) {
  return path.filename().string().find(kImagesTag) != std::string::npos;
}

// `name` with its first `from` replaced by `to` (unchanged when absent).
std::string replaced(std::string name, std::string_view from, std::string_view to) {
  const auto at = name.find(from);
  if (at != std::string::npos) name.replace(at, from.size(), to);
  return name;
}

// The file beside `images` named `name`, plain or gzip: the given form first.
std::string sibling(const fs::path& images, const std::string& name) {
  const fs::path dir = images.parent_path();
  std::error_code error;
  if (fs::is_regular_file(dir / name, error)) return (dir / name).string();
  const std::string other = name.ends_with(".gz") ? name.substr(0, name.size() - 3) : name + ".gz";
  if (fs::is_regular_file(dir / other, error)) return (dir / other).string();
  return {};
}

DataFiles idxFiles(const fs::path& images) {
  DataFiles files;
  files.format = DataFiles::Format::Idx;
  files.trainImages = images.string();
  const std::string name = images.filename().string();
  files.trainLabels = sibling(images, replaced(name, kImagesTag, kLabelsTag));
  if (files.trainLabels.empty())
    throw Error(
        name, "no labels file beside it (expected " + replaced(name, kImagesTag, kLabelsTag) + ")");
  const std::string prefix = name.substr(0, name.find(kImagesTag));
  if (prefix.find("train") == std::string::npos) return files;
  for (const std::string_view test : {"t10k", "test"}) {
    const std::string testName = replaced(name, "train", test);
    const std::string testImages = sibling(images, testName);
    const std::string testLabels = sibling(images, replaced(testName, kImagesTag, kLabelsTag));
    if (!testImages.empty() && !testLabels.empty()) {
      files.testImages = testImages;
      files.testLabels = testLabels;
      break;
    }
  }
  return files;
}

// Both data sets over the same classes: the one with fewer gets zero rows for the others.
void padClasses(Dataset& data, Index classes) {
  const Index have = data.targets.rows();
  if (have >= classes) return;
  data.targets.conservativeResize(classes, Eigen::NoChange);
  data.targets.bottomRows(classes - have).setZero();
  for (Index c = have; c < classes; ++c) data.classNames.push_back(std::to_string(c));
}

}  // namespace

DataFiles locateDataFiles(const std::string& path) {
  const fs::path given(path);
  const std::string name = given.filename().empty() ? given.parent_path().filename().string()
                                                    : given.filename().string();
  std::error_code error;
  const auto status = fs::status(given, error);
  if (!fs::exists(status)) throw Error(name, "file not found");
  if (fs::is_directory(status)) {
    std::vector<fs::path> images;
    for (const auto& entry : fs::directory_iterator(given, error))
      if (entry.is_regular_file(error) && isImagesFile(entry.path()))
        images.push_back(entry.path());
    std::sort(images.begin(), images.end());
    if (images.empty())
      throw Error(name, "the folder holds no IDX images file (*-images-idx3-ubyte[.gz])");
    // The training pair: the file named "train", else the only one.
    const auto train = std::find_if(images.begin(), images.end(), [](const fs::path& p) {
      return p.filename().string().find("train") != std::string::npos;
    });
    if (train == images.end() && images.size() > 1)
      throw Error(name, "the folder holds several IDX images files and none is named 'train'");
    return idxFiles(train != images.end() ? *train : images.front());
  }
  if (isImagesFile(given)) return idxFiles(given);
  DataFiles files;
  files.csv = path;
  return files;
}

Dataset loadDataFiles(const DataFiles& files, const CsvOptions& csv, const LoadProgress& progress,
                      Index maxSamples) {
  if (files.format == DataFiles::Format::Csv) return loadCsv(files.csv, csv, progress);
  const bool withTest = !files.testImages.empty();
  // Progress: the training pair is about six sevenths of the bytes (60,000 of 70,000 images).
  const double share = withTest ? 6.0 / 7.0 : 1.0;
  LoadProgress trainProgress;
  if (progress) trainProgress = [&](double f) { return progress(f * share); };
  Dataset data = loadIdx(files.trainImages, files.trainLabels, maxSamples, trainProgress);
  if (withTest) {
    LoadProgress testProgress;
    if (progress) testProgress = [&](double f) { return progress(share + f * (1.0 - share)); };
    auto test =
        std::make_shared<Dataset>(loadIdx(files.testImages, files.testLabels, maxSamples,
                                          testProgress, static_cast<int>(data.outputCount())));
    if (test->featureCount() != data.featureCount())
      throw Error(test->name,
                  "images of " + std::to_string(test->image.width) + " x " +
                      std::to_string(test->image.height) + " pixels, but the training images are " +
                      std::to_string(data.image.width) + " x " + std::to_string(data.image.height));
    padClasses(data, test->outputCount());
    data.testSplit = std::move(test);
  }
  data.name = fs::path(files.trainImages).filename().string();
  return data;
}

}  // namespace gradscope::core
