#include "deploy/images_in_use.hpp"

#include <fmt/format.h>

#include "deploy/marathon_client.hpp"

namespace mctl::deploy {
namespace {

std::string image_of(const json& app) {
  if (!app.is_object() || !app.contains("container") || !app["container"].is_object()) return "";
  const auto& c = app["container"];
  if (!c.contains("docker") || !c["docker"].is_object()) return "";
  return c["docker"].value("image", "");
}

}  // namespace

std::map<std::string, std::string> images_in_use(const core::Config& config, int keep_versions) {
  auto client = connect(config);
  std::map<std::string, std::string> out;
  for (const auto& app : client->list_apps()) {
    const std::string id = app.value("id", "");
    const std::string current = app.value("version", "");
    if (auto image = image_of(app); !image.empty()) out.emplace(image, fmt::format("{} current", id));
    // Versions also move on scaling; only those whose image differs add anything, but the
    // definition of each kept version must be read to know its image.
    int kept = 0;
    for (const auto& version : client->versions(id)) {
      if (kept >= keep_versions) break;
      if (version == current) continue;
      ++kept;
      const auto image = image_of(client->app_version(id, version));
      if (!image.empty()) out.emplace(image, fmt::format("{} version {}", id, version));
    }
  }
  return out;
}

}  // namespace mctl::deploy
