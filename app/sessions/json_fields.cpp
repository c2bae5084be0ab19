#include "app/sessions/json_fields.h"

#include <QByteArray>

#include <bit>
#include <cmath>
#include <cstring>

#include "core/model/types.h"

namespace gradscope::app {

namespace {

static_assert(std::endian::native == std::endian::little,
              "session arrays are little-endian; add byte swapping for this platform");

std::string typeName(const QJsonValue& value) {
  switch (value.type()) {
    case QJsonValue::Null:
      return "null";
    case QJsonValue::Bool:
      return "true/false";
    case QJsonValue::Double:
      return "a number";
    case QJsonValue::String:
      return "a string";
    case QJsonValue::Array:
      return "a list";
    case QJsonValue::Object:
      return "an object";
    case QJsonValue::Undefined:
      return "nothing";
  }
  return "something else";
}

[[noreturn]] void wrongType(const std::string& field, const char* expected,
                            const QJsonValue& value) {
  throw core::Error(field, std::string("expected ") + expected + ", got " + typeName(value));
}

// Arrays of at least this many bytes are compressed when that makes them smaller.
constexpr qsizetype kCompressFromBytes = 64;
// Deflate cannot expand data more than about 1032 times: a larger claim is not a real stream.
constexpr std::int64_t kMaxDeflateRatio = 1032;

// Byte planes: the first bytes of every value, then the second bytes, and so on. The sign and
// exponent bytes of neighbouring values are alike, so zlib finds runs it would not find in
// the values' own byte order.
QByteArray toPlanes(const QByteArray& bytes, int width) {
  const qsizetype n = bytes.size() / width;
  QByteArray planes(bytes.size(), Qt::Uninitialized);
  const char* in = bytes.constData();
  char* out = planes.data();
  for (qsizetype i = 0; i < n; ++i) {
    for (int b = 0; b < width; ++b) out[b * n + i] = in[i * width + b];
  }
  return planes;
}

QByteArray fromPlanes(const QByteArray& planes, int width) {
  const qsizetype n = planes.size() / width;
  QByteArray bytes(planes.size(), Qt::Uninitialized);
  const char* in = planes.constData();
  char* out = bytes.data();
  for (qsizetype i = 0; i < n; ++i) {
    for (int b = 0; b < width; ++b) out[i * width + b] = in[b * n + i];
  }
  return bytes;
}

// {"f32": base64} / {"f64": base64} of the raw little-endian values, or — when it is smaller —
// {"f32z": base64} / {"f64z": base64} of qCompress (a 4-byte big-endian length, then zlib) of
// the values' byte planes.
template <typename F>
QJsonObject encodeValues(const F* values, std::int64_t count) {
  constexpr int width = int(sizeof(F));
  const QString tag = width == 4 ? QStringLiteral("f32") : QStringLiteral("f64");
  const QByteArray bytes(reinterpret_cast<const char*>(values), qsizetype(count * width));
  QJsonObject json;
  if (bytes.size() >= kCompressFromBytes) {
    const QByteArray packed = qCompress(toPlanes(bytes, width));
    if (packed.size() < bytes.size()) {
      json.insert(tag + QLatin1Char('z'), QString::fromLatin1(packed.toBase64()));
      return json;
    }
  }
  json.insert(tag, QString::fromLatin1(bytes.toBase64()));
  return json;
}

}  // namespace

QJsonObject encodeArray(const double* values, std::int64_t count, ArrayPrecision precision) {
  if (precision == ArrayPrecision::Float64) {
    std::vector<double> canonical(values, values + count);
    for (double& x : canonical) {
      if (std::isnan(x)) x = std::numeric_limits<double>::quiet_NaN();
    }
    return encodeValues(canonical.data(), count);
  }
  {
    std::vector<float> floats(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
      floats[std::size_t(i)] =
          std::isnan(values[i]) ? std::numeric_limits<float>::quiet_NaN() : float(values[i]);
    }
    return encodeValues(floats.data(), count);
  }
}

QJsonObject encodeArray(const std::vector<double>& values, ArrayPrecision precision) {
  return encodeArray(values.data(), std::int64_t(values.size()), precision);
}

QJsonObject encodeFloatArray(const std::vector<float>& values) {
  std::vector<float> canonical = values;
  for (float& x : canonical) {
    if (std::isnan(x)) x = std::numeric_limits<float>::quiet_NaN();
  }
  return encodeValues(canonical.data(), std::int64_t(canonical.size()));
}

std::int64_t claimedArrayLength(const QJsonValue& value) {
  if (value.isArray()) return value.toArray().size();
  if (!value.isObject() || value.toObject().size() != 1) return -1;
  const QJsonObject object = value.toObject();
  const QString tag = object.begin().key();
  const QJsonValue data = object.begin().value();
  if (!data.isString()) return -1;
  const std::int64_t width = tag.startsWith(QLatin1String("f32")) ? 4 : 8;
  const QString text = data.toString();
  if (tag == QLatin1String("f32") || tag == QLatin1String("f64")) {
    if (text.size() % 4 != 0) return -1;
    for (const QChar c : text) {
      const bool base64 = c.isLetterOrNumber() || c == QLatin1Char('+') || c == QLatin1Char('/') ||
                          c == QLatin1Char('=');
      if (!base64 || c.unicode() > 127) return -1;  // readNumbers() says what is wrong
    }
    const std::int64_t padding = text.endsWith(QLatin1String("==")) ? 2
                                 : text.endsWith(QLatin1Char('='))  ? 1
                                                                    : 0;
    return (std::int64_t(text.size()) / 4 * 3 - padding) / width;
  }
  if (tag == QLatin1String("f32z") || tag == QLatin1String("f64z")) {
    // The first 8 base64 characters hold 6 bytes, the first 4 of them qCompress's length.
    const auto head = QByteArray::fromBase64Encoding(text.left(8).toLatin1(),
                                                     QByteArray::AbortOnBase64DecodingErrors);
    if (!head || head.decoded.size() < 4) return -1;
    const auto* b = reinterpret_cast<const unsigned char*>(head.decoded.constData());
    const std::int64_t length = (std::int64_t(b[0]) << 24) | (std::int64_t(b[1]) << 16) |
                                (std::int64_t(b[2]) << 8) | std::int64_t(b[3]);
    return length / width;
  }
  return -1;
}

std::vector<double> readNumbers(const QJsonValue& value, const std::string& field,
                                std::int64_t count, bool allowNonFinite) {
  const std::int64_t limit = count >= 0 ? count : kMaxArrayValues;
  std::vector<double> result;
  if (value.isArray()) {
    const QJsonArray list = value.toArray();
    if (list.size() > limit) {
      throw core::Error(
          field, "has " + std::to_string(list.size()) + " values, expected " +
                     (count >= 0 ? std::to_string(count) : "at most " + std::to_string(limit)));
    }
    result.reserve(std::size_t(list.size()));
    for (qsizetype i = 0; i < list.size(); ++i) {
      if (!list[i].isDouble()) {
        wrongType(field + "[" + std::to_string(i) + "]", "a number", list[i]);
      }
      result.push_back(list[i].toDouble());
    }
  } else if (value.isObject()) {
    const QJsonObject object = value.toObject();
    const QString tag = object.size() == 1 ? object.begin().key() : QString();
    const bool f32 = tag.startsWith(QLatin1String("f32"));
    const bool compressed = tag.endsWith(QLatin1Char('z'));
    if (tag != QLatin1String("f32") && tag != QLatin1String("f64") &&
        tag != QLatin1String("f32z") && tag != QLatin1String("f64z")) {
      throw core::Error(field,
                        "expected a list of numbers or {\"f32\"|\"f64\"|\"f32z\"|\"f64z\": "
                        "base64}");
    }
    const QJsonValue data = object.begin().value();
    const std::string at = field + "." + tag.toStdString();
    if (!data.isString()) wrongType(at, "a base64 string", data);
    const QString text = data.toString();
    const std::int64_t width = f32 ? 4 : 8;
    const std::string expected =
        count >= 0 ? std::to_string(count) : "at most " + std::to_string(limit);
    // Checked before decoding: a claim of a huge array costs nothing.
    const std::int64_t claimed = std::int64_t(text.size()) / 4 * 3 / width;
    if (!compressed && claimed > limit + 1) {
      throw core::Error(at,
                        "holds about " + std::to_string(claimed) + " values, expected " + expected);
    }
    const auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) throw core::Error(at, "is not valid base64");
    QByteArray bytes = *decoded;
    if (compressed) {
      // qCompress's 4-byte big-endian length comes first: checked before anything is inflated.
      if (bytes.size() < 4) throw core::Error(at, "is not valid compressed data");
      const auto* head = reinterpret_cast<const unsigned char*>(bytes.constData());
      const std::int64_t length = (std::int64_t(head[0]) << 24) | (std::int64_t(head[1]) << 16) |
                                  (std::int64_t(head[2]) << 8) | std::int64_t(head[3]);
      if (length % width != 0) {
        throw core::Error(at, "claims " + std::to_string(length) +
                                  " bytes, not a whole number of " + std::to_string(width) +
                                  "-byte values");
      }
      if (length / width > limit || (count >= 0 && length / width != count)) {
        throw core::Error(
            at, "has " + std::to_string(length / width) + " values, expected " + expected);
      }
      if (length > (std::int64_t(bytes.size()) + 64) * kMaxDeflateRatio) {
        throw core::Error(at, "claims " + std::to_string(length) + " bytes from " +
                                  std::to_string(bytes.size()) +
                                  " compressed ones, more than zlib can hold");
      }
      const QByteArray planes = qUncompress(bytes);
      if (planes.size() != length) throw core::Error(at, "is not valid compressed data");
      bytes = fromPlanes(planes, int(width));
    }
    if (bytes.size() % width != 0) {
      throw core::Error(at, "holds " + std::to_string(bytes.size()) +
                                " bytes, not a whole number of " + std::to_string(width) +
                                "-byte values");
    }
    const std::int64_t n = bytes.size() / width;
    if (n > limit) {
      throw core::Error(at, "has " + std::to_string(n) + " values, expected " + expected);
    }
    result.resize(std::size_t(n));
    for (std::int64_t i = 0; i < n; ++i) {
      if (f32) {
        float x;
        std::memcpy(&x, bytes.constData() + i * 4, 4);
        result[std::size_t(i)] = x;
      } else {
        std::memcpy(&result[std::size_t(i)], bytes.constData() + i * 8, 8);
      }
    }
  } else {
    wrongType(field, "a list of numbers or {\"f32\"|\"f64\"|\"f32z\"|\"f64z\": base64}", value);
  }
  if (count >= 0 && std::int64_t(result.size()) != count) {
    throw core::Error(field, "has " + std::to_string(result.size()) + " values, expected " +
                                 std::to_string(count));
  }
  if (!allowNonFinite) {
    for (std::size_t i = 0; i < result.size(); ++i) {
      if (!std::isfinite(result[i])) {
        throw core::Error(field, "value " + std::to_string(i) + " is not a finite number");
      }
    }
  }
  return result;
}

