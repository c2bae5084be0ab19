// The CSV loader of csv_loader.h: a streaming record reader, then column checks and the
// conversion of the target column into regression values or class targets.
#include "core/data/csv_loader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gradscope::core {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// Column names listed in a "no such column" message, so a wide file gives a short message.
constexpr std::size_t kListedColumns = 10;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// A finite number in the C locale. std::from_chars ignores the process locale, which the GUI
// sets from the user's environment (strtod would read "1.5" as 1 in a German locale).
std::optional<double> parseNumber(std::string_view text) {
  text = trim(text);
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value == 0.0 ? 0.0 : value;  // one class for "0" and "-0"
}

// The shortest text that reads back as `value`: the key of a numeric label ("1", "1.0" and
// "01" are one class).
std::string canonicalNumber(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

bool isBlank(const std::vector<std::string>& fields) {
  return fields.size() == 1 && trim(fields[0]).empty();
}

// Splits the input into records (rows of fields), tracking line numbers across quoted line
// breaks. Reads the stream buffer directly: a character at a time through the istream
// interface would be several times slower on the large files a lecturer may load.
class RecordReader {
 public:
  RecordReader(std::istream& in, const std::string& source, char delimiter)
      : m_buffer(in.rdbuf()), m_source(source), m_delimiter(delimiter) {}

  // Reads the next record into `fields`; false at the end of the input.
  bool next(std::vector<std::string>& fields) {
    fields.clear();
    m_recordLine = m_nextLine;
    if (m_buffer == nullptr) return false;
    std::string field;
    Index bytes = 0;
    bool inQuotes = false;
    bool closedQuote = false;  // the current field was quoted and its quote is closed
    Index quoteLine = 0;
    int c = m_buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) return false;
    for (;; c = m_buffer->sbumpc()) {
      if (c == std::char_traits<char>::eof()) {
        if (inQuotes) throw Error(at(quoteLine), "a quoted field is never closed");
        push(fields, field);
        return true;
      }
      if (++bytes > CsvOptions::kMaxRecordBytes)
        throw Error(at(m_recordLine), "row is longer than " +
                                          std::to_string(CsvOptions::kMaxRecordBytes >> 20) +
                                          " MB; is this a CSV file?");
      const char ch = static_cast<char>(c);
      if (inQuotes) {
        if (ch != '"') {
          if (ch == '\n') ++m_nextLine;
          field += ch;
        } else if (m_buffer->sgetc() == '"') {  // "" is an escaped quote
          m_buffer->sbumpc();
          field += '"';
        } else {
          inQuotes = false;
          closedQuote = true;
        }
      } else if (ch == m_delimiter) {
        push(fields, field);
        closedQuote = false;
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && m_buffer->sgetc() == '\n') m_buffer->sbumpc();
        ++m_nextLine;
        push(fields, field);
        return true;
      } else if (closedQuote) {
        if (ch != ' ' && ch != '\t')
          throw Error(at(m_nextLine), "field " + std::to_string(fields.size() + 1) +
                                          ": unexpected text after a closing quote");
      } else if (ch == '"' && trim(field).empty()) {
        inQuotes = true;
        quoteLine = m_nextLine;
        field.clear();  // spaces before an opening quote are not part of the value
      } else {
        field += ch;
      }
    }
  }

  // The line on which the last record started (1-based).
  Index line() const { return m_recordLine; }
  std::string at(Index line) const { return m_source + ":" + std::to_string(line); }

 private:
  void push(std::vector<std::string>& fields, std::string& field) {
    if (static_cast<Index>(fields.size()) >= CsvOptions::kMaxColumns)
      throw Error(at(m_recordLine), "more than " + std::to_string(CsvOptions::kMaxColumns) +
                                        " columns (the loader's limit)");
    fields.push_back(std::move(field));
    field.clear();
  }

  std::streambuf* m_buffer;
  const std::string& m_source;
  char m_delimiter;
  Index m_recordLine = 1;
  Index m_nextLine = 1;
};

