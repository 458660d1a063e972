#include "templates/schema.hpp"

#include <fmt/format.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "templates/variables.hpp"

namespace mctl::templates {
namespace {

const nlohmann::json& schema_json() {
  static const nlohmann::json doc = core::parse_json(app_definition_schema_text(), "the embedded AppDefinition schema");
  return doc;
}

const valijson::Schema& compiled_schema() {
  static const std::unique_ptr<valijson::Schema> schema = [] {
    auto s = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema_json());
    parser.populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}

// Follows a local "$ref" ("#/definitions/x").
const nlohmann::json& resolve(const nlohmann::json& node) {
  if (node.is_object() && node.contains("$ref")) {
    return schema_json().at(nlohmann::json::json_pointer(node["$ref"].get<std::string>().substr(1)));
  }
  return node;
}

// The schema's few patterns, compiled once per thread.
const std::regex& cached_regex(const std::string& pattern) {
  thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern)).first;
  return it->second;
}

// The subschema that applies to member `key` of an object schema (nullptr: any).
const nlohmann::json* member_schema(const nlohmann::json& schema, const std::string& key) {
  if (schema.contains("properties") && schema["properties"].contains(key)) return &resolve(schema["properties"][key]);
  if (schema.contains("patternProperties")) {
    for (const auto& [pattern, sub] : schema["patternProperties"].items()) {
      if (pattern == ".*" || std::regex_search(key, cached_regex(pattern))) return &resolve(sub);
    }
  }
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
    return &resolve(schema["additionalProperties"]);
  }
  return nullptr;
}

const nlohmann::json* item_schema(const nlohmann::json& schema, std::size_t index) {
  if (!schema.contains("items")) return nullptr;
  const auto& items = schema["items"];
  if (items.is_array()) return index < items.size() ? &resolve(items[index]) : nullptr;
  return &resolve(items);
}

void field_paths(const nlohmann::json& schema, const std::string& path, std::map<std::string, std::string>& out) {
  if (!schema.is_object()) return;
  if (schema.contains("properties")) {
    for (const auto& [key, sub] : schema["properties"].items()) {
      out.emplace(key, path);
      std::string child = path;
      if (!child.empty()) child += '.';
      child += key;
      field_paths(resolve(sub), child, out);
    }
  }
  if (schema.contains("items") && schema["items"].is_object()) field_paths(resolve(schema["items"]), path + "[]", out);
}

// " (it is a field of X)" when `key` is a known field at another place of the app definition.
std::string known_elsewhere(const std::string& key) {
  static const std::map<std::string, std::string> paths = [] {
    std::map<std::string, std::string> m;
    field_paths(schema_json(), "", m);
    return m;
  }();
  auto it = paths.find(key);
  if (it == paths.end()) return {};
  return it->second.empty() ? " ('" + key + "' is a field of the app itself)"
                            : " ('" + key + "' is a field of " + it->second + ")";
}

bool closed(const nlohmann::json& schema) {
  return schema.contains("additionalProperties") && schema["additionalProperties"] == false;
}

void unknown_fields(const nlohmann::json& value, const nlohmann::json& schema, const std::string& pointer,
                    std::vector<Problem>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      const std::string child_pointer = pointer_append(pointer, key);
      const nlohmann::json* sub = member_schema(schema, key);
      if (!sub && closed(schema)) {
        std::vector<std::string> names;
        if (schema.contains("properties")) {
          for (const auto& p : schema["properties"].items()) names.push_back(p.key());
        }
        const std::string where = pointer.empty() ? "" : " in " + dotted(pointer);
        const std::string suggestion = core::suggestion_suffix(key, names);
        if (!suggestion.empty()) {
          out.push_back({child_pointer, fmt::format("unknown field '{}'{}{}", key, where, suggestion), true});
        } else {
          out.push_back({child_pointer, fmt::format("unknown field '{}'{}: Marathon ignores it{}", key, where,
                                                    known_elsewhere(key)),
                         true, true});
        }
      } else if (sub) {
        unknown_fields(child, *sub, child_pointer, out);
      }
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (const auto* sub = item_schema(schema, i)) {
        unknown_fields(value[i], *sub, pointer_append(pointer, std::to_string(i)), out);
      }
    }
  }
}

// The schema at a pointer (nullptr when the schema does not describe it).
const nlohmann::json* schema_at(const std::string& pointer) {
  const nlohmann::json* at = &schema_json();
  if (pointer.empty()) return at;
  for (const auto& token : core::split(pointer.substr(1), '/')) {
    if (!at) return nullptr;
    if (at->contains("items") && !token.empty() && std::isdigit(static_cast<unsigned char>(token[0]))) {
      at = item_schema(*at, std::stoul(token));
    } else {
      std::string key;  // unescape ~1 and ~0
      for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) key += token[++i] == '1' ? '/' : '~';
        else key += token[i];
      }
      at = member_schema(*at, key);
    }
  }
  return at;
}

void collect_types(const nlohmann::json& schema, std::vector<std::string>& types) {
  const auto& s = resolve(schema);
  if (s.contains("type")) {
    if (s["type"].is_array()) {
      for (const auto& t : s["type"]) types.push_back(t.get<std::string>());
    } else {
      types.push_back(s["type"].get<std::string>());
    }
  }
  for (const char* k : {"oneOf", "anyOf"}) {
    if (s.contains(k)) {
      for (const auto& branch : s[k]) collect_types(branch, types);
    }
  }
}

std::string join(const std::vector<std::string>& items, const std::string& last_sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += i + 1 == items.size() ? last_sep : ", ";
    out += items[i];
  }
  return out;
}

