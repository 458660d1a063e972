#pragma once
// YAML helpers shared by config, templates and vault: typed conversion to JSON and positions.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

namespace mctl::core {

// Converts a YAML node to JSON. Plain scalars are typed by the YAML 1.2 core schema
// (null, true/false, integers, floats); quoted scalars stay strings.
nlohmann::json yaml_to_json(const YAML::Node& node);

// The typed JSON value of one plain or quoted scalar.
nlohmann::json yaml_scalar_to_json(const YAML::Node& node);

// "file:line:col" (1-based) of a node.
std::string yaml_position(const std::string& file, const YAML::Node& node);

// Parses YAML text; a syntax error becomes Error(Exit::usage) "file:line:col: why".
YAML::Node parse_yaml(const std::string& text, const std::string& file);

}  // namespace mctl::core
