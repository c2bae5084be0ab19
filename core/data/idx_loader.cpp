// The IDX loader of idx_loader.h: headers first, then the payloads streamed in chunks from a
// plain file, a gzip file or memory.
#include "core/data/idx_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#ifdef GRADSCOPE_HAVE_ZLIB
#include <zlib.h>
#endif

namespace gradscope::core {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr Index kImagesHeaderBytes = 16;
constexpr Index kLabelsHeaderBytes = 8;
constexpr double kPixelScale = 1.0 / 255.0;

std::string at(const std::string& name, Index offset) {
  return name + ": offset " + std::to_string(offset);
}

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(value));
  return text;
}

std::uint32_t bigEndian32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

std::string limitText(Index bytes) { return std::to_string(bytes >> 20) + " MiB"; }

bool isGzip(const unsigned char* bytes, std::size_t size) {
  return size >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
}

#ifndef GRADSCOPE_HAVE_ZLIB
[[noreturn]] void noGzip(const std::string& name) {
  throw Error(name,
              "is gzip-compressed and this build cannot decompress it; decompress it first "
              "(e.g. with gunzip)");
}
#endif

// The decompressed content of one file, read front to back.
class ByteStream {
 public:
  explicit ByteStream(std::string name) : m_name(std::move(name)) {}
  virtual ~ByteStream() = default;
  // Reads up to `size` bytes; fewer only at the end. Throws Error on corrupt data.
  virtual std::size_t read(unsigned char* out, std::size_t size) = 0;
  // The content's size when it is known without reading it (plain files), else -1.
  virtual Index knownSize() const { return -1; }
  const std::string& name() const { return m_name; }

  // Reads until `size` bytes or the end; returns how many were read.
  std::size_t readFully(unsigned char* out, std::size_t size) {
    std::size_t got = 0;
    while (got < size) {
      const std::size_t n = read(out + got, size - got);
      if (n == 0) break;
      got += n;
    }
    return got;
  }

 private:
  std::string m_name;
};

class FileStream : public ByteStream {
 public:
  FileStream(std::FILE* file, std::string name, Index size)
      : ByteStream(std::move(name)), m_file(file), m_size(size) {}
  ~FileStream() override { std::fclose(m_file); }
  std::size_t read(unsigned char* out, std::size_t size) override {
    const std::size_t got = std::fread(out, 1, size, m_file);
    if (got < size && std::ferror(m_file))
      throw Error(name(), std::string("read error: ") + std::strerror(errno));
    return got;
  }
  Index knownSize() const override { return m_size; }

 private:
  std::FILE* m_file;
  Index m_size;
};

class MemoryStream : public ByteStream {
 public:
  MemoryStream(std::string_view bytes, std::string name)
      : ByteStream(std::move(name)), m_bytes(bytes), m_size(static_cast<Index>(bytes.size())) {}
  std::size_t read(unsigned char* out, std::size_t size) override {
    const std::size_t n = std::min(size, m_bytes.size());
    std::memcpy(out, m_bytes.data(), n);
    m_bytes.remove_prefix(n);
    return n;
  }
  Index knownSize() const override { return m_size; }

 private:
  std::string_view m_bytes;
  Index m_size;
};

#ifdef GRADSCOPE_HAVE_ZLIB
// gzip data from a file (gzFile) or from memory (inflate); both report a corrupt or truncated
// stream as an Error rather than as a short file.
class GzipFileStream : public ByteStream {
 public:
  GzipFileStream(const std::string& path, std::string name) : ByteStream(std::move(name)) {
    m_file = gzopen(path.c_str(), "rb");
    if (m_file == nullptr)
      throw Error(this->name(), std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(m_file, 1 << 17);
  }
  ~GzipFileStream() override { gzclose(m_file); }
  std::size_t read(unsigned char* out, std::size_t size) override {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size, kLoadChunkBytes));
    const int got = gzread(m_file, out, chunk);
    int status = Z_OK;
    const char* message = gzerror(m_file, &status);
    if (got < 0 || (status != Z_OK && status != Z_STREAM_END))
      throw Error(name(), "corrupt or truncated gzip data (" +
                              std::string(message != nullptr ? message : "") + ")");
    return static_cast<std::size_t>(got);
  }

 private:
  gzFile m_file = nullptr;
};

class GzipMemoryStream : public ByteStream {
 public:
  GzipMemoryStream(std::string_view bytes, std::string name) : ByteStream(std::move(name)) {
    m_stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    m_stream.avail_in = static_cast<uInt>(bytes.size());
    if (inflateInit2(&m_stream, 16 + MAX_WBITS) != Z_OK)
      throw Error(this->name(), "cannot start the gzip decoder");
  }
  ~GzipMemoryStream() override { inflateEnd(&m_stream); }
  std::size_t read(unsigned char* out, std::size_t size) override {
    if (m_ended) return 0;
    m_stream.next_out = out;
    m_stream.avail_out = static_cast<uInt>(std::min<std::size_t>(size, kLoadChunkBytes));
    const uInt before = m_stream.avail_out;
    const int status = inflate(&m_stream, Z_NO_FLUSH);
    if (status == Z_STREAM_END) m_ended = true;
    const std::size_t got = before - m_stream.avail_out;
    if (status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && got > 0))
      throw Error(name(), "corrupt or truncated gzip data (" +
                              std::string(m_stream.msg != nullptr ? m_stream.msg
                                          : status == Z_BUF_ERROR ? "unexpected end of data"
                                                                  : "bad data") +
                              ")");
    return got;
  }

 private:
  z_stream m_stream{};
  bool m_ended = false;
};
#endif

