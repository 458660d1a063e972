#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "deploy/preview.hpp"

using namespace mctl::deploy;
using nlohmann::json;

TEST_CASE("a preview's JSON hides env values with secret-looking names, in the changes and the request") {
  AppPreview p;
  p.id = "/shop/web";
  p.exists = true;
  p.changes = {{"/env/DB_PASSWORD", "old-secret", "new-secret"},
               {"/env/LOG_LEVEL", "info", "debug"},
               {"/env/API_TOKEN", nullptr, "fresh-token"}};
  p.desired = {{"id", "/shop/web"}, {"env", {{"DB_PASSWORD", "new-secret"}, {"LOG_LEVEL", "debug"}, {"API_TOKEN", "fresh-token"}}}};
  const std::string url = app_put_url("http://marathon:8080", p.id);
  CHECK(url == "http://marathon:8080/v2/apps/shop/web?partialUpdate=false");

  const json j = preview_json(p, url);
  CHECK(j["app"] == "/shop/web");
  CHECK(j["exists"] == true);
  CHECK(j["up_to_date"] == false);
  CHECK(j["changes"][0] == json{{"path", "/env/DB_PASSWORD"}, {"before", "(hidden)"}, {"after", "(hidden)"}});
  CHECK(j["changes"][1] == json{{"path", "/env/LOG_LEVEL"}, {"before", "info"}, {"after", "debug"}});
  // An added secret: nothing before (null stays null), the value hidden.
  CHECK(j["changes"][2] == json{{"path", "/env/API_TOKEN"}, {"before", nullptr}, {"after", "(hidden)"}});
  CHECK(j["request"]["method"] == "PUT");
  CHECK(j["request"]["url"] == url);
  CHECK(j["request"]["body"]["env"]["LOG_LEVEL"] == "debug");
  const std::string text = j.dump();
  CHECK(text.find("new-secret") == std::string::npos);
  CHECK(text.find("old-secret") == std::string::npos);
  CHECK(text.find("fresh-token") == std::string::npos);
}

TEST_CASE("an up-to-date app's preview has no request, and none is asked for without a URL") {
  AppPreview same;
  same.id = "/a";
  same.exists = true;
  same.desired = {{"id", "/a"}};
  const json up = preview_json(same, "http://m/v2/apps/a");
  CHECK(up["up_to_date"] == true);
  CHECK(up["changes"] == json::array());
  CHECK_FALSE(up.contains("request"));

  AppPreview fresh;
  fresh.id = "/b";
  fresh.changes = {{"/instances", nullptr, 2}};
  fresh.desired = {{"id", "/b"}, {"instances", 2}};
  const json diff_only = preview_json(fresh);
  CHECK(diff_only["exists"] == false);
  CHECK_FALSE(diff_only.contains("request"));
}
