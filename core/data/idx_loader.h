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
// The header is checked against the real size of the data before anything is allocated for it,
// so a corrupt header claiming 10^9 images is an Error, not an allocation. Every Error's field
// names the file and the byte offset at fault, e.g. "train-images-idx3-ubyte: offset 16".
#pragma once

#include <string>

#include "core/data/dataset.h"
#include "core/model/types.h"

namespace gradscope::core {

// Documented limits of the loader.
inline constexpr Index kIdxMaxFileBytes = Index(1) << 30;  // 1 GiB, after decompression
inline constexpr Index kIdxMaxImagePixels = 1 << 20;       // rows x columns of one image
inline constexpr Index kIdxMaxValues = 100'000'000;        // samples x pixels: 800 MB of doubles

// Images become inputs (rows * columns features, pixel / 255 in [0, 1]); labels become one-hot
// targets over max(10, largest label + 1) classes named "0", "1", ... . `maxSamples` > 0 keeps
// only the first maxSamples images (a quick lecture run on part of MNIST); 0 keeps all.
Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath, Index maxSamples = 0);

// True when gzip-compressed IDX files can be read (the engine was built with zlib).
bool idxGzipSupported();

}  // namespace gradscope::core
