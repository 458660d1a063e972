#include "templates/spec_schema.hpp"

#include "core/json.hpp"
#include "templates/schema.hpp"

namespace mctl::templates {
namespace {
using nlohmann::json;

const json& placeholder() {
  static const json p = {
      {"type", "string"},
      {"pattern", "\\{\\{"},
      {"description", "A {{ variable }}, replaced by mctl render (templates/SPEC.md)."}};
  return p;
}

// A value a placeholder string does not already satisfy: typed, or a constrained string.
bool constrained(const json& node) {
  if (!node.is_object()) return false;
  if (node.contains("type") && node["type"] != "string") return true;
  for (const char* k :
       {"$ref", "enum", "pattern", "format", "minLength", "maxLength", "oneOf", "anyOf", "allOf"}) {
    if (node.contains(k)) return true;
  }
  return false;
}

enum class Place { root, member, item };

json relax(const json& node, Place place);

json relax_map(const json& map, Place place) {
  json out = json::object();
  for (const auto& [key, value] : map.items()) out[key] = relax(value, place);
  return out;
}

// The children of a schema node, relaxed; the node itself unchanged.
json relax_children(const json& node) {
  json out = node;
  if (node.contains("properties")) out["properties"] = relax_map(node["properties"], Place::member);
  if (node.contains("patternProperties")) {
    out["patternProperties"] = relax_map(node["patternProperties"], Place::member);
  }
  if (node.contains("additionalProperties") && node["additionalProperties"].is_object()) {
    out["additionalProperties"] = relax(node["additionalProperties"], Place::member);
  }
  if (node.contains("items")) {
    if (node["items"].is_array()) {
      for (auto& item : out["items"]) item = relax(item, Place::item);
    } else {
      out["items"] = relax(node["items"], Place::item);
    }
  }
  if (node.contains("definitions"))
    out["definitions"] = relax_map(node["definitions"], Place::root);
  if (node.contains("oneOf")) {
    out["anyOf"] = node["oneOf"];
    out.erase("oneOf");
  }
  for (const char* k : {"anyOf", "allOf"}) {
    if (out.contains(k)) {
      for (auto& branch : out[k]) branch = relax(branch, Place::root);
    }
  }
  return out;  // "not" stays as written: relaxing inside it would forbid more
}

json relax(const json& node, Place place) {
  if (!node.is_object()) return node;
  json inner = relax_children(node);
  if (place == Place::root) return inner;
  json alternatives = json::array();
  if (constrained(node)) alternatives.push_back(placeholder());
  if (place == Place::member) alternatives.push_back({{"type", "null"}});
  if (alternatives.empty()) return inner;
  json wrapped = {{"anyOf", json::array({inner})}};
  for (auto& a : alternatives) wrapped["anyOf"].push_back(std::move(a));
  if (node.contains("description")) wrapped["description"] = node["description"];
  return wrapped;
}

json build() {
  json s =
      relax(core::parse_json(app_definition_schema_text(), "the embedded AppDefinition schema"),
            Place::root);
  s["$schema"] = "http://json-schema.org/draft-07/schema#";
  s["title"] = "mctl app spec";
  s["description"] =
      "An app spec of mctl (apps/NAME.yaml, or an overlay apps/NAME.ENV.yaml): a Marathon app "
      "definition in YAML with {{ variables }}, the image: shorthand and per-environment overlays.";
  s.erase("required");  // id defaults to /NAME; an overlay holds only what it changes
  s["properties"]["image"] = {
      {"anyOf", json::array({{{"type", "string"}, {"minLength", 1}}, {{"type", "null"}}})},
      {"description",
       "NAME[:TAG]: becomes container.docker.image; a name without a registry host gets the "
       "project's registry, one without a tag the git commit tag."}};
  s["properties"]["environments"] = {
      {"type", "object"},
      {"description",
       "Overlays by environment name, deep-merged over this spec for that environment."},
      {"additionalProperties", {{"anyOf", json::array({{{"$ref", "#"}}, {{"type", "null"}}})}}}};
  return s;
}

}  // namespace

const json& spec_schema() {
  static const json schema = build();
  return schema;
}

}  // namespace mctl::templates
