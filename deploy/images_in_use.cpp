#include "deploy/images_in_use.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "deploy/marathon_client.hpp"
#include "deploy/operate.hpp"

namespace mctl::deploy {
namespace {

std::string image_of(const json& app) {
  if (!app.is_object() || !app.contains("container") || !app["container"].is_object()) return "";
  const auto& c = app["container"];
  if (!c.contains("docker") || !c["docker"].is_object()) return "";
  return c["docker"].value("image", "");
}

}  // namespace

std::map<std::string, std::string> images_in_use(MarathonClient& client, int keep_versions) {
  std::map<std::string, std::string> out;
  for (const auto& app : client.list_apps()) {
    const std::string id = app.value("id", "");
    if (auto image = image_of(app); !image.empty()) out.emplace(image, fmt::format("{} current", id));
    // What `mctl rollback` can reach, by its own rule: config versions, never scale-only ones
    // (an app scaled more than keep_versions times still protects the images before).
    for (const auto& target : rollback_targets(client, id, app, static_cast<std::size_t>(std::max(keep_versions, 0)))) {
      const auto image = image_of(target.definition);
      if (!image.empty()) out.emplace(image, fmt::format("{} version {}", id, target.version));
    }
  }
  return out;
}

}  // namespace mctl::deploy
