// The IDX loader of idx_loader.h. Each file is read whole (at most kIdxMaxFileBytes, checked
// before reading), so every header check compares against the real byte count.
#include "core/data/idx_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#ifdef GRADSCOPE_HAVE_ZLIB
#include <zlib.h>
#endif

namespace gradscope::core {

namespace {

using Bytes = std::vector<unsigned char>;

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr Index kImagesHeaderBytes = 16;
constexpr Index kLabelsHeaderBytes = 8;
constexpr int kMinClasses = 10;  // the digits (or garments) of MNIST / Fashion-MNIST
constexpr double kPixelScale = 1.0 / 255.0;

std::string at(const std::string& name, Index offset) {
  return name + ": offset " + std::to_string(offset);
}

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(value));
  return text;
}

std::uint32_t bigEndian32(const Bytes& bytes, Index offset) {
  const auto* p = bytes.data() + offset;
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

std::string limitText(Index bytes) { return std::to_string(bytes >> 20) + " MiB"; }

#ifdef GRADSCOPE_HAVE_ZLIB
Bytes readGzip(const std::string& path, const std::string& name) {
  // Decompressed in chunks up to the limit: the gzip trailer's size field is only the size
  // modulo 2^32 and may lie, so the real size is known only by decompressing.
  constexpr unsigned kChunk = 1u << 20;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(name, std::string("cannot open: ") + std::strerror(errno));
  Bytes bytes;
  for (;;) {
    const std::size_t size = bytes.size();
    if (static_cast<Index>(size) > kIdxMaxFileBytes) {
      gzclose(file);
      throw Error(name, "decompresses to more than " + limitText(kIdxMaxFileBytes) +
                            " (the loader's limit)");
    }
    bytes.resize(size + kChunk);
    const int got = gzread(file, bytes.data() + size, kChunk);
    if (got < 0) break;  // reported by gzerror below
    bytes.resize(size + static_cast<std::size_t>(got));
    if (got == 0) break;
  }
  int status = Z_OK;
  const char* message = gzerror(file, &status);
  const std::string reason = message != nullptr ? message : "";
  gzclose(file);
  if (status != Z_OK && status != Z_STREAM_END)
    throw Error(name, "corrupt or truncated gzip data (" + reason + ")");
  return bytes;
}
#endif

Bytes readFile(const std::string& path, const std::string& name) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw Error(name, "file not found");
  if (std::filesystem::is_directory(status)) throw Error(name, "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(name, std::string("cannot open: ") + std::strerror(errno));

  unsigned char signature[2] = {0, 0};
  in.read(reinterpret_cast<char*>(signature), 2);
  if (in.gcount() == 2 && signature[0] == 0x1F && signature[1] == 0x8B) {
#ifdef GRADSCOPE_HAVE_ZLIB
    return readGzip(path, name);
#else
    throw Error(name,
                "is gzip-compressed and this build cannot decompress it; decompress it "
                "first (e.g. with gunzip)");
#endif
  }

  const auto size = std::filesystem::file_size(path, error);
  if (error) throw Error(name, "cannot read the file size: " + error.message());
  if (size > static_cast<std::uintmax_t>(kIdxMaxFileBytes))
    throw Error(name, "larger than " + limitText(kIdxMaxFileBytes) + " (the loader's limit)");
  Bytes bytes(static_cast<std::size_t>(size));
  in.clear();
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size))
    throw Error(at(name, in.gcount()), "read error: the file ended early");
  return bytes;
}

void checkMagic(const Bytes& bytes, const std::string& name, std::uint32_t expected,
                const char* what) {
  if (bytes.size() < 4)
    throw Error(at(name, 0),
                "only " + std::to_string(bytes.size()) + " bytes; too short for an IDX file");
  const std::uint32_t magic = bigEndian32(bytes, 0);
  if (magic == expected) return;
  const std::uint32_t other = expected == kImagesMagic ? kLabelsMagic : kImagesMagic;
  throw Error(at(name, 0),
              "magic number " + hex32(magic) + " is not that of an IDX " + what + " file (" +
                  hex32(expected) + ")" +
                  (magic == other ? "; are the images and labels files swapped?" : ""));
}

void checkHeaderSize(const Bytes& bytes, const std::string& name, Index headerBytes) {
  if (static_cast<Index>(bytes.size()) < headerBytes)
    throw Error(at(name, static_cast<Index>(bytes.size())),
                "the file ends inside its " + std::to_string(headerBytes) + "-byte header");
}

