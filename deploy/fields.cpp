#include "deploy/fields.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace mctl::deploy {

std::string string_field(const json& value, const char* key) {
  if (!value.is_object()) return {};
  const auto it = value.find(key);
  return it != value.end() && it->is_string() ? core::printable(it->get_ref<const std::string&>()) : std::string();
}
namespace {

const char* kind(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "not JSON";
  }
}

}  // namespace

Fields::Fields(const json& value, std::string endpoint, std::string path)
    : m_value(&value), m_endpoint(std::move(endpoint)), m_path(std::move(path)) {}

void Fields::wrong(const std::string& where, const json& value, const char* expected) const {
  throw Error(fmt::format("{}: unexpected answer from Marathon: {} is {}, expected {}", m_endpoint,
                          where.empty() ? "the body" : where, kind(value), expected),
              Exit::remote);
}

void Fields::require_object() const {
  if (!m_value->is_object()) wrong(m_path, *m_value, "an object");
}

const json* Fields::find(const char* key) const {
  require_object();
  auto it = m_value->find(key);
  return it == m_value->end() || it->is_null() ? nullptr : &*it;
}

bool Fields::has(const char* key) const { return m_value->is_object() && find(key) != nullptr; }

std::string Fields::str(const char* key, const std::string& fallback) const {
  const json* v = find(key);
  if (!v) return fallback;
  if (!v->is_string()) wrong(at(key), *v, "a string");
  return core::printable(v->get_ref<const std::string&>());
}

double Fields::number(const char* key, double fallback) const {
  const json* v = find(key);
  if (!v) return fallback;
  if (!v->is_number()) wrong(at(key), *v, "a number");
  const double d = v->get<double>();
  return std::isfinite(d) ? d : fallback;
}

int Fields::integer(const char* key, int fallback) const {
  const double d = number(key, fallback);
  constexpr double lo = std::numeric_limits<int>::min();
  constexpr double hi = std::numeric_limits<int>::max();
  return static_cast<int>(d < lo ? lo : d > hi ? hi : d);
}

bool Fields::boolean(const char* key, bool fallback) const {
  const json* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) wrong(at(key), *v, "true or false");
  return v->get<bool>();
}

std::optional<Fields> Fields::object(const char* key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) wrong(at(key), *v, "an object");
  return Fields(*v, m_endpoint, at(key));
}

std::vector<Fields> Fields::array(const char* key) const {
  const json* v = find(key);
  if (!v) return {};
  return Fields(*v, m_endpoint, at(key)).items();
}

std::vector<Fields> Fields::items() const {
  if (!m_value->is_array()) wrong(m_path, *m_value, "an array");
  std::vector<Fields> out;
  out.reserve(m_value->size());
  for (std::size_t i = 0; i < m_value->size(); ++i) out.emplace_back((*m_value)[i], m_endpoint, fmt::format("{}/{}", m_path, i));
  return out;
}

std::vector<std::string> Fields::strings(const char* key) const {
  std::vector<std::string> out;
  for (const auto& item : array(key)) {
    if (!item.raw().is_string()) item.wrong(item.m_path, item.raw(), "a string");
    out.push_back(item.raw().get<std::string>());
  }
  return out;
}

}  // namespace mctl::deploy
