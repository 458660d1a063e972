#pragma once
// Contract used by deploy: render one app spec of the project into a Marathon app definition.
// Implemented by the templates module (issue #4).
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace mctl::templates {

struct RenderOptions {
  std::vector<std::string> sets;  // --set key=value, values typed as YAML
  // Supplies the environment's secrets (decrypted) when a spec uses {{ secrets.* }};
  // called at most once, only when needed.
  std::function<nlohmann::json()> load_secrets;
  bool lint = false;              // add the platform checklist's warnings
};

struct RenderedApp {
  std::string id;                 // Marathon app id, e.g. "/prod/flask-hello"
  nlohmann::json definition;      // the app definition as Marathon accepts it
  std::vector<std::string> warnings;  // "file:line:col: text"
  std::filesystem::path source;   // the app spec file
};

// Names of the app specs in the project's apps_dir (without overlays), sorted.
std::vector<std::string> list_apps(const core::Config& config);

// Renders APP (a name in apps_dir, or a path to a spec file) for the config's environment.
// Throws Error(Exit::usage) with file:line:col for bad input.
RenderedApp render_app(const core::Config& config, const std::string& app_or_file,
                       const RenderOptions& options);

// Canonical JSON text: sorted keys, 2-space indent, trailing newline.
std::string canonical_json(const nlohmann::json& value);

}  // namespace mctl::templates