// The file must hold exactly what its header promises: a shorter file is truncated, a longer
// one does not match its header (and would silently shift every sample if accepted).
void checkPayload(const Bytes& bytes, const std::string& name, Index expected,
                  const std::string& promise) {
  const Index size = static_cast<Index>(bytes.size());
  if (size < expected)
    throw Error(at(name, size), "truncated: the header promises " + promise + " (" +
                                    std::to_string(expected) + " bytes) but the file ends after " +
                                    std::to_string(size) + " bytes");
  if (size > expected)
    throw Error(at(name, expected), std::to_string(size - expected) +
                                        " bytes after the end of the data the header promises (" +
                                        promise + ")");
}

}  // namespace

bool idxGzipSupported() {
#ifdef GRADSCOPE_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath, Index maxSamples) {
  if (maxSamples < 0)
    throw Error("maxSamples",
                "must be 0 (all samples) or positive, got " + std::to_string(maxSamples));
  const std::string imagesName = std::filesystem::path(imagesPath).filename().string();
  const std::string labelsName = std::filesystem::path(labelsPath).filename().string();

  // Images: every dimension is checked against the bytes actually present before use.
  const Bytes images = readFile(imagesPath, imagesName);
  checkMagic(images, imagesName, kImagesMagic, "images");
  checkHeaderSize(images, imagesName, kImagesHeaderBytes);
  const Index count = bigEndian32(images, 4);
  const Index rows = bigEndian32(images, 8);
  const Index cols = bigEndian32(images, 12);
  if (count == 0) throw Error(at(imagesName, 4), "the file holds no images");
  if (rows == 0 || cols == 0)
    throw Error(at(imagesName, rows == 0 ? 8 : 12), "an image dimension is 0");
  // Each side is checked alone first so that rows * cols (< 2^40) and count * pixels (< 2^52)
  // cannot overflow 64 bits.
  if (rows > kIdxMaxImagePixels || cols > kIdxMaxImagePixels || rows * cols > kIdxMaxImagePixels)
    throw Error(at(imagesName, 8), "images of " + std::to_string(rows) + " x " +
                                       std::to_string(cols) + " pixels exceed the limit of " +
                                       std::to_string(kIdxMaxImagePixels) + " pixels");
  const Index pixels = rows * cols;
  checkPayload(images, imagesName, kImagesHeaderBytes + count * pixels,
               std::to_string(count) + " images of " + std::to_string(rows) + " x " +
                   std::to_string(cols) + " pixels");

  // Labels.
  const Bytes labels = readFile(labelsPath, labelsName);
  checkMagic(labels, labelsName, kLabelsMagic, "labels");
  checkHeaderSize(labels, labelsName, kLabelsHeaderBytes);
  const Index labelCount = bigEndian32(labels, 4);
  if (labelCount != count)
    throw Error(at(labelsName, 4), "holds " + std::to_string(labelCount) + " labels but " +
                                       imagesName + " holds " + std::to_string(count) + " images");
  checkPayload(labels, labelsName, kLabelsHeaderBytes + labelCount,
               std::to_string(labelCount) + " labels");

  const Index samples = maxSamples > 0 ? std::min(maxSamples, count) : count;
  if (samples * pixels > kIdxMaxValues)
    throw Error(at(imagesName, 4), std::to_string(samples) + " images of " +
                                       std::to_string(pixels) + " pixels exceed the limit of " +
                                       std::to_string(kIdxMaxValues) +
                                       " values; load fewer samples (maxSamples)");

  // The class count comes from the whole file, so loading part of it keeps the same classes.
  const auto labelBegin = labels.begin() + kLabelsHeaderBytes;
  const int classes = std::max(kMinClasses, int(*std::max_element(labelBegin, labels.end())) + 1);

  Dataset data;
  data.task = TaskKind::MultiClass;
  // Column-major features x samples: image i is pixels [16 + i * pixels, 16 + (i + 1) * pixels).
  data.inputs.resize(pixels, samples);
  const unsigned char* pixel = images.data() + kImagesHeaderBytes;
  double* out = data.inputs.data();
  for (Index k = 0; k < pixels * samples; ++k) out[k] = pixel[k] * kPixelScale;
  data.targets = Eigen::MatrixXd::Zero(classes, samples);
  for (Index i = 0; i < samples; ++i) data.targets(labelBegin[i], i) = 1.0;
  for (int c = 0; c < classes; ++c) data.classNames.push_back(std::to_string(c));
  data.image = {cols, rows, 1};
  return data;
}

}  // namespace gradscope::core
