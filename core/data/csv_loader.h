// CSV loader: a table with a header row, numeric feature columns and one target column, read
// into a Dataset (one sample per row of the file).
//
// Accepted dialect (RFC 4180 plus what spreadsheets write): a chosen delimiter; fields in
// double quotes may contain the delimiter, line breaks and doubled quotes (""); LF or CRLF line
// ends; a UTF-8 byte-order mark; blank lines (ignored). Numbers are read in the C locale ("1.5",
// never "1,5") whatever the user's locale; missing values are not supported.
//
// The target decides the task unless CsvOptions::task fixes it: any non-numeric label, or
// numeric labels that are all integers, give classes (2 -> Binary, more -> MultiClass);
// otherwise the target is a regression value. Class names are the labels, sorted (integers by
// value, strings by byte order), so the class indices never depend on row order.
//
// Every problem is an Error whose field is "file:line" (or just "file" for whole-file problems)
// and whose reason names the column and what is wrong.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "core/data/dataset.h"
#include "core/model/types.h"

namespace gradscope::core {

struct CsvOptions {
  std::string targetColumn;      // header name of the target; empty = the last column
  std::optional<TaskKind> task;  // empty = detect from the target column
  char delimiter = ',';

  // Documented limits: a file beyond them is refused with an Error, never half-loaded.
  static constexpr Index kMaxColumns = 100'000;
  static constexpr Index kMaxRows = 10'000'000;
  static constexpr Index kMaxValues = 100'000'000;  // rows x columns: 800 MB of doubles
  static constexpr Index kMaxClasses = 1000;
  static constexpr Index kMaxRecordBytes = 64 * 1024 * 1024;  // one row of the file

  bool operator==(const CsvOptions&) const = default;
};

// Reads the file at `path`; errors name the file by its file name.
Dataset loadCsv(const std::string& path, const CsvOptions& options = {});

// Reads CSV text from `in`; `sourceName` is the file name used in error messages.
Dataset parseCsv(std::istream& in, const std::string& sourceName, const CsvOptions& options = {});

}  // namespace gradscope::core
