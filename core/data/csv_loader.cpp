// The CSV loader of csv_loader.h: a chunked record reader, then column checks and the
// conversion of the target column into regression values or class targets.
#include "core/data/csv_loader.h"

#include <algorithm>
#include <array>
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
// Text quoted from the file in a message is cut to this many bytes.
constexpr std::size_t kQuotedBytes = 60;
constexpr std::array<char, 4> kDelimiters = {',', ';', '\t', '|'};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Text from the file as a message may show it: control bytes (a NUL above all, which would
// end a C string) escaped as \xNN, long text cut.
std::string printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kQuotedBytes; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += static_cast<char>(byte);
    }
  }
  if (text.size() > kQuotedBytes) out += "...";
  return out;
}

// A finite number in the C locale. std::from_chars ignores the process locale, which the GUI
// sets from the user's environment (strtod would read "1.5" as 1 in a German locale). Short
// unsigned integers (pixel values, labels) take a fast path.
std::optional<double> parseNumber(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.size() <= 9) {
    std::uint32_t whole = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
      whole = whole * 10 + std::uint32_t(text[i] - '0');
    if (i == text.size()) return static_cast<double>(whole);
  }
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

// The stream in chunks, with progress reports and cancellation between chunks.
class ChunkedInput {
 public:
  ChunkedInput(std::istream& in, const std::string& source, const LoadProgress& progress,
               Index totalBytes)
      : m_buffer(in.rdbuf()),
        m_source(source),
        m_progress(progress),
        m_total(totalBytes),
        m_chunk(kLoadChunkBytes) {}

  // True when at least one byte is buffered (reading the next chunk if needed).
  bool fill() {
    if (m_pos != m_end) return true;
    if (m_buffer == nullptr || m_done) return false;
    if (m_progress &&
        !m_progress(m_total > 0 ? std::min(1.0, double(m_read) / double(m_total)) : 0.0))
      throw Error(m_source, kLoadCancelled);
    const std::streamsize got =
        m_buffer->sgetn(m_chunk.data(), static_cast<std::streamsize>(m_chunk.size()));
    if (got <= 0) {
      m_done = true;
      return false;
    }
    m_read += got;
    m_pos = m_chunk.data();
    m_end = m_pos + got;
    return true;
  }
  // The next byte, or -1 at the end.
  int peek() { return fill() ? static_cast<unsigned char>(*m_pos) : -1; }
  const char*& pos() { return m_pos; }
  const char* end() const { return m_end; }
  // What is buffered now (the start of the file right after the first fill()).
  std::string_view buffered() const { return {m_pos, static_cast<std::size_t>(m_end - m_pos)}; }

 private:
  std::streambuf* m_buffer;
  const std::string& m_source;
  LoadProgress m_progress;  // a copy: callers may pass a temporary
  Index m_total;
  Index m_read = 0;
  bool m_done = false;
  std::vector<char> m_chunk;
  const char* m_pos = nullptr;
  const char* m_end = nullptr;
};

// Splits the input into records (rows of fields), tracking line numbers across quoted line
// breaks. The field strings are reused from record to record, so a row costs no allocation.
class RecordReader {
 public:
  RecordReader(ChunkedInput& input, const std::string& source, char delimiter)
      : m_input(input), m_source(source), m_delimiter(delimiter) {}

  // Reads the next record; false at the end of the input.
  bool next() {
    m_count = 0;
    m_bytes = 0;
    m_recordLine = m_nextLine;
    if (!m_input.fill()) return false;
    for (;;) {
      std::string& field = newField();
      const int end = readField(field);
      if (end != m_delimiter) return true;  // a line end or the end of the input
    }
  }

  std::size_t size() const { return m_count; }
  const std::string& operator[](std::size_t i) const { return m_fields[i]; }
  std::vector<std::string> fields() const {
    return {m_fields.begin(), m_fields.begin() + static_cast<std::ptrdiff_t>(m_count)};
  }
  bool blank() const { return m_count == 1 && trim(m_fields[0]).empty(); }

  // The line on which the last record started (1-based).
  Index line() const { return m_recordLine; }
  std::string at(Index line) const { return m_source + ":" + std::to_string(line); }

 private:
  std::string& newField() {
    if (static_cast<Index>(m_count) >= CsvOptions::kMaxColumns)
      throw Error(at(m_recordLine), "more than " + std::to_string(CsvOptions::kMaxColumns) +
                                        " columns (the loader's limit)");
    if (m_count == m_fields.size()) m_fields.emplace_back();
    std::string& field = m_fields[m_count++];
    field.clear();
    return field;
  }

