// The CSV and IDX loaders as fuzz targets, for the libFuzzer executables and the corpus
// replay test. Each reads arbitrary bytes; every refusal must be a core::Error.
#pragma once

#include <cstddef>
#include <cstdint>

// The first byte picks the CSV options (delimiter detected or given, header detected or
// forced, task detected or forced, target by name); the rest is the file.
int fuzzCsvLoader(const std::uint8_t* data, std::size_t size);

// The first byte picks maxSamples, the next two (little-endian) the length of the images
// file; the images file and the labels file follow (each plain or gzip).
int fuzzIdxLoader(const std::uint8_t* data, std::size_t size);
