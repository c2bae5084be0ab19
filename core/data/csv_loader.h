// CSV loader: a table of numeric feature columns and one target column, read into a Dataset
// (one sample per row of the file).
//
// Accepted dialect (RFC 4180 plus what spreadsheets write): a delimiter (',', ';', tab or '|',
// detected from the first row unless given); fields in double quotes may contain the
// delimiter, line breaks and doubled quotes (""); LF or CRLF line ends; a UTF-8 byte-order mark;
// blank lines (ignored). The first row is a header of column names when any of its fields is
// not a number (unless CsvOptions::header says); without one, columns are named "column 1",
// "column 2", ... Numbers are read in the C locale ("1.5", never "1,5") whatever the user's
// locale; missing values are not supported.
//
// The target decides the task unless CsvOptions::task fixes it: any non-numeric label, or
// numeric labels that are all integers, give classes (2 -> Binary, more -> MultiClass);
// otherwise the target is a regression value. Class names are the labels, sorted (integers by
// value, strings by byte order), so the class indices never depend on row order.
//
// The file is read in chunks straight into the input matrix, which grows in place (realloc),
// so loading holds little more than the loaded values; every limit is checked as the rows
// arrive, before anything grows past it.
//
// Every problem is an Error whose field is "file:line" (or just "file" for whole-file problems)
// and whose reason names the column and what is wrong; text quoted from the file is shown with
// control bytes escaped (a NUL in a header never cuts a message short).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/data/load_progress.h"
#include "core/model/types.h"

namespace gradscope::core {

struct CsvOptions {
  std::string targetColumn;      // header name of the target; empty = the last column
  std::optional<TaskKind> task;  // empty = detect from the target column
  char delimiter = 0;            // 0 = detect from the first row
  std::optional<bool> header;    // empty = detect: a header holds some non-numeric field

  // Documented limits: a file beyond them is refused with an Error, never half-loaded.
  static constexpr Index kMaxColumns = 100'000;
  static constexpr Index kMaxRows = kMaxDatasetSamples;
  static constexpr Index kMaxValues = kMaxDatasetValues;
  static constexpr Index kMaxClasses = 1000;
  static constexpr Index kMaxRecordBytes = 64 * 1024 * 1024;  // one row of the file

  bool operator==(const CsvOptions&) const = default;
};

// What the Open-data dialog shows before loading: the detected dialect, the column names and
// the first rows as text, and the task the target column's first rows suggest.
struct CsvPreview {
  char delimiter = ',';
  bool header = true;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // up to maxRows data rows, as written
  Index targetIndex = 0;                       // the column CsvOptions::targetColumn names
  TaskKind suggestedTask = TaskKind::Regression;
  int suggestedClasses = 0;  // distinct labels among the previewed rows (0 for regression)
};

// Reads the file at `path`; errors name the file by its file name. `progress` (optional)
// hears the fraction of bytes read and may cancel.
Dataset loadCsv(const std::string& path, const CsvOptions& options = {},
                const LoadProgress& progress = {});

// Reads CSV text from `in`; `sourceName` is the file name used in error messages;
// `totalBytes` (0 = unknown) scales the progress reports.
Dataset parseCsv(std::istream& in, const std::string& sourceName, const CsvOptions& options = {},
                 const LoadProgress& progress = {}, Index totalBytes = 0);

// The header and the first `maxRows` rows, reading no further. Throws like parseCsv for a
// file that is broken within them.
CsvPreview previewCsv(std::istream& in, const std::string& sourceName,
                      const CsvOptions& options = {}, int maxRows = 20);
CsvPreview previewCsvFile(const std::string& path, const CsvOptions& options = {},
                          int maxRows = 20);

// The delimiter of a first row: the most frequent of ',', ';', tab and '|' outside quotes
// (',' when none occurs).
char detectDelimiter(std::string_view firstLine);

}  // namespace gradscope::core
