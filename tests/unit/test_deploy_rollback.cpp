// deploy::rollback_targets: the one rule for what `mctl rollback` goes back to and what
// `images gc` protects.
#include <doctest/doctest.h>

#include <map>

#include "deploy/operate.hpp"

using namespace mctl::deploy;
namespace http = mctl::core::http;
using nlohmann::json;

namespace {

// A Marathon holding one app's versions, answering GETs by path.
class VersionsHttp final : public http::HttpClient {
 public:
  std::map<std::string, json> versions;  // version -> definition
  int reads = 0;
  http::Response send(const http::Request& r) override {
    ++reads;
    http::Response out;
    out.url = r.url;
    const std::string path = r.url.substr(r.url.find("/v2/"));
    if (path == "/v2/apps/web/versions") {
      json list = json::array();
      for (const auto& [v, d] : versions) list.push_back(v);
      out.status = 200;
      out.body = json{{"versions", list}}.dump();
      return out;
    }
    const std::string prefix = "/v2/apps/web/versions/";
    auto it = path.rfind(prefix, 0) == 0 ? versions.find(path.substr(prefix.size())) : versions.end();
    out.status = it == versions.end() ? 404 : 200;
    out.body = it == versions.end() ? "{}" : it->second.dump();
    return out;
  }
  http::Response stream(const http::Request& r, const http::ChunkHandler&) override { return send(r); }

  // Adds a version; `config_at` empty: the definition carries no versionInfo.
  json& add(const std::string& version, const std::string& image, int instances, const std::string& config_at) {
    json d = {{"id", "/web"}, {"cmd", "run"}, {"instances", instances}, {"version", version},
              {"container", {{"type", "DOCKER"}, {"docker", {{"image", image}}}}}};
    if (!config_at.empty()) d["versionInfo"] = {{"lastConfigChangeAt", config_at}, {"lastScalingAt", version}};
    return versions[version] = d;
  }
};

std::vector<std::string> target_versions(const std::vector<RollbackTarget>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) out.push_back(t.version);
  return out;
}

}  // namespace

TEST_CASE("scale-only versions are not rollback targets: an app scaled 6 times after t05 goes back to t04") {
  auto fake = std::make_shared<VersionsHttp>();
  const std::vector<std::string> deploys = {"2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"};
  for (std::size_t i = 0; i < deploys.size(); ++i) fake->add(deploys[i], "web:t0" + std::to_string(i + 1), 1, deploys[i]);
  json app;
  for (int s = 0; s < 6; ++s) app = fake->add("2026-01-06T0" + std::to_string(s), "web:t05", 2 + s % 2, "2026-01-05");
  MarathonClient client({"http://m:8080"}, fake, "none", 1);

  const auto targets = rollback_targets(client, "/web", app, 5);
  CHECK(target_versions(targets) == std::vector<std::string>{"2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"});
  CHECK(targets.front().definition["container"]["docker"]["image"] == "web:t04");
  // one read per config version (plus the list and the newest scale version), not one per scale
  CHECK(fake->reads <= 7);
  CHECK(target_versions(rollback_targets(client, "/web", app, 1)) == std::vector<std::string>{"2026-01-04"});
}

TEST_CASE("the target of a scaled older config is the version where that config began") {
  auto fake = std::make_shared<VersionsHttp>();
  fake->add("2026-01-01", "web:a", 1, "2026-01-01");
  fake->add("2026-01-02", "web:a", 3, "2026-01-01");  // scaled
  const json app = fake->add("2026-01-03", "web:b", 3, "2026-01-03");
  MarathonClient client({"http://m:8080"}, fake, "none", 1);
  CHECK(target_versions(rollback_targets(client, "/web", app, 5)) == std::vector<std::string>{"2026-01-01"});
}

TEST_CASE("a restart (a config version with the same definition) and the running definition are not targets") {
  auto fake = std::make_shared<VersionsHttp>();
  fake->add("2026-01-01", "web:a", 1, "2026-01-01");
  fake->add("2026-01-02", "web:b", 1, "2026-01-02");
  fake->add("2026-01-03", "web:a", 1, "2026-01-03");  // a rollback to a: same definition as 01
  const json app = fake->add("2026-01-04", "web:a", 1, "2026-01-04");  // a restart
  MarathonClient client({"http://m:8080"}, fake, "none", 1);
  CHECK(target_versions(rollback_targets(client, "/web", app, 5)) == std::vector<std::string>{"2026-01-02"});
}

TEST_CASE("without versionInfo, consecutive versions differing only in instances count as one config") {
  auto fake = std::make_shared<VersionsHttp>();
  fake->add("2026-01-01", "web:a", 1, "");
  fake->add("2026-01-02", "web:a", 2, "");
  fake->add("2026-01-03", "web:a", 3, "");
  fake->add("2026-01-04", "web:b", 3, "");
  const json app = fake->add("2026-01-05", "web:b", 4, "");
  MarathonClient client({"http://m:8080"}, fake, "none", 1);
  CHECK(target_versions(rollback_targets(client, "/web", app, 1)) == std::vector<std::string>{"2026-01-01"});
}

TEST_CASE("no earlier config: no target") {
  auto fake = std::make_shared<VersionsHttp>();
  fake->add("2026-01-01", "web:a", 1, "2026-01-01");
  const json app = fake->add("2026-01-02", "web:a", 5, "2026-01-01");
  MarathonClient client({"http://m:8080"}, fake, "none", 1);
  CHECK(rollback_targets(client, "/web", app, 5).empty());
}
