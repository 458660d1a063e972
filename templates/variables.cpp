#include "templates/variables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/yaml.hpp"
#include "templates/schema.hpp"

namespace mctl::templates {

std::string Diagnostic::str() const {
  const std::string where = pos.str();
  return where.empty() ? message : where + ": " + message;
}

namespace {

std::string parent_pointer(const std::string& pointer) {
  const auto slash = pointer.rfind('/');
  return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

void deep_merge(nlohmann::json& base, const nlohmann::json& over) {
  if (!base.is_object() || !over.is_object()) {
    base = over;
    return;
  }
  for (const auto& [key, value] : over.items()) {
    if (base.contains(key)) deep_merge(base[key], value);
    else base[key] = value;
  }
}

std::vector<std::string> keys_of(const nlohmann::json& object) {
  std::vector<std::string> keys;
  if (object.is_object()) {
    for (const auto& item : object.items()) keys.push_back(item.key());
  }
  return keys;
}

}  // namespace

Position SourceMap::value(const std::string& pointer) const {
  for (std::string p = pointer;; p = parent_pointer(p)) {
    if (auto it = m_values.find(p); it != m_values.end()) return it->second;
    if (p.empty()) return {};
  }
}

Position SourceMap::key(const std::string& pointer) const {
  if (auto it = m_keys.find(pointer); it != m_keys.end()) return it->second;
  return value(pointer);
}

std::string pointer_append(const std::string& pointer, const std::string& token) {
  std::string out = pointer + "/";
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void Variables::merge(const nlohmann::json& object) { deep_merge(m_data, object); }

void Variables::set_path(const std::string& dotted, const nlohmann::json& value) {
  nlohmann::json* at = &m_data;
  for (const auto& part : core::split(dotted, '.')) {
    if (!at->is_object()) *at = nlohmann::json::object();
    at = &(*at)[part];
  }
  *at = value;
}

void Variables::set_lazy(const std::string& root, Provider provider, bool secret) {
  m_lazy[root] = Lazy{std::move(provider), secret, std::nullopt};
}

std::optional<Variables::Found> Variables::lookup(const std::vector<std::string>& path,
                                                  std::string* suggestion) {
  const nlohmann::json* at = nullptr;
  bool secret = false;
  const std::string& root = path.front();
  auto lazy = m_lazy.find(root);
  if (lazy != m_lazy.end() && (lazy->second.secret || !m_data.contains(root))) {
    if (!lazy->second.value) lazy->second.value = lazy->second.provider();
    at = &*lazy->second.value;
    secret = lazy->second.secret;
  } else if (m_data.contains(root)) {
    at = &m_data[root];
  } else {
    if (suggestion) {
      auto names = keys_of(m_data);
      for (const auto& [name, _] : m_lazy) names.push_back(name);
      *suggestion = core::did_you_mean(root, names).value_or("");
    }
    return std::nullopt;
  }
  for (std::size_t i = 1; i < path.size(); ++i) {
    const std::string& part = path[i];
    if (at->is_object() && at->contains(part)) {
      at = &(*at)[part];
    } else if (at->is_array() && !part.empty() && part.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(part) < at->size()) {
      at = &(*at)[std::stoul(part)];
    } else {
      if (suggestion) {
        auto close = core::did_you_mean(part, keys_of(*at));
        std::string prefix;
        for (std::size_t j = 0; j < i; ++j) prefix += path[j] + ".";
        *suggestion = close ? prefix + *close : "";
      }
      return std::nullopt;
    }
  }
  return Found{*at, secret};
}

namespace {

// One evaluated placeholder.
struct Value {
  std::optional<nlohmann::json> json;  // nullopt: undefined
  bool secret = false;
  std::string secret_name;
};

struct InputError {
  std::string message;
};

std::string base64(const std::string& in) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {k_alphabet[(n >> 18) & 63], k_alphabet[(n >> 12) & 63], k_alphabet[(n >> 6) & 63], k_alphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += {k_alphabet[(n >> 18) & 63], k_alphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {k_alphabet[(n >> 18) & 63], k_alphabet[(n >> 12) & 63], k_alphabet[(n >> 6) & 63], '='};
  }
  return out;
}

// The type of a value in YAML's words: a map, a list, a string, a boolean, null, a number.
std::string type_name(const nlohmann::json& v) {
  std::string type = json_type(v);
  if (type == "object") return "a map";
  if (type == "array") return "a list";
  if (type == "null") return type;
  return type == "integer" ? "a number" : "a " + type;
}

// The text of a value inside a larger string.
std::string as_text(const nlohmann::json& v, const std::string& expr) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  if (v.is_object() || v.is_array()) {
    throw InputError{fmt::format("'{}' is {}; use '| json' to put it inside a string", expr, type_name(v))};
  }
  return v.dump();
}

// Splits on `sep` outside quotes and parentheses.
std::vector<std::string> split_expression(const std::string& text, char sep) {
  std::vector<std::string> parts(1);
  char quote = 0;
  int depth = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == sep && depth == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  return parts;
}

nlohmann::json parse_literal(const std::string& text) {
  try {
    return core::yaml_to_json(core::parse_yaml(text, "literal"));
  } catch (const Error&) {
    throw InputError{fmt::format("invalid literal '{}'", text)};
  }
}

const std::vector<std::string> k_filters = {"default", "lower", "upper", "b64encode", "json"};

void apply_filter(Value& v, const std::string& filter_text, const std::string& subject) {
  std::string name = core::trim(filter_text);
  std::optional<std::string> arg;
  if (const auto open = name.find('('); open != std::string::npos) {
    if (name.back() != ')') throw InputError{fmt::format("missing ')' in filter '{}'", name)};
    arg = core::trim(name.substr(open + 1, name.size() - open - 2));
    name = core::trim(name.substr(0, open));
  }
  if (name == "default") {
    if (!arg || arg->empty()) throw InputError{"filter 'default' needs a value: default(...)"};
    if (!v.json || v.json->is_null()) v = Value{parse_literal(*arg), false, {}};
    return;
  }
  if (std::find(k_filters.begin(), k_filters.end(), name) == k_filters.end()) {
    throw InputError{fmt::format("unknown filter '{}'{}; filters are default, lower, upper, b64encode, json", name,
                                 core::suggestion_suffix(name, k_filters))};
  }
  if (arg) throw InputError{fmt::format("filter '{}' takes no argument", name)};
  if (!v.json) return;  // undefined: reported by the caller
  if (name == "json") {
    v.json = v.json->dump();
  } else if (name == "b64encode") {
    v.json = base64(as_text(*v.json, subject));
  } else {
    if (!v.json->is_string()) {
      throw InputError{fmt::format("filter '{}' needs a string, '{}' is {}", name, subject, type_name(*v.json))};
    }
    std::string s = v.json->get<std::string>();
    for (char& c : s) {
      c = static_cast<char>(name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                            : std::toupper(static_cast<unsigned char>(c)));
    }
    v.json = s;
  }
}

Value evaluate(const std::string& expression, Variables& variables) {
  const auto parts = split_expression(expression, '|');
  const std::string subject = core::trim(parts.front());
  Value v;
  std::optional<std::string> undefined;
  std::string suggestion;
  static const std::regex path_re(R"([A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)");
  if (!subject.empty() && (subject.front() == '\'' || subject.front() == '"')) {
    v.json = parse_literal(subject);
  } else if (std::regex_match(subject, path_re)) {
    auto found = variables.lookup(core::split(subject, '.'), &suggestion);
    if (found) {
      v.json = std::move(found->value);
      v.secret = found->secret;
      if (v.secret) v.secret_name = subject;
    } else {
      undefined = subject;
    }
  } else {
    throw InputError{fmt::format("invalid expression '{{{{ {} }}}}': expected a variable name such as 'app.name'",
                                 core::trim(expression))};
  }
  for (std::size_t i = 1; i < parts.size(); ++i) apply_filter(v, parts[i], subject);
  if (!v.json) {
    throw InputError{fmt::format("undefined {} '{}'{}", core::starts_with(subject, "secrets.") ? "secret" : "variable",
                                 *undefined, suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)")};
  }
  return v;
}

class Interpolator {
 public:
  Interpolator(Variables& variables, Interpolated& out) : m_vars(variables), m_out(out) {}

  nlohmann::json node(const SpecNode& n, const std::string& pointer) {
    m_out.where.add_value(pointer, n.pos);
    switch (n.kind) {
      case SpecNode::Kind::null:
        return nullptr;
      case SpecNode::Kind::scalar:
        return scalar(n, pointer);
      case SpecNode::Kind::sequence: {
        auto arr = nlohmann::json::array();
        for (std::size_t i = 0; i < n.items.size(); ++i) {
          arr.push_back(node(n.items[i], pointer_append(pointer, std::to_string(i))));
        }
        return arr;
      }
      case SpecNode::Kind::map: {
        auto obj = nlohmann::json::object();
        for (const auto& [key, value] : n.members) {
          const std::string child = pointer_append(pointer, key.first);
          m_out.where.add_key(child, key.second);
          obj[key.first] = node(value, child);
        }
        return obj;
      }
    }
    return nullptr;
  }

 private:
  nlohmann::json scalar(const SpecNode& n, const std::string& pointer) {
    if (n.tag == "!vault") {
      error(n.pos, "an encrypted !vault value cannot be used in an app spec; put it in the environment's "
                   "vault file and write {{ secrets.NAME }}");
      return nullptr;
    }
    if (!n.typed.is_string() || n.text.find("{{") == std::string::npos) return n.typed;
    const std::string& text = n.text;
    std::string joined;
    std::optional<nlohmann::json> whole;
    std::size_t at = 0;
    bool failed = false;
    while (at < text.size()) {
      const auto open = text.find("{{", at);
      if (open == std::string::npos) {
        joined += text.substr(at);
        break;
      }
      joined += text.substr(at, open - at);
      const auto close = find_close(text, open + 2);
      if (close == std::string::npos) {
        error(n.pos.find(text.substr(open)), "unclosed '{{' (a placeholder is written {{ name }})");
        return nullptr;
      }
      const std::string placeholder = text.substr(open, close + 2 - open);
      try {
        Value v = evaluate(text.substr(open + 2, close - open - 2), m_vars);
        if (v.secret) m_out.secret_values[pointer] = v.secret_name;
        if (open == 0 && close + 2 == text.size()) whole = *v.json;
        else joined += as_text(*v.json, core::trim(text.substr(open + 2, close - open - 2)));
      } catch (const InputError& e) {
        error(n.pos.find(placeholder), e.message);
        failed = true;
      } catch (const Error& e) {
        // Vault failures keep their exit code (wrong password is not bad input).
        throw Error(fmt::format("{}: {}", n.pos.find(placeholder).str(), e.what()), e.exit_code());
      }
      at = close + 2;
    }
    if (failed) return nullptr;
    if (whole) return *whole;
    return joined;
  }

  // The "}}" that ends a placeholder opened before `from`, skipping quoted strings.
  static std::size_t find_close(const std::string& text, std::size_t from) {
    char quote = 0;
    for (std::size_t i = from; i + 1 < text.size(); ++i) {
      if (quote) {
        if (text[i] == quote) quote = 0;
      } else if (text[i] == '\'' || text[i] == '"') {
        quote = text[i];
      } else if (text[i] == '}' && text[i + 1] == '}') {
        return i;
      }
    }
    return std::string::npos;
  }

  void error(const Position& pos, std::string message) { m_out.errors.push_back({pos, std::move(message)}); }

  Variables& m_vars;
  Interpolated& m_out;
};

}  // namespace

Interpolated interpolate(const SpecNode& spec, Variables& variables) {
  Interpolated out;
  Interpolator interpolator(variables, out);
  out.value = interpolator.node(spec, "");
  return out;
}

}  // namespace mctl::templates