  void count(std::size_t bytes) {
    m_bytes += static_cast<Index>(bytes);
    if (m_bytes > CsvOptions::kMaxRecordBytes)
      throw Error(at(m_recordLine), "row is longer than " +
                                        std::to_string(CsvOptions::kMaxRecordBytes >> 20) +
                                        " MB; is this a CSV file?");
  }

  // Reads one field; returns what ended it: the delimiter, '\n' or -1 (end of input).
  int readField(std::string& field) {
    for (;;) {
      if (!m_input.fill()) return -1;
      const char*& pos = m_input.pos();
      const char* run = pos;
      while (pos != m_input.end() && *pos != m_delimiter && *pos != '\n' && *pos != '\r' &&
             *pos != '"')
        ++pos;
      count(static_cast<std::size_t>(pos - run));
      field.append(run, static_cast<std::size_t>(pos - run));
      if (pos == m_input.end()) continue;
      const char ch = *pos++;
      count(1);
      if (ch == m_delimiter) return ch;
      if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && m_input.peek() == '\n') ++m_input.pos();
        ++m_nextLine;
        return '\n';
      }
      // A quote opens a quoted field only at its start (after spaces); elsewhere it is text.
      if (!trim(field).empty()) {
        field += ch;
        continue;
      }
      field.clear();  // spaces before an opening quote are not part of the value
      readQuoted(field);
      return afterQuote();
    }
  }

  void readQuoted(std::string& field) {
    const Index quoteLine = m_nextLine;
    for (;;) {
      if (!m_input.fill()) throw Error(at(quoteLine), "a quoted field is never closed");
      const char*& pos = m_input.pos();
      const char* run = pos;
      while (pos != m_input.end() && *pos != '"') {
        if (*pos == '\n') ++m_nextLine;
        ++pos;
      }
      count(static_cast<std::size_t>(pos - run));
      field.append(run, static_cast<std::size_t>(pos - run));
      if (pos == m_input.end()) continue;
      ++pos;
      count(1);
      if (m_input.peek() != '"') return;  // the closing quote
      ++m_input.pos();                    // "" is an escaped quote
      count(1);
      field += '"';
    }
  }

  // After a closing quote only spaces may come before the delimiter or the line end.
  int afterQuote() {
    for (;;) {
      const int c = m_input.peek();
      if (c < 0) return -1;
      ++m_input.pos();
      count(1);
      if (c == m_delimiter) return c;
      if (c == '\n' || c == '\r') {
        if (c == '\r' && m_input.peek() == '\n') ++m_input.pos();
        ++m_nextLine;
        return '\n';
      }
      if (c != ' ' && c != '\t')
        throw Error(at(m_nextLine),
                    "field " + std::to_string(m_count) + ": unexpected text after a closing quote");
    }
  }

  ChunkedInput& m_input;
  const std::string& m_source;
  char m_delimiter;
  std::vector<std::string> m_fields;
  std::size_t m_count = 0;
  Index m_bytes = 0;
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
  return "column " + std::to_string(index + 1) + " '" + printable(header[index]) + "'";
}

std::string listColumns(const std::vector<std::string>& header) {
  std::string list;
  for (std::size_t i = 0; i < header.size() && i < kListedColumns; ++i)
    list += (i == 0 ? "" : ", ") + printable(header[i]);
  if (header.size() > kListedColumns) list += ", ...";
  return list;
}

void checkDelimiter(char delimiter) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r')
    throw Error("delimiter", "a quote or line break cannot separate fields");
}

// The header (or generated names) and the target's position, shared by the loader and the
// preview. Leaves `reader` on the header row, which is the first data row when the file has no
// header (Layout::header false).
struct Layout {
  char delimiter = ',';
  bool header = true;
  std::vector<std::string> columns;
  std::size_t targetIndex = 0;
  Index headerLine = 1;
};

// Skips a UTF-8 byte-order mark at the very start of the input.
void skipByteOrderMark(ChunkedInput& input) {
  if (input.fill() && input.buffered().starts_with(kByteOrderMark))
    input.pos() += kByteOrderMark.size();
}

