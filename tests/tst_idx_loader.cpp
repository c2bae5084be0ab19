// IDX loader: tiny valid MNIST-style files, gzip-compressed ones, and broken ones (bad magic,
// swapped files, truncation, count mismatch, headers claiming absurd sizes) whose errors must
// name the file and the offset. Every test writes its own files.
#include <QtTest>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/idx_loader.h"

using gradscope::core::Dataset;
using gradscope::core::Error;
using gradscope::core::Index;
using gradscope::core::loadIdx;
using gradscope::core::TaskKind;

namespace {

void appendBigEndian(QByteArray& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes += char((value >> shift) & 0xFF);
}

void appendLittleEndian(QByteArray& bytes, std::uint32_t value, int size) {
  for (int i = 0; i < size; ++i) bytes += char((value >> (8 * i)) & 0xFF);
}

QByteArray imagesFile(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                      const QByteArray& pixels, std::uint32_t magic = 0x00000803) {
  QByteArray bytes;
  appendBigEndian(bytes, magic);
  appendBigEndian(bytes, count);
  appendBigEndian(bytes, rows);
  appendBigEndian(bytes, cols);
  return bytes + pixels;
}

QByteArray labelsFile(std::uint32_t count, const QByteArray& labels,
                      std::uint32_t magic = 0x00000801) {
  QByteArray bytes;
  appendBigEndian(bytes, magic);
  appendBigEndian(bytes, count);
  return bytes + labels;
}

std::uint32_t crc32(const QByteArray& data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : data) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A gzip member (RFC 1952) holding `data` in stored (uncompressed) deflate blocks (RFC 1951),
// so the test needs no compressor of its own.
QByteArray gzipStored(const QByteArray& data) {
  QByteArray out("\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\xFF", 10);
  Index offset = 0;
  do {
    const Index length = std::min<Index>(65535, data.size() - offset);
    const bool last = offset + length == data.size();
    out += char(last ? 1 : 0);
    appendLittleEndian(out, std::uint32_t(length), 2);
    appendLittleEndian(out, std::uint32_t(~length & 0xFFFF), 2);
    out += data.mid(offset, length);
    offset += length;
  } while (offset < data.size());
  appendLittleEndian(out, crc32(data), 4);
  appendLittleEndian(out, std::uint32_t(data.size()), 4);
  return out;
}

// Three 2 x 2 images and their labels.
const QByteArray kPixels(
    "\x00\xFF\x33\x00"
    "\x01\x02\x03\x04"
    "\xFF\xFF\xFF\xFF",
    12);
const QByteArray kLabels("\x00\x09\x03", 3);

}  // namespace