std::unique_ptr<ByteStream> openFile(const std::string& path, const std::string& name) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw Error(name, "file not found");
  if (std::filesystem::is_directory(status)) throw Error(name, "is a folder, not a file");
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(name, std::string("cannot open: ") + std::strerror(errno));
  unsigned char signature[2] = {0, 0};
  const std::size_t got = std::fread(signature, 1, 2, file);
  if (isGzip(signature, got)) {
    std::fclose(file);
#ifdef GRADSCOPE_HAVE_ZLIB
    return std::make_unique<GzipFileStream>(path, name);
#else
    noGzip(name);
#endif
  }
  std::rewind(file);
  const auto size = std::filesystem::file_size(path, error);
  if (error) {
    std::fclose(file);
    throw Error(name, "cannot read the file size: " + error.message());
  }
  return std::make_unique<FileStream>(file, name, static_cast<Index>(size));
}

std::unique_ptr<ByteStream> openMemory(std::string_view bytes, const std::string& name) {
  if (isGzip(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size())) {
#ifdef GRADSCOPE_HAVE_ZLIB
    return std::make_unique<GzipMemoryStream>(bytes, name);
#else
    noGzip(name);
#endif
  }
  return std::make_unique<MemoryStream>(bytes, name);
}

// Reads and checks the magic number and the rest of a header of `headerBytes`.
void readHeader(ByteStream& stream, unsigned char* header, Index headerBytes,
                std::uint32_t expected, const char* what) {
  const std::string& name = stream.name();
  const std::size_t got = stream.readFully(header, 4);
  if (got < 4)
    throw Error(at(name, 0), "only " + std::to_string(got) + " bytes; too short for an IDX file");
  const std::uint32_t magic = bigEndian32(header);
  if (magic != expected) {
    const std::uint32_t other = expected == kImagesMagic ? kLabelsMagic : kImagesMagic;
    throw Error(at(name, 0),
                "magic number " + hex32(magic) + " is not that of an IDX " + what + " file (" +
                    hex32(expected) + ")" +
                    (magic == other ? "; are the images and labels files swapped?" : ""));
  }
  const std::size_t rest = stream.readFully(header + 4, std::size_t(headerBytes - 4));
  if (static_cast<Index>(rest) < headerBytes - 4)
    throw Error(at(name, 4 + static_cast<Index>(rest)),
                "the file ends inside its " + std::to_string(headerBytes) + "-byte header");
}

// What the header promises, against the real size where it is known (a plain file) and the
// loader's limit where it is not (gzip): refused here, before any payload is read.
void checkPromise(const ByteStream& stream, Index expected, const std::string& promise) {
  const std::string& name = stream.name();
  const Index size = stream.knownSize();
  if (size < 0) {
    if (expected > kIdxMaxFileBytes)
      throw Error(at(name, 4), "the header promises " + promise + " (" + std::to_string(expected) +
                                   " bytes), more than the " + limitText(kIdxMaxFileBytes) +
                                   " the loader accepts");
    return;
  }
  if (size > kIdxMaxFileBytes)
    throw Error(name, "larger than " + limitText(kIdxMaxFileBytes) + " (the loader's limit)");
  if (size < expected)
    throw Error(at(name, size), "truncated: the header promises " + promise + " (" +
                                    std::to_string(expected) + " bytes) but the file ends after " +
                                    std::to_string(size) + " bytes");
  if (size > expected)
    throw Error(at(name, expected), std::to_string(size - expected) +
                                        " bytes after the end of the data the header promises (" +
                                        promise + ")");
}

// Streams `payload` bytes after a header of `headerBytes`, handing each chunk to `sink(offset
// in the payload, bytes, count)`; a stream that ends early or goes on is an Error at the
// offset where it departs from its header.
template <typename Sink>
void readPayload(ByteStream& stream, Index headerBytes, Index payload, const std::string& promise,
                 const LoadProgress& progress, double progressFrom, double progressTo,
                 Sink&& sink) {
  std::vector<unsigned char> chunk(kLoadChunkBytes);
  Index done = 0;
  while (done < payload) {
    if (progress &&
        !progress(progressFrom + (progressTo - progressFrom) * double(done) / double(payload)))
      throw Error(stream.name(), kLoadCancelled);
    const std::size_t want =
        static_cast<std::size_t>(std::min<Index>(payload - done, kLoadChunkBytes));
    const std::size_t got = stream.readFully(chunk.data(), want);
    sink(done, chunk.data(), got);
    done += static_cast<Index>(got);
    if (got < want)
      throw Error(at(stream.name(), headerBytes + done),
                  "truncated: the header promises " + promise + " (" +
                      std::to_string(headerBytes + payload) + " bytes) but the data ends after " +
                      std::to_string(headerBytes + done) + " bytes");
  }
  unsigned char extra = 0;
  if (stream.readFully(&extra, 1) == 1)
    throw Error(at(stream.name(), headerBytes + payload),
                "bytes after the end of the data the header promises (" + promise + ")");
}

