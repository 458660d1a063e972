#pragma once
// {{ placeholders }} inside string values of a spec: variables, a few filters, and the
// source positions of everything produced, so later errors still point at the YAML.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "templates/spec.hpp"

namespace mctl::templates {

// A problem in the user's input, at a source position.
struct Diagnostic {
  Position pos;
  std::string message;
  std::string str() const;  // "file:line:col: message"
};

// Where each value (and each map key) of a rendered document came from, by JSON pointer.
class SourceMap {
 public:
  void add_value(const std::string& pointer, const Position& pos) { m_values[pointer] = pos; }
  void add_key(const std::string& pointer, const Position& pos) { m_keys[pointer] = pos; }
  // The position of the value at `pointer`, or of its nearest ancestor that has one.
  Position value(const std::string& pointer) const;
  // The position of the key naming `pointer` (falls back to value()).
  Position key(const std::string& pointer) const;

 private:
  std::map<std::string, Position> m_values;
  std::map<std::string, Position> m_keys;
};

// "/a/b~1c" from {"a", "b/c"}.
std::string pointer_append(const std::string& pointer, const std::string& token);

// The variables a spec can use. Roots are looked up in this order: values given with set()
// (later merges win), then lazy providers (called at most once, only when used).
class Variables {
 public:
  using Provider = std::function<nlohmann::json()>;

  // Deep-merges an object of variables over the current ones (maps merge, others replace).
  void merge(const nlohmann::json& object);
  // Sets one dotted path ("a.b") to a value.
  void set_path(const std::string& dotted, const nlohmann::json& value);
  // A root computed on first use (git, image, secrets). Provider errors propagate.
  void set_lazy(const std::string& root, Provider provider, bool secret = false);

  struct Found {
    nlohmann::json value;
    bool secret = false;
  };
  // The value at a dotted path (split), or nullopt when undefined. `suggestion` receives a
  // plausible name when undefined.
  std::optional<Found> lookup(const std::vector<std::string>& path, std::string* suggestion);

 private:
  struct Lazy {
    Provider provider;
    bool secret = false;
    std::optional<nlohmann::json> value;
  };
  nlohmann::json m_data = nlohmann::json::object();
  std::map<std::string, Lazy> m_lazy;
};

struct Interpolated {
  nlohmann::json value;
  SourceMap where;
  // JSON pointer -> the secret variable it holds (e.g. "secrets.db_password").
  std::map<std::string, std::string> secret_values;
  std::vector<Diagnostic> errors;
};

// Replaces every {{ expression }} in the string values of `spec`. A value that is exactly one
// placeholder takes the expression's type; otherwise the results are joined into a string.
// Expressions: a dotted variable name or a quoted string, followed by filters
// `| default(literal)`, `| lower`, `| upper`, `| b64encode`, `| json`. Input problems are
// collected in `errors` (with positions); provider failures (vault) throw.
Interpolated interpolate(const SpecNode& spec, Variables& variables);

}  // namespace mctl::templates