class TestIdxLoader : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  std::string write(const QString& name, const QByteArray& content) {
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    file.write(content);
    return path.toStdString();
  }

  void expectError(const QByteArray& images, const QByteArray& labels, const QString& field,
                   const QString& reason, Index maxSamples = 0) {
    try {
      loadIdx(write("images-idx3-ubyte", images), write("labels-idx1-ubyte", labels), maxSamples);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.what());
    }
  }

  void checkTinyData(const Dataset& data) {
    QCOMPARE(data.task, TaskKind::MultiClass);
    QCOMPARE(data.sampleCount(), Index(3));
    QCOMPARE(data.featureCount(), Index(4));
    QCOMPARE(data.outputCount(), Index(10));
    QCOMPARE(data.classNames.size(), std::size_t(10));
    QCOMPARE(data.classNames[9], std::string("9"));
    // Pixels row by row, scaled to [0, 1].
    QCOMPARE(data.inputs(0, 0), 0.0);
    QCOMPARE(data.inputs(1, 0), 1.0);
    QCOMPARE(data.inputs(2, 0), 0.2);
    QCOMPARE(data.inputs(3, 1), 4.0 / 255.0);
    QVERIFY((data.inputs.col(2).array() == 1.0).all());
    QCOMPARE(data.classOf(0), 0);
    QCOMPARE(data.classOf(1), 9);
    QCOMPARE(data.classOf(2), 3);
    QVERIFY((data.targets.colwise().sum().array() == 1.0).all());
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void validFiles() {
    checkTinyData(loadIdx(write("images", imagesFile(3, 2, 2, kPixels)),
                          write("labels", labelsFile(3, kLabels))));
  }

  void maxSamplesKeepsTheFirstImages() {
    const Dataset data = loadIdx(write("images", imagesFile(3, 2, 2, kPixels)),
                                 write("labels", labelsFile(3, kLabels)), 2);
    QCOMPARE(data.sampleCount(), Index(2));
    QCOMPARE(data.outputCount(), Index(10));
    QCOMPARE(data.classOf(1), 9);
    QCOMPARE(loadIdx(write("images", imagesFile(3, 2, 2, kPixels)),
                     write("labels", labelsFile(3, kLabels)), 100)
                 .sampleCount(),
             Index(3));
  }

  void largeLabelsAddClasses() {
    const Dataset data = loadIdx(write("images", imagesFile(3, 2, 2, kPixels)),
                                 write("labels", labelsFile(3, QByteArray("\x00\x0C\x01", 3))));
    QCOMPARE(data.outputCount(), Index(13));
    QCOMPARE(data.classOf(1), 12);
  }

  void gzipFiles() {
    const std::string images = write("images.gz", gzipStored(imagesFile(3, 2, 2, kPixels)));
    const std::string labels = write("labels.gz", gzipStored(labelsFile(3, kLabels)));
    if (!gradscope::core::idxGzipSupported()) {
      QVERIFY_THROWS_EXCEPTION(Error, loadIdx(images, labels));
      QSKIP("built without zlib: gzip files are refused with a message");
    }
    checkTinyData(loadIdx(images, labels));
    // A gzip file next to a plain one.
    checkTinyData(loadIdx(images, write("labels", labelsFile(3, kLabels))));
  }

  void largeGzipFile() {
    if (!gradscope::core::idxGzipSupported()) QSKIP("built without zlib");
    // More than one stored block and more than one read chunk.
    const int count = 3000;
    QByteArray pixels(count * 28 * 28, '\0');
    QByteArray labels(count, '\0');
    for (int i = 0; i < pixels.size(); ++i) pixels[i] = char(i % 251);
    for (int i = 0; i < count; ++i) labels[i] = char(i % 10);
    const Dataset data = loadIdx(write("big.gz", gzipStored(imagesFile(count, 28, 28, pixels))),
                                 write("big-labels", labelsFile(count, labels)));
    QCOMPARE(data.sampleCount(), Index(count));
    QCOMPARE(data.featureCount(), Index(784));
    QCOMPARE(data.inputs(5, 2999), double((2999 * 784 + 5) % 251) / 255.0);
    QCOMPARE(data.classOf(2999), 9);
  }

  void brokenGzip() {
    if (!gradscope::core::idxGzipSupported()) QSKIP("built without zlib");
    const std::string labels = write("labels", labelsFile(3, kLabels));
    QByteArray gz = gzipStored(imagesFile(3, 2, 2, kPixels));
    QByteArray badCrc = gz;
    badCrc[badCrc.size() - 8] = char(badCrc[badCrc.size() - 8] ^ 0x55);
    try {
      loadIdx(write("crc.gz", badCrc), labels);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("crc.gz"));
      QVERIFY2(QString::fromStdString(e.reason()).contains("gzip"), e.what());
    }
    try {
      loadIdx(write("cut.gz", gz.left(gz.size() - 12)), labels);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("cut.gz"));
      QVERIFY2(QString::fromStdString(e.reason()).contains("gzip"), e.what());
    }
  }

  void badImagesMagic() {
    expectError(imagesFile(3, 2, 2, kPixels, 0x00000804), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 0", "magic number 0x00000804");
  }

  void badLabelsMagic() {
    expectError(imagesFile(3, 2, 2, kPixels), labelsFile(3, kLabels, 0x12345678),
                "labels-idx1-ubyte: offset 0", "magic number 0x12345678");
  }

  void swappedFiles() {
    expectError(labelsFile(3, kLabels), imagesFile(3, 2, 2, kPixels), "images-idx3-ubyte: offset 0",
                "swapped");
  }

  void tooShortForMagic() {
    expectError(QByteArray("\x00\x00", 2), labelsFile(3, kLabels), "images-idx3-ubyte: offset 0",
                "too short");
  }

  void truncatedHeader() {
    expectError(imagesFile(3, 2, 2, {}).left(10), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 10", "header");
  }

  void truncatedImages() {
    expectError(imagesFile(3, 2, 2, kPixels.left(11)), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 27", "truncated");
  }

  void truncatedLabels() {
    expectError(imagesFile(3, 2, 2, kPixels), labelsFile(3, kLabels.left(2)),
                "labels-idx1-ubyte: offset 10", "truncated");
  }

  void extraBytes() {
    expectError(imagesFile(3, 2, 2, kPixels + "xx"), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 28", "2 bytes after the end");
  }

  void countMismatch() {
    expectError(imagesFile(3, 2, 2, kPixels), labelsFile(2, kLabels.left(2)),
                "labels-idx1-ubyte: offset 4", "holds 2 labels but images-idx3-ubyte holds 3");
  }

  void absurdImageCount() {
    // 10^9 images of 28 x 28 claimed by a file of a few bytes: refused, not allocated.
    expectError(imagesFile(1'000'000'000, 28, 28, kPixels), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 28", "truncated");
    expectError(imagesFile(0xFFFFFFFF, 0xFFFF, 0xF, kPixels), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 28", "truncated");
  }

  void absurdImageSize() {
    expectError(imagesFile(3, 0xFFFFFFFF, 0xFFFFFFFF, kPixels), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 8", "exceed the limit");
  }

  void absurdLabelCount() {
    expectError(imagesFile(3, 2, 2, kPixels), labelsFile(0xFFFFFFFF, kLabels),
                "labels-idx1-ubyte: offset 4", "holds 4294967295 labels");
  }

  void emptyDimensions() {
    expectError(imagesFile(0, 2, 2, {}), labelsFile(0, {}), "images-idx3-ubyte: offset 4",
                "no images");
    expectError(imagesFile(3, 2, 0, {}), labelsFile(3, kLabels), "images-idx3-ubyte: offset 12",
                "dimension is 0");
  }

  void negativeMaxSamples() {
    try {
      loadIdx(write("images", imagesFile(3, 2, 2, kPixels)),
              write("labels", labelsFile(3, kLabels)), -1);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("maxSamples"));
    }
  }

  void imageShapeAndNames() {
    const Dataset data = loadIdx(write("shape-images", imagesFile(3, 2, 4, kPixels + kPixels)),
                                 write("shape-labels", labelsFile(3, kLabels)));
    QCOMPARE(data.image.width, Index(4));
    QCOMPARE(data.image.height, Index(2));
    QCOMPARE(data.image.channels, Index(1));
    QCOMPARE(data.name, std::string("shape-images"));
    QVERIFY(QString::fromStdString(data.source).endsWith("shape-images"));
  }

  void fromMemoryPlainAndGzip() {
    const QByteArray images = imagesFile(3, 2, 2, kPixels);
    const QByteArray labels = labelsFile(3, kLabels);
    checkTinyData(gradscope::core::parseIdx(images.toStdString(), "i", labels.toStdString(), "l"));
    if (!gradscope::core::idxGzipSupported()) QSKIP("built without zlib");
    const QByteArray gz = gzipStored(images);
    checkTinyData(gradscope::core::parseIdx(gz.toStdString(), "i", labels.toStdString(), "l"));
    try {
      gradscope::core::parseIdx(gz.left(gz.size() - 20).toStdString(), "i.gz", labels.toStdString(),
                                "l");
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString::fromStdString(e.field()).startsWith("i.gz"), e.what());
    }
  }

  void gzipHeaderPromisingTooMuchIsRefusedUnread() {
    if (!gradscope::core::idxGzipSupported()) QSKIP("built without zlib");
    // A gzip file whose header claims 2^32 - 1 images: refused from the header alone.
    expectError(gzipStored(imagesFile(0xFFFFFFFF, 28, 28, kPixels)), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 4", "more than the 1024 MiB");
    // Fewer images than claimed (all within the limit): truncated where the data ends.
    expectError(gzipStored(imagesFile(5, 2, 2, kPixels)),
                gzipStored(labelsFile(5, kLabels + QByteArray(2, '\0'))),
                "images-idx3-ubyte: offset 28", "truncated");
    // More than claimed: the first extra byte is the offset at fault.
    expectError(gzipStored(imagesFile(3, 2, 2, kPixels + "zz")), labelsFile(3, kLabels),
                "images-idx3-ubyte: offset 28", "after the end");
  }

  void gzipCountMismatch() {
    if (!gradscope::core::idxGzipSupported()) QSKIP("built without zlib");
    expectError(gzipStored(imagesFile(3, 2, 2, kPixels)),
                gzipStored(labelsFile(2, kLabels.left(2))), "labels-idx1-ubyte: offset 4",
                "holds 2 labels but images-idx3-ubyte holds 3");
  }

  void cancelStopsTheLoad() {
    QByteArray pixels(3000 * 784, '\x10');
    const std::string images = write("cancel-images", imagesFile(3000, 28, 28, pixels));
    const std::string labels = write("cancel-labels", labelsFile(3000, QByteArray(3000, '\1')));
    try {
      loadIdx(images, labels, 0, [](double fraction) { return fraction < 0.5; });
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.reason(), std::string(gradscope::core::kLoadCancelled));
    }
  }

  void missingFile() {
    try {
      loadIdx(m_dir.filePath("no-such-images").toStdString(),
              write("labels", labelsFile(3, kLabels)));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("no-such-images"));
      QVERIFY(QString::fromStdString(e.reason()).contains("not found"));
    }
  }
};

QTEST_GUILESS_MAIN(TestIdxLoader)
#include "tst_idx_loader.moc"