// The target column as it is read: numeric values and label identities side by side, since
// the task may only be known after the last row.
struct TargetColumn {
  std::vector<double> values;  // NaN where the label is not a number
  std::vector<int> ids;        // per row: index into keys, -1 after the class limit
  std::vector<std::string> keys;
  std::vector<double> keyValues;  // numeric value of each key (NaN for text)
  std::unordered_map<std::string, int> idOf;
  bool allNumeric = true;
  bool allIntegral = true;
  Index firstTextLine = 0;
  std::string firstText;
  Index overflowLine = 0;  // where the (kMaxClasses + 1)-th distinct label appeared

  void add(std::string_view text, Index line) {
    const std::optional<double> number = parseNumber(text);
    values.push_back(number.value_or(std::nan("")));
    if (!number && allNumeric) {
      allNumeric = false;
      firstTextLine = line;
      firstText = std::string(text);
    }
    if (number && std::floor(*number) != *number) allIntegral = false;
    std::string key = number ? canonicalNumber(*number) : std::string(trim(text));
    const auto found = idOf.find(key);
    if (found != idOf.end()) {
      ids.push_back(found->second);
      return;
    }
    if (static_cast<Index>(keys.size()) >= CsvOptions::kMaxClasses) {
      // Keep reading (the column may turn out to be a regression target) but stop growing.
      if (overflowLine == 0) overflowLine = line;
      ids.push_back(-1);
      return;
    }
    const int id = static_cast<int>(keys.size());
    idOf.emplace(key, id);
    keys.push_back(std::move(key));
    keyValues.push_back(number.value_or(std::nan("")));
    ids.push_back(id);
  }
};

std::string columnLabel(const std::vector<std::string>& header, std::size_t index) {
  return "column " + std::to_string(index + 1) + " '" + header[index] + "'";
}

std::string listColumns(const std::vector<std::string>& header) {
  std::string list;
  for (std::size_t i = 0; i < header.size() && i < kListedColumns; ++i)
    list += (i == 0 ? "" : ", ") + header[i];
  if (header.size() > kListedColumns) list += ", ...";
  return list;
}

}  // namespace

