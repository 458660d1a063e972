#include "deploy/gc_protection.hpp"

#include <fmt/format.h>

#include <set>

#include "core/error.hpp"
#include "deploy/images_in_use.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

ProtectedImages marathon_protection(const std::vector<std::string>& envs, const ConfigFor& config_for, int keep_versions) {
  std::vector<std::optional<std::string>> names(envs.begin(), envs.end());
  if (names.empty()) names.emplace_back(std::nullopt);
  ProtectedImages found;
  std::set<std::vector<std::string>> asked;
  for (const auto& name : names) {
    const auto config = config_for(name);
    const auto& urls = *config.settings().marathon.urls;
    if (urls.empty() || !asked.insert(urls).second) continue;
    for (auto& [ref, why] : images_in_use(*connect(config), keep_versions)) {
      found.images.emplace_back(ref, name ? fmt::format("{} ({})", why, *name) : why);
    }
    found.consulted.push_back(name.value_or("default"));
  }
  if (found.consulted.empty()) {
    throw Error("images gc: no Marathon is configured (marathon.urls), so gc cannot tell which images apps run or "
                "roll back to; configure it or pass --no-marathon to clean up without that protection",
                Exit::usage);
  }
  return found;
}

}  // namespace mctl::deploy
