#include "json_fields.h"

#include <QByteArray>

#include <bit>
#include <cmath>
#include <cstring>

#include "core/types.h"

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

template <typename F>
QString base64Of(const F* values, std::int64_t count) {
  const QByteArray bytes(reinterpret_cast<const char*>(values), qsizetype(count * sizeof(F)));
  return QString::fromLatin1(bytes.toBase64());
}

}  // namespace

QJsonObject encodeArray(const double* values, std::int64_t count, ArrayPrecision precision) {
  QJsonObject json;
  if (precision == ArrayPrecision::Float64) {
    std::vector<double> canonical(values, values + count);
    for (double& x : canonical) {
      if (std::isnan(x)) x = std::numeric_limits<double>::quiet_NaN();
    }
    json.insert(QStringLiteral("f64"), base64Of(canonical.data(), count));
  } else {
    std::vector<float> floats(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
      floats[std::size_t(i)] =
          std::isnan(values[i]) ? std::numeric_limits<float>::quiet_NaN() : float(values[i]);
    }
    json.insert(QStringLiteral("f32"), base64Of(floats.data(), count));
  }
  return json;
}

QJsonObject encodeArray(const std::vector<double>& values, ArrayPrecision precision) {
  return encodeArray(values.data(), std::int64_t(values.size()), precision);
}

QJsonObject encodeFloatArray(const std::vector<float>& values) {
  std::vector<float> canonical = values;
  for (float& x : canonical) {
    if (std::isnan(x)) x = std::numeric_limits<float>::quiet_NaN();
  }
  QJsonObject json;
  json.insert(QStringLiteral("f32"), base64Of(canonical.data(), std::int64_t(canonical.size())));
  return json;
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
    const bool f32 = object.contains(QLatin1String("f32"));
    if (object.size() != 1 || (!f32 && !object.contains(QLatin1String("f64")))) {
      throw core::Error(field,
                        "expected a list of numbers, {\"f32\": base64} or {\"f64\": base64}");
    }
    const QJsonValue data = object.begin().value();
    const std::string at = field + (f32 ? ".f32" : ".f64");
    if (!data.isString()) wrongType(at, "a base64 string", data);
    const QString text = data.toString();
    const std::int64_t width = f32 ? 4 : 8;
    // Checked before decoding: a claim of a huge array costs nothing.
    const std::int64_t claimed = std::int64_t(text.size()) / 4 * 3 / width;
    if (claimed > limit + 1) {
      throw core::Error(
          at, "holds about " + std::to_string(claimed) + " values, expected " +
                  (count >= 0 ? std::to_string(count) : "at most " + std::to_string(limit)));
    }
    const auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) throw core::Error(at, "is not valid base64");
    const QByteArray& bytes = *decoded;
    if (bytes.size() % width != 0) {
      throw core::Error(at, "holds " + std::to_string(bytes.size()) +
                                " bytes, not a whole number of " + std::to_string(width) +
                                "-byte values");
    }
    const std::int64_t n = bytes.size() / width;
    if (n > limit) {
      throw core::Error(
          at, "has " + std::to_string(n) + " values, expected " +
                  (count >= 0 ? std::to_string(count) : "at most " + std::to_string(limit)));
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
    wrongType(field, "a list of numbers or {\"f32\"|\"f64\": base64}", value);
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