char chooseDelimiter(ChunkedInput& input, const CsvOptions& options) {
  skipByteOrderMark(input);
  if (options.delimiter != 0) {
    checkDelimiter(options.delimiter);
    return options.delimiter;
  }
  std::string_view start = input.buffered();
  // The first line that is not blank.
  while (!start.empty()) {
    const auto end = start.find('\n');
    const std::string_view line = start.substr(0, end);
    if (!trim(line).empty() && trim(line) != "\r") return detectDelimiter(line);
    if (end == std::string_view::npos) break;
    start.remove_prefix(end + 1);
  }
  return ',';
}

Layout readLayout(RecordReader& reader, const std::string& sourceName, const CsvOptions& options,
                  char delimiter) {
  Layout layout;
  layout.delimiter = delimiter;
  do {
    if (!reader.next())
      throw Error(sourceName, "empty file: expected a header row of column names");
  } while (reader.blank());
  std::vector<std::string> first = reader.fields();
  for (auto& name : first) name = std::string(trim(name));
  layout.headerLine = reader.line();
  const std::size_t columns = first.size();
  if (columns < 2)
    throw Error(reader.at(layout.headerLine),
                "needs at least 2 columns (features and a target), found 1; is the delimiter '" +
                    printable(std::string(1, delimiter)) + "'?");
  const bool allNumbers = std::all_of(first.begin(), first.end(), [](const std::string& name) {
    return parseNumber(name).has_value();
  });
  layout.header = options.header.value_or(!allNumbers);
  if (layout.header && allNumbers)
    throw Error(reader.at(layout.headerLine),
                "the first row must be a header of column names, but it holds only numbers");
  if (layout.header) {
    layout.columns = std::move(first);
  } else {
    for (std::size_t c = 0; c < columns; ++c)
      layout.columns.push_back("column " + std::to_string(c + 1));
  }

  layout.targetIndex = columns - 1;
  if (!options.targetColumn.empty()) {
    const auto wanted = trim(options.targetColumn);
    const auto count = std::count(layout.columns.begin(), layout.columns.end(), wanted);
    if (count == 0)
      throw Error(reader.at(layout.headerLine),
                  "no column named '" + printable(wanted) +
                      "' for the target; columns are: " + listColumns(layout.columns));
    if (count > 1)
      throw Error(reader.at(layout.headerLine),
                  "the target name '" + printable(wanted) + "' names several columns");
    layout.targetIndex = static_cast<std::size_t>(
        std::find(layout.columns.begin(), layout.columns.end(), wanted) - layout.columns.begin());
  }
  return layout;
}

Index streamSize(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<Index>(size);
}

void openChecked(std::ifstream& in, const std::string& path, const std::string& name) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) throw Error(name, "file not found");
  if (std::filesystem::is_directory(status)) throw Error(name, "is a folder, not a file");
  in.open(path, std::ios::binary);
  if (!in) throw Error(name, std::string("cannot open: ") + std::strerror(errno));
}

}  // namespace

char detectDelimiter(std::string_view firstLine) {
  std::array<int, kDelimiters.size()> counts{};
  bool inQuotes = false;
  for (const char ch : firstLine) {
    if (ch == '"') inQuotes = !inQuotes;
    if (inQuotes) continue;
    for (std::size_t d = 0; d < kDelimiters.size(); ++d)
      if (ch == kDelimiters[d]) ++counts[d];
  }
  const auto best = std::max_element(counts.begin(), counts.end());
  return *best == 0 ? ',' : kDelimiters[static_cast<std::size_t>(best - counts.begin())];
}