bool generic(const std::string& d) {
  return core::starts_with(d, "Failed to validate item #") ||
         core::starts_with(d, "Failed to validate against schema associated") ||
         core::starts_with(d, "Failed to validate against additional properties") ||
         core::starts_with(d, "Object contains a property that could not be validated") ||
         core::starts_with(d, "Target should not validate") || core::starts_with(d, "Cannot validate item #");
}

std::string number(const nlohmann::json& v) { return v.dump(); }

// A readable message for the problems valijson found at one value.
std::string describe(const std::string& pointer, const nlohmann::json& value,
                     const std::vector<std::string>& descriptions, bool& quote_hint) {
  const std::string name = pointer.empty() ? "the app definition" : "'" + dotted(pointer) + "'";
  const nlohmann::json* schema = schema_at(pointer);
  if (schema) {
    std::vector<std::string> types;
    collect_types(*schema, types);
    std::string type = json_type(value);
    const bool type_ok = types.empty() || std::any_of(types.begin(), types.end(), [&](const std::string& t) {
      return t == type || (t == "number" && type == "integer");
    });
    if (!type_ok) {
      std::sort(types.begin(), types.end());
      types.erase(std::unique(types.begin(), types.end()), types.end());
      quote_hint = value.is_number() &&
                   std::find(types.begin(), types.end(), "string") != types.end();
      for (auto& t : types) t = t == "object" ? "map" : t == "array" ? "list" : t;
      if (type == "object" || type == "array") type = type == "object" ? "map" : "list";
      return fmt::format("{} must be {}, not {}", name, join(types, " or "), type);
    }
    if (schema->contains("enum") && std::find((*schema)["enum"].begin(), (*schema)["enum"].end(), value) ==
                                        (*schema)["enum"].end()) {
      std::vector<std::string> options;
      for (const auto& e : (*schema)["enum"]) options.push_back(e.is_string() ? e.get<std::string>() : e.dump());
      const std::string got = value.is_string() ? value.get<std::string>() : value.dump();
      return fmt::format("{} must be one of {}, not '{}'{}", name, join(options, " or "), got,
                         core::suggestion_suffix(got, options));
    }
    if (value.is_number()) {
      const double v = value.get<double>();
      if (schema->contains("minimum") && v < (*schema)["minimum"].get<double>()) {
        return fmt::format("{} must be at least {}, not {}", name, number((*schema)["minimum"]), value.dump());
      }
      if (schema->contains("maximum") && v > (*schema)["maximum"].get<double>()) {
        return fmt::format("{} must be at most {}, not {}", name, number((*schema)["maximum"]), value.dump());
      }
    }
    if (value.is_string() && schema->contains("pattern") &&
        !std::regex_search(value.get<std::string>(), cached_regex((*schema)["pattern"].get<std::string>()))) {
      return fmt::format("{} '{}' does not match the required format {}", name, value.get<std::string>(),
                         (*schema)["pattern"].get<std::string>());
    }
  }
  for (const auto& d : descriptions) {
    if (core::starts_with(d, "Missing required property")) {
      const auto quote = d.find('\'');
      const std::string field = d.substr(quote + 1, d.rfind('\'') - quote - 1);
      return pointer.empty() ? fmt::format("missing required field '{}'", field)
                             : fmt::format("missing required field '{}' in {}", field, dotted(pointer));
    }
  }
  std::string text = descriptions.front();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return fmt::format("{}: {}", name, text);
}

}  // namespace

std::string dotted(const std::string& pointer) {
  std::string out;
  for (const auto& token : core::split(pointer.empty() ? pointer : pointer.substr(1), '/')) {
    if (!token.empty() && token.find_first_not_of("0123456789") == std::string::npos) {
      out += "[" + token + "]";
    } else {
      if (!out.empty()) out += ".";
      std::string key;
      for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) key += token[++i] == '1' ? '/' : '~';
        else key += token[i];
      }
      out += key;
    }
  }
  return out;
}

std::vector<Problem> check_schema(const nlohmann::json& app) {
  std::vector<Problem> problems;
  unknown_fields(app, schema_json(), "", problems);

  thread_local valijson::Validator validator;  // keeps its compiled patterns between apps
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(app);
  validator.validate(compiled_schema(), target, &results);

  // Keep the deepest problems: a parent's "failed to validate item #0" repeats its child's.
  std::map<std::string, std::vector<std::string>> by_pointer;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (generic(error.description)) continue;
    std::string pointer;
    for (std::size_t i = 1; i < error.context.size(); ++i) {
      const std::string& c = error.context[i];
      pointer = pointer_append(pointer, c.size() >= 2 && c.front() == '[' ? c.substr(1, c.size() - 2) : c);
    }
    by_pointer[pointer].push_back(error.description);
  }
  for (const auto& [pointer, descriptions] : by_pointer) {
    // An ancestor's failure (e.g. a oneOf over the whole object) is explained by its children.
    const auto next = by_pointer.lower_bound(pointer + "/");
    if (next != by_pointer.end() && core::starts_with(next->first, pointer + "/")) continue;
    const nlohmann::json::json_pointer jp(pointer);
    if (!app.contains(jp)) continue;
    Problem p{pointer, "", false, false, false};
    p.message = describe(pointer, app.at(jp), descriptions, p.quote_hint);
    problems.push_back(std::move(p));
  }
  return problems;
}

std::string json_type(const nlohmann::json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_null()) return "null";
  if (v.is_number_integer()) return "integer";
  return "number";
}

}  // namespace mctl::templates