Dataset load(ByteStream& images, ByteStream& labels, Index maxSamples, const LoadProgress& progress,
             int minClasses) {
  if (maxSamples < 0)
    throw Error("maxSamples",
                "must be 0 (all samples) or positive, got " + std::to_string(maxSamples));
  const std::string& imagesName = images.name();
  const std::string& labelsName = labels.name();

  // Images header: every dimension is checked before use.
  unsigned char header[kImagesHeaderBytes];
  readHeader(images, header, kImagesHeaderBytes, kImagesMagic, "images");
  const Index count = bigEndian32(header + 4);
  const Index rows = bigEndian32(header + 8);
  const Index cols = bigEndian32(header + 12);
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
  const std::string imagesPromise = std::to_string(count) + " images of " + std::to_string(rows) +
                                    " x " + std::to_string(cols) + " pixels";
  checkPromise(images, kImagesHeaderBytes + count * pixels, imagesPromise);

  // Labels header.
  readHeader(labels, header, kLabelsHeaderBytes, kLabelsMagic, "labels");
  const Index labelCount = bigEndian32(header + 4);
  if (labelCount != count)
    throw Error(at(labelsName, 4), "holds " + std::to_string(labelCount) + " labels but " +
                                       imagesName + " holds " + std::to_string(count) + " images");
  const std::string labelsPromise = std::to_string(labelCount) + " labels";
  checkPromise(labels, kLabelsHeaderBytes + labelCount, labelsPromise);

  const Index samples = maxSamples > 0 ? std::min(maxSamples, count) : count;
  if (samples > kMaxDatasetSamples)
    throw Error(at(imagesName, 4), std::to_string(samples) + " images exceed the limit of " +
                                       std::to_string(kMaxDatasetSamples) +
                                       " samples; load fewer (maxSamples)");
  if (samples * pixels > kIdxMaxValues)
    throw Error(at(imagesName, 4), std::to_string(samples) + " images of " +
                                       std::to_string(pixels) + " pixels exceed the limit of " +
                                       std::to_string(kIdxMaxValues) +
                                       " values; load fewer samples (maxSamples)");

  // Labels: a buffer that grows with the bytes actually present, never with the header's word.
  std::vector<unsigned char> labelBytes;
  readPayload(labels, kLabelsHeaderBytes, labelCount, labelsPromise, progress, 0.0, 0.05,
              [&](Index, const unsigned char* bytes, std::size_t size) {
                labelBytes.insert(labelBytes.end(), bytes, bytes + size);
              });
  // The class count comes from the whole file, so loading part of it keeps the same classes.
  const int classes =
      std::max(minClasses, int(*std::max_element(labelBytes.begin(), labelBytes.end())) + 1);

  // Pixels straight into the features x samples matrix; those past `samples` are only checked.
  Dataset data;
  data.task = TaskKind::MultiClass;
  data.inputs.resize(pixels, samples);
  const Index kept = samples * pixels;
  double* out = data.inputs.data();
  readPayload(images, kImagesHeaderBytes, count * pixels, imagesPromise, progress, 0.05, 1.0,
              [&](Index offset, const unsigned char* bytes, std::size_t size) {
                const Index end = std::min<Index>(offset + static_cast<Index>(size), kept);
                for (Index k = offset; k < end; ++k) out[k] = bytes[k - offset] * kPixelScale;
              });

  data.targets = Eigen::MatrixXd::Zero(classes, samples);
  for (Index i = 0; i < samples; ++i) data.targets(labelBytes[std::size_t(i)], i) = 1.0;
  for (int c = 0; c < classes; ++c) data.classNames.push_back(std::to_string(c));
  data.image = {cols, rows, 1};
  data.name = imagesName;
  return data;
}

}  // namespace

bool idxGzipSupported() {
#ifdef GRADSCOPE_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}

Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath, Index maxSamples,
                const LoadProgress& progress, int minClasses) {
  if (maxSamples < 0)
    throw Error("maxSamples",
                "must be 0 (all samples) or positive, got " + std::to_string(maxSamples));
  const auto images = openFile(imagesPath, std::filesystem::path(imagesPath).filename().string());
  const auto labels = openFile(labelsPath, std::filesystem::path(labelsPath).filename().string());
  Dataset data = load(*images, *labels, maxSamples, progress, minClasses);
  data.source = imagesPath;
  return data;
}

Dataset parseIdx(std::string_view images, const std::string& imagesName, std::string_view labels,
                 const std::string& labelsName, Index maxSamples, int minClasses) {
  const auto imageStream = openMemory(images, imagesName);
  const auto labelStream = openMemory(labels, labelsName);
  return load(*imageStream, *labelStream, maxSamples, {}, minClasses);
}

}  // namespace gradscope::core