Dataset parseCsv(std::istream& in, const std::string& sourceName, const CsvOptions& options,
                 const LoadProgress& progress, Index totalBytes) {
  ChunkedInput input(in, sourceName, progress, totalBytes);
  const char delimiter = chooseDelimiter(input, options);
  RecordReader reader(input, sourceName, delimiter);
  const Layout layout = readLayout(reader, sourceName, options, delimiter);
  const std::vector<std::string>& header = layout.columns;
  const std::size_t columns = header.size();
  const std::size_t targetIndex = layout.targetIndex;
  const Index features = static_cast<Index>(columns) - 1;

  // Data rows, straight into the input matrix (features x samples, column-major), which grows
  // by half its size with realloc: no second copy of the values ever exists.
  Dataset data;
  data.name = sourceName;
  Index capacity = 0;
  TargetColumn target;
  Index rows = 0;
  bool pending = !layout.header;  // the first row is data
  while (pending || reader.next()) {
    pending = false;
    if (reader.blank()) continue;
    const Index line = reader.line();
    if (reader.size() != columns)
      throw Error(reader.at(line), "expected " + std::to_string(columns) + " fields as in the " +
                                       (layout.header ? "header" : "first row") + ", found " +
                                       std::to_string(reader.size()));
    if (rows >= CsvOptions::kMaxRows)
      throw Error(reader.at(line), "more than " + std::to_string(CsvOptions::kMaxRows) +
                                       " data rows (the loader's limit)");
    if ((rows + 1) * features > CsvOptions::kMaxValues)
      throw Error(reader.at(line), "more than " + std::to_string(CsvOptions::kMaxValues) +
                                       " values (the loader's limit)");
    if (rows == capacity) {
      capacity = std::min(std::max<Index>(256, capacity + capacity / 2),
                          std::min(CsvOptions::kMaxRows, CsvOptions::kMaxValues / features));
      data.inputs.conservativeResize(features, capacity);
    }
    double* out = data.inputs.data() + rows * features;
    for (std::size_t c = 0; c < columns; ++c) {
      if (c == targetIndex) {
        if (trim(reader[c]).empty())
          throw Error(reader.at(line),
                      columnLabel(header, c) + ": empty target (missing values are not supported)");
        target.add(reader[c], line);
        continue;
      }
      const std::optional<double> number = parseNumber(reader[c]);
      if (!number) {
        const auto text = trim(reader[c]);
        throw Error(reader.at(line),
                    columnLabel(header, c) +
                        (text.empty() ? ": empty value (missing values are not supported)"
                                      : ": '" + printable(text) + "' is not a finite number"));
      }
      *out++ = *number;
    }
    ++rows;
  }
  if (rows == 0 && layout.header)
    throw Error(sourceName, "header only: no data rows after the column names");
  if (rows < 2)
    throw Error(sourceName, "needs at least 2 data rows, found " + std::to_string(rows));
  data.inputs.conservativeResize(features, rows);

  for (std::size_t c = 0; c < columns; ++c)
    if (c != targetIndex) data.featureNames.push_back(header[c]);

  const std::string targetName = columnLabel(header, targetIndex);
  const bool classify = options.task ? *options.task != TaskKind::Regression
                                     : !target.allNumeric || target.allIntegral;
  if (!classify) {
    if (!target.allNumeric)
      throw Error(reader.at(target.firstTextLine),
                  targetName + ": '" + printable(target.firstText) +
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
    throw Error(sourceName, targetName + ": every row has the label '" + printable(target.keys[0]) +
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

CsvPreview previewCsv(std::istream& in, const std::string& sourceName, const CsvOptions& options,
                      int maxRows) {
  ChunkedInput input(in, sourceName, {}, 0);
  const char delimiter = chooseDelimiter(input, options);
  RecordReader reader(input, sourceName, delimiter);
  const Layout layout = readLayout(reader, sourceName, options, delimiter);
  CsvPreview preview;
  preview.delimiter = delimiter;
  preview.header = layout.header;
  preview.columns = layout.columns;
  preview.targetIndex = static_cast<Index>(layout.targetIndex);
  bool pending = !layout.header;
  while (static_cast<int>(preview.rows.size()) < maxRows && (pending || reader.next())) {
    pending = false;
    if (reader.blank()) continue;
    if (reader.size() != layout.columns.size())
      throw Error(reader.at(reader.line()), "expected " + std::to_string(layout.columns.size()) +
                                                " fields, found " + std::to_string(reader.size()));
    preview.rows.push_back(reader.fields());
  }
  // The task the first rows suggest, by the loader's rule.
  TargetColumn target;
  for (const auto& row : preview.rows) target.add(row[layout.targetIndex], 0);
  const bool classify = !target.allNumeric || target.allIntegral;
  preview.suggestedClasses = classify ? static_cast<int>(target.keys.size()) : 0;
  preview.suggestedTask = !classify                       ? TaskKind::Regression
                          : preview.suggestedClasses <= 2 ? TaskKind::Binary
                                                          : TaskKind::MultiClass;
  return preview;
}

CsvPreview previewCsvFile(const std::string& path, const CsvOptions& options, int maxRows) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::ifstream in;
  openChecked(in, path, name);
  return previewCsv(in, name, options, maxRows);
}

Dataset loadCsv(const std::string& path, const CsvOptions& options, const LoadProgress& progress) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::ifstream in;
  openChecked(in, path, name);
  Dataset data = parseCsv(in, name, options, progress, streamSize(path));
  data.source = path;
  return data;
}

}  // namespace gradscope::core
