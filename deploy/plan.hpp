#pragma once
// The order of a multi-app deploy: an app starts only after the apps it depends on (Marathon
// `dependencies`) that are part of the same deploy have finished.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mctl::deploy {

// For each app id, the ids among `definitions` (id -> definition) it depends on. Dependencies
// outside the set are left to Marathon. Throws Error(Exit::usage) naming a cycle.
std::map<std::string, std::vector<std::string>> dependencies_within(
    const std::map<std::string, nlohmann::json>& definitions);

}  // namespace mctl::deploy