Dataset parseCsv(std::istream& in, const std::string& sourceName, const CsvOptions& options) {
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r')
    throw Error("delimiter", "a quote or line break cannot separate fields");
  RecordReader reader(in, sourceName, options.delimiter);

  // Header row.
  std::vector<std::string> header;
  do {
    if (!reader.next(header))
      throw Error(sourceName, "empty file: expected a header row of column names");
  } while (isBlank(header));
  if (header[0].starts_with(kByteOrderMark)) header[0].erase(0, kByteOrderMark.size());
  for (auto& name : header) name = std::string(trim(name));
  const Index headerLine = reader.line();
  const std::size_t columns = header.size();
  if (columns < 2)
    throw Error(reader.at(headerLine),
                "needs at least 2 columns (features and a target), found 1; is the delimiter '" +
                    std::string(1, options.delimiter) + "'?");
  if (std::all_of(header.begin(), header.end(),
                  [](const std::string& name) { return parseNumber(name).has_value(); }))
    throw Error(reader.at(headerLine),
                "the first row must be a header of column names, but it holds only numbers");

  std::size_t targetIndex = columns - 1;
  if (!options.targetColumn.empty()) {
    const auto wanted = trim(options.targetColumn);
    const auto count = std::count(header.begin(), header.end(), wanted);
    if (count == 0)
      throw Error(reader.at(headerLine),
                  "no column named '" + std::string(wanted) +
                      "' for the target; columns are: " + listColumns(header));
    if (count > 1)
      throw Error(reader.at(headerLine),
                  "the target name '" + std::string(wanted) + "' names several columns");
    targetIndex =
        static_cast<std::size_t>(std::find(header.begin(), header.end(), wanted) - header.begin());
  }
  const Index features = static_cast<Index>(columns) - 1;

  // Data rows.
  std::vector<double> values;  // sample after sample: the column-major features x samples
  TargetColumn target;
  std::vector<std::string> fields;
  Index rows = 0;
  while (reader.next(fields)) {
    if (isBlank(fields)) continue;
    const Index line = reader.line();
    if (fields.size() != columns)
      throw Error(reader.at(line), "expected " + std::to_string(columns) +
                                       " fields as in the header, found " +
                                       std::to_string(fields.size()));
    if (rows >= CsvOptions::kMaxRows)
      throw Error(reader.at(line), "more than " + std::to_string(CsvOptions::kMaxRows) +
                                       " rows (the loader's limit)");
    if ((rows + 1) * static_cast<Index>(columns) > CsvOptions::kMaxValues)
      throw Error(reader.at(line), "more than " + std::to_string(CsvOptions::kMaxValues) +
                                       " values (the loader's limit)");
    for (std::size_t c = 0; c < columns; ++c) {
      if (c == targetIndex) {
        if (trim(fields[c]).empty())
          throw Error(reader.at(line),
                      columnLabel(header, c) + ": empty target (missing values are not supported)");
        target.add(fields[c], line);
        continue;
      }
      const std::optional<double> number = parseNumber(fields[c]);
      if (!number) {
        const auto text = trim(fields[c]);
        throw Error(reader.at(line),
                    columnLabel(header, c) +
                        (text.empty() ? ": empty value (missing values are not supported)"
                                      : ": '" + std::string(text) + "' is not a number"));
      }
      values.push_back(*number);
    }
    ++rows;
  }
  if (rows < 2)
    throw Error(sourceName, "needs at least 2 data rows, found " + std::to_string(rows));

  Dataset data;
  data.inputs = Eigen::Map<const Eigen::MatrixXd>(values.data(), features, rows);
  std::vector<double>().swap(values);  // release before the targets are built
  for (std::size_t c = 0; c < columns; ++c)
    if (c != targetIndex) data.featureNames.push_back(header[c]);

  const std::string targetName = columnLabel(header, targetIndex);
  const bool classify = options.task ? *options.task != TaskKind::Regression
                                     : !target.allNumeric || target.allIntegral;
  if (!classify) {
    if (!target.allNumeric)
      throw Error(reader.at(target.firstTextLine),
                  targetName + ": '" + target.firstText +
                      "' is not a number, and a regression target must be");
    data.task = TaskKind::Regression;
    data.targets = Eigen::Map<const Eigen::MatrixXd>(target.values.data(), 1, rows);
    return data;
  }

  if (target.overflowLine != 0)
    throw Error(reader.at(target.overflowLine),
                targetName + ": more than " + std::to_string(CsvOptions::kMaxClasses) +
                    " distinct labels (classes)" +
                    (target.allNumeric ? "; if the target is a quantity, choose regression" : ""));
  const int classes = static_cast<int>(target.keys.size());
  if (classes < 2)
    throw Error(sourceName, targetName + ": every row has the label '" + target.keys[0] +
                                "'; classification needs at least 2 classes");
  if (options.task == TaskKind::Binary && classes != 2)
    throw Error(sourceName, targetName + ": a binary task needs exactly 2 classes, found " +
                                std::to_string(classes));

  // Class index = rank of the label, so row order never changes the class numbering.
  std::vector<int> order(static_cast<std::size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return target.allNumeric ? target.keyValues[a] < target.keyValues[b]
                             : target.keys[a] < target.keys[b];
  });
  std::vector<int> rankOf(static_cast<std::size_t>(classes));
  for (int rank = 0; rank < classes; ++rank) {
    rankOf[static_cast<std::size_t>(order[rank])] = rank;
    data.classNames.push_back(target.keys[static_cast<std::size_t>(order[rank])]);
  }

  const bool binary = classes == 2 && options.task != TaskKind::MultiClass;
  data.task = binary ? TaskKind::Binary : TaskKind::MultiClass;
  data.targets = Eigen::MatrixXd::Zero(binary ? 1 : classes, rows);
  for (Index i = 0; i < rows; ++i) {
    const int rank = rankOf[static_cast<std::size_t>(target.ids[static_cast<std::size_t>(i)])];
    if (binary)
      data.targets(0, i) = rank;
    else
      data.targets(rank, i) = 1.0;
  }
  return data;
}

Dataset loadCsv(const std::string& path, const CsvOptions& options) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw Error(name, "file not found");
  if (std::filesystem::is_directory(status)) throw Error(name, "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(name, std::string("cannot open: ") + std::strerror(errno));
  return parseCsv(in, name, options);
}

}  // namespace gradscope::core