JsonFields::JsonFields(const QJsonObject& object, std::string path)
    : m_object(object), m_path(std::move(path)) {}

JsonFields JsonFields::of(const QJsonValue& value, const std::string& path) {
  if (!value.isObject()) wrongType(path, "an object", value);
  return JsonFields(value.toObject(), path);
}

std::string JsonFields::field(const QString& key) const {
  return m_path.empty() ? key.toStdString() : m_path + "." + key.toStdString();
}

void JsonFields::rejectUnknown(std::initializer_list<const char*> known) const {
  for (auto it = m_object.begin(); it != m_object.end(); ++it) {
    bool found = false;
    for (const char* k : known) found = found || it.key() == QLatin1String(k);
    if (!found) throw core::Error(field(it.key()), "unknown field");
  }
}

void JsonFields::rejectUnknown(const QStringList& known) const {
  for (auto it = m_object.begin(); it != m_object.end(); ++it) {
    if (!known.contains(it.key())) throw core::Error(field(it.key()), "unknown field");
  }
}

bool JsonFields::boolean(const char* key, bool fallback) const {
  if (!has(key)) return fallback;
  const QJsonValue v = value(key);
  if (!v.isBool()) wrongType(field(QLatin1String(key)), "true or false", v);
  return v.toBool();
}

