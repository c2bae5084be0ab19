// IDX loader: the image and label files of MNIST and Fashion-MNIST (LeCun et al. 1998,
// http://yann.lecun.com/exdb/mnist/; Xiao et al. 2017), read into a MultiClass Dataset.
//
// Format (all integers big-endian):
//   images: magic 0x00000803 (unsigned bytes, 3 dimensions), count, rows, columns, then
//           count * rows * columns pixels, row by row;
//   labels: magic 0x00000801 (unsigned bytes, 1 dimension), count, then count labels.
// Files compressed with gzip (the form in which the data sets are distributed, "*.gz") are
// recognised by their content and decompressed when the engine is built with zlib (see
// idxGzipSupported()).
//
// Both files are streamed: the headers are read and checked first (magic, dimensions, equal
// counts, the size the header promises against the loader's limits and, for a plain file, its
// real size), and only then are the pixels decompressed chunk by chunk straight into the
// input matrix. A lying header or a gzip bomb is refused before anything grows past the
// limits; a truncated or over-long file is refused at the byte where it departs from its
// header. Every Error's field names the file and the byte offset at fault, e.g.
// "train-images-idx3-ubyte: offset 16".
#pragma once

#include <string>
#include <string_view>

#include "core/data/dataset.h"
#include "core/data/load_progress.h"
#include "core/model/types.h"

namespace gradscope::core {

// Documented limits of the loader.
inline constexpr Index kIdxMaxFileBytes = Index(1) << 30;  // 1 GiB, after decompression
inline constexpr Index kIdxMaxImagePixels = 1 << 20;       // rows x columns of one image
inline constexpr Index kIdxMaxValues = kMaxDatasetValues;  // samples x pixels

// Images become inputs (rows * columns features, pixel / 255 in [0, 1]); labels become one-hot
// targets over max(minClasses, largest label + 1) classes named "0", "1", ... . `maxSamples` > 0
// keeps only the first maxSamples images (the rest is still checked); 0 keeps all.
Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath, Index maxSamples = 0,
                const LoadProgress& progress = {}, int minClasses = 10);

// The same from the files' bytes in memory (each plain or gzip-compressed); the names are
// used in messages. For fuzzing and for data compiled into the application.
Dataset parseIdx(std::string_view images, const std::string& imagesName, std::string_view labels,
                 const std::string& labelsName, Index maxSamples = 0, int minClasses = 10);

// True when gzip-compressed IDX files can be read (the engine was built with zlib).
bool idxGzipSupported();

}  // namespace gradscope::core
