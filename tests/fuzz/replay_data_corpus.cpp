// Replays the CSV or IDX fuzzer's corpus through its loader: every file must be read or refused
// with a core::Error, never crash. Usage: replay_data_corpus csv|idx DIRECTORY. Run by ctest
// in every build; scripts/test also runs it under AddressSanitizer and UndefinedBehaviorSanitizer.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "data_fuzz_targets.h"

int main(int argc, char* argv[]) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: replay_data_corpus csv|idx DIRECTORY\n");
    return 1;
  }
  const std::string target = argv[1];
  if (target != "csv" && target != "idx") return 1;
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(argv[2], error))
    if (entry.is_regular_file()) files.push_back(entry.path());
  if (files.empty()) {
    std::fprintf(stderr, "no corpus files in %s\n", argv[2]);
    return 1;
  }
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    if (target == "csv")
      fuzzCsvLoader(data, bytes.size());
    else
      fuzzIdxLoader(data, bytes.size());
  }
  std::printf("%zu passed, 0 failed\n", files.size());
  return 0;
}
