#include "deploy/app_source.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/json.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

bool is_definition_file(const std::string& given, const std::filesystem::path& file) {
  return given.size() > 5 && given.ends_with(".json") && std::filesystem::is_regular_file(file);
}

AppJob job_from_definition(const std::string& given, const std::filesystem::path& file) {
  json definition = core::parse_json(core::read_file(file), given);
  if (!definition.is_object() || !definition.contains("id") || !definition["id"].is_string()) {
    throw Error(fmt::format("{}: not a Marathon app definition (a JSON object with an \"id\")", given), Exit::usage);
  }
  return {canonical_app_id(definition["id"].get<std::string>()), definition, given, {}};
}

}  // namespace mctl::deploy