double JsonFields::number(const char* key, double fallback, double min, double max) const {
  if (!has(key)) return fallback;
  const QJsonValue v = value(key);
  if (!v.isDouble()) wrongType(field(QLatin1String(key)), "a number", v);
  const double x = v.toDouble();
  if (!(x >= min && x <= max)) {
    throw core::Error(field(QLatin1String(key)),
                      "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return x;
}

std::int64_t JsonFields::integer(const char* key, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) const {
  if (!has(key)) return fallback;
  const QJsonValue v = value(key);
  const std::string at = field(QLatin1String(key));
  if (!v.isDouble()) wrongType(at, "a whole number", v);
  const double x = v.toDouble();
  // Beyond 2^53 a JSON number is not exact; no counter of a session gets there.
  if (std::floor(x) != x || std::abs(x) > 9.0e15) throw core::Error(at, "expected a whole number");
  const std::int64_t n = v.toInteger(std::int64_t(x));
  if (n < min || n > max) {
    throw core::Error(at, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return n;
}

QString JsonFields::string(const char* key, const QString& fallback) const {
  if (!has(key)) return fallback;
  const QJsonValue v = value(key);
  if (!v.isString()) wrongType(field(QLatin1String(key)), "a string", v);
  return v.toString();
}

std::optional<JsonFields> JsonFields::object(const char* key) const {
  if (!has(key)) return std::nullopt;
  return of(value(key), field(QLatin1String(key)));
}

std::optional<QJsonArray> JsonFields::array(const char* key, std::int64_t maxSize) const {
  if (!has(key)) return std::nullopt;
  const QJsonValue v = value(key);
  if (!v.isArray()) wrongType(field(QLatin1String(key)), "a list", v);
  const QJsonArray list = v.toArray();
  if (list.size() > maxSize) {
    throw core::Error(field(QLatin1String(key)), "has " + std::to_string(list.size()) +
                                                     " entries, at most " +
                                                     std::to_string(maxSize) + " are allowed");
  }
  return list;
}

std::optional<std::vector<double>> JsonFields::numbers(const char* key, std::int64_t count,
                                                       bool allowNonFinite) const {
  if (!has(key)) return std::nullopt;
  return readNumbers(value(key), field(QLatin1String(key)), count, allowNonFinite);
}

}  // namespace gradscope::app
