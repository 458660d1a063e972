// Golden tests: Marathon's own app definitions (system tests and API examples), written as
// YAML specs in tests/fixtures/render/golden/apps, render to JSON equal to the originals.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "templates/render.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
namespace t = mctl::templates;

namespace {

const fs::path k_golden = fs::path(MCTL_FIXTURES) / "render" / "golden";
const fs::path k_examples = fs::path(MCTL_FIXTURES) / "marathon" / "examples";

// The JSON a golden spec came from: its first line is "# golden: <path>[#index]".
json original_of(const fs::path& spec) {
  std::ifstream in(spec);
  std::string first;
  std::getline(in, first);
  REQUIRE(first.rfind("# golden: ", 0) == 0);
  std::string origin = first.substr(10);
  const auto hash = origin.find('#');
  json doc = json::parse(mctl::core::read_file(k_examples / origin.substr(0, hash)));
  return hash == std::string::npos ? doc : doc.at(std::stoul(origin.substr(hash + 1)));
}

mctl::core::Config golden_config() {
  mctl::core::LoadOptions o;
  o.cwd = k_golden;
  return mctl::core::Config::load(o);
}

}  // namespace

TEST_CASE("every Marathon example app renders to JSON equal to the original") {
  const auto config = golden_config();
  const auto apps = t::list_apps(config);
  CHECK(apps.size() == 24);  // 20 system-test apps, app-simple, app-check-http-example, 2 of apps_create
  for (const auto& name : apps) {
    CAPTURE(name);
    const fs::path spec = k_golden / "apps" / (name + ".yaml");
    t::RenderOptions options;
    options.git = [] { return mctl::core::GitInfo{"feedfacefeedfacefeedfacefeedfacefeedface", "main", false}; };
    json rendered;
    try {
      rendered = t::render_app(config, name, options).definition;
    } catch (const mctl::Error& e) {
      FAIL_CHECK(std::string(e.what()));
      continue;
    }
    const json original = original_of(spec);
    CHECK_MESSAGE(rendered == original, "diff: ", json::diff(original, rendered).dump());
    // Canonical output is byte-identical run after run.
    CHECK(t::canonical_json(rendered) == t::canonical_json(t::render_app(config, name, options).definition));
  }
}

TEST_CASE("the docs' field catalogue app.json is rejected for what Marathon rejects") {
  // API.md: app.json sets both cmd and args, which a real Marathon refuses.
  const json original = json::parse(mctl::core::read_file(k_examples / "app.json"));
  REQUIRE(original.contains("cmd"));
  REQUIRE(original.contains("args"));
  std::string tmpl = (fs::temp_directory_path() / "mctl-golden-XXXXXX").string();
  const fs::path dir = ::mkdtemp(tmpl.data());
  fs::create_directories(dir / "apps");
  std::ofstream(dir / "mctl.yaml") << "project: catalogue\n";
  // JSON is YAML: the catalogue is a valid spec file as it stands.
  std::ofstream(dir / "apps" / "catalogue.yaml") << original.dump(2);
  mctl::core::LoadOptions o;
  o.cwd = dir;
  const auto report = t::check_app(mctl::core::Config::load(o), (dir / "apps" / "catalogue.yaml").string(), {});
  fs::remove_all(dir);
  REQUIRE_FALSE(report.app);
  bool both = false;
  for (const auto& e : report.errors) {
    if (e.message == "set either 'cmd' (run by /bin/sh -c) or 'args' (exec form), not both") both = true;
  }
  CHECK(both);
}
