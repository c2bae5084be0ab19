// Reading JSON that people may have written by hand, with an error that names the field:
// JsonFields wraps one object and its path ("runs[0].state"), and each getter checks the
// type, the range and, for arrays of numbers, the length, throwing core::Error(path.key,
// reason) on the first problem. Missing fields give the caller's default.
//
// Arrays of numbers are written compactly as {"f32": base64} or {"f64": base64} (IEEE 754,
// little-endian) or, when zlib makes them smaller, {"f32z": base64} / {"f64z": base64} (qCompress
// of the values' byte planes: see docs/session_format.md); and read in those forms or as a plain
// JSON list of numbers.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace gradscope::app {

// The most values one array in a session may claim (a 1.2 GB float32 array).
inline constexpr std::int64_t kMaxArrayValues = 300'000'000;

enum class ArrayPrecision { Float32, Float64 };

// {"f32"|"f64": base64} or the compressed {"f32z"|"f64z": base64} of the values. NaN is written as
// one canonical quiet NaN, so that equal histories give equal bytes.
QJsonObject encodeArray(const std::vector<double>& values, ArrayPrecision precision);
QJsonObject encodeArray(const double* values, std::int64_t count, ArrayPrecision precision);
QJsonObject encodeFloatArray(const std::vector<float>& values);

class JsonFields {
 public:
  JsonFields(const QJsonObject& object, std::string path);
  // The field "key" of `value` as an object (Error if it is not one).
  static JsonFields of(const QJsonValue& value, const std::string& path);

  const std::string& path() const { return m_path; }
  std::string field(const QString& key) const;
  bool has(const char* key) const { return m_object.contains(QLatin1String(key)); }
  QJsonValue value(const char* key) const { return m_object.value(QLatin1String(key)); }

  // Error naming the first field that is not in `known` (a typo in a hand-written file).
  void rejectUnknown(std::initializer_list<const char*> known) const;
  void rejectUnknown(const QStringList& known) const;

  bool boolean(const char* key, bool fallback) const;
  double number(const char* key, double fallback, double min = -std::numeric_limits<double>::max(),
                double max = std::numeric_limits<double>::max()) const;
  std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;
  QString string(const char* key, const QString& fallback = {}) const;
  std::optional<JsonFields> object(const char* key) const;
  std::optional<QJsonArray> array(const char* key, std::int64_t maxSize) const;
  // Numbers in any of the accepted forms; `count`: the exact length required (-1: any up to
  // kMaxArrayValues). Non-finite values are refused unless allowNonFinite.
  std::optional<std::vector<double>> numbers(const char* key, std::int64_t count = -1,
                                             bool allowNonFinite = false) const;

 private:
  QJsonObject m_object;
  std::string m_path;
};

// How many values an array of numbers claims, read without decoding it (of a compressed array
// only its 4-byte length header): what the loader compares with the declared shape before
// anything is built. -1 when the value is not in an array form; readNumbers() says why.
std::int64_t claimedArrayLength(const QJsonValue& value);

// The same for a value that is not in an object (an array element).
std::vector<double> readNumbers(const QJsonValue& value, const std::string& field,
                                std::int64_t count = -1, bool allowNonFinite = false);

}  // namespace gradscope::app
