#pragma once
// The one YAML loader of mctl (app specs, overlays, mctl.yaml, inline-vault files, --set values,
// spec literals) and helpers for typed conversion to JSON and positions.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace mctl::core {

// Bounds every YAML input must stay within (documented in templates/SPEC.md). A real spec or
// mctl.yaml is a few hundred nodes, a few levels deep and a few KiB; these stop alias bombs
// ("billion laughs") and runaway nesting before anything expands them.
struct YamlLimits {
  std::size_t max_bytes = 16u << 20;  // 16 MiB of text
  std::size_t max_nodes = 100'000;    // scalars, lists and maps, with every alias expanded
  std::size_t max_depth = 64;         // nesting of lists and maps
};

// Parses YAML text and checks it before anyone reads it: valid UTF-8, within `limits`, no
// duplicate key in any map. Every problem is Error(Exit::usage) "file:line:col: why" (a
// duplicate key names both positions).
YAML::Node parse_yaml(const std::string& text, const std::string& file,
                      const YamlLimits& limits = {});

// Converts a YAML node to JSON. Plain scalars are typed by the YAML 1.2 core schema
// (null, true/false, integers, floats); quoted scalars stay strings.
nlohmann::json yaml_to_json(const YAML::Node& node);

// The typed JSON value of the text of a plain scalar (YAML 1.2 core schema).
nlohmann::json plain_scalar_to_json(const std::string& s);

// The typed JSON value of one plain or quoted scalar.
nlohmann::json yaml_scalar_to_json(const YAML::Node& node);

// "file:line:col" (1-based) of a node.
std::string yaml_position(const std::string& file, const YAML::Node& node);

// 1-based "line:col" of a byte offset in `text` (columns count bytes).
std::string line_col(std::string_view text, std::size_t offset);

}  // namespace mctl::core
