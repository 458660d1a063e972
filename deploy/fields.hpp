#pragma once
// Typed access to the fields of a Marathon answer, used by every parser of Marathon bodies
// (client, follower, event stream). A missing or null field gives the default; a field of
// another type is one clear error naming the endpoint and the field (Exit::remote), never a
// json::type_error escaping from deep inside a worker. Every string read here comes back
// printable (core::printable: control characters but newline and tab as "\xNN"): a task's
// failure message or a health check's cause is another program's text, and it must not reach a
// terminal as escape sequences, whichever command prints it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mctl::deploy {

using nlohmann::json;

// The string at `key` of `value`, "" when `value` is not an object or the field is missing or not
// a string. For bodies read leniently on purpose (event-stream wake-ups, report text), where a
// field of another type must not fail anything; Fields is the strict reader.
std::string string_field(const json& value, const char* key);

class Fields {
 public:
  // `endpoint`: where the body came from ("GET /v2/apps/web"); `path`: this value's place in
  // the body ("/app/tasks/2"), "" for the whole body.
  Fields(const json& value, std::string endpoint, std::string path = "");

  const json& raw() const { return *m_value; }
  const std::string& endpoint() const { return m_endpoint; }
  bool is_object() const { return m_value->is_object(); }
  bool has(const char* key) const;  // present and not null

  std::string str(const char* key, const std::string& fallback = "") const;
  int integer(const char* key, int fallback = 0) const;  // clamped to int
  double number(const char* key, double fallback = 0) const;
  bool boolean(const char* key, bool fallback) const;
  std::optional<Fields> object(const char* key) const;  // nullopt when missing or null
  std::vector<Fields> array(const char* key) const;     // empty when missing or null
  std::vector<std::string> strings(const char* key) const;
  // This value as an array / object (a body that must be one).
  std::vector<Fields> items() const;
  void require_object() const;

  [[noreturn]] void wrong(const std::string& where, const json& value, const char* expected) const;

 private:
  const json* find(const char* key) const;
  std::string at(const char* key) const { return m_path + "/" + key; }
  const json* m_value;
  std::string m_endpoint;
  std::string m_path;
};

}  // namespace mctl::deploy
