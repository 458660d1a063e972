#pragma once
// Contract used by deploy: render one app spec of the project into a Marathon app definition.
// Implemented by the templates module (issue #4). The spec language (variables, filters,
// overlays, conveniences) is documented in templates/SPEC.md.
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/git.hpp"

namespace mctl::templates {

struct RenderOptions {
  std::vector<std::string> sets;  // --set key=value, values typed as YAML
  // Supplies the environment's secrets (decrypted) when a spec uses {{ secrets.* }};
  // called at most once, only when needed.
  std::function<nlohmann::json()> load_secrets;
  bool lint = false;              // add the platform checklist's warnings
  // Git facts for git.* and default image tags; read from the project directory when unset.
  // Called at most once, only when needed.
  std::function<core::GitInfo()> git;
};

struct RenderedApp {
  std::string id;                 // Marathon app id, e.g. "/prod/flask-hello"
  nlohmann::json definition;      // the app definition as Marathon accepts it
  std::vector<std::string> warnings;  // "file:line:col: text"
  std::filesystem::path source;   // the app spec file
  // "file:line:col" of the spec text that produced the value at a JSON pointer of
  // `definition` (or of its nearest ancestor that has one); "" when unknown. For messages
  // about the rendered definition, e.g. Marathon's 422 details.
  std::function<std::string(const std::string& pointer)> locate;
};

// One problem in an app spec, at its source position.
struct SpecProblem {
  std::string file;   // as shown to the user
  int line = 0;       // 1-based, 0 when unknown
  int column = 0;
  std::string message;
  std::string str() const;  // "file:line:col: message"
};

// Everything a render found: the app when it is valid, else the errors (all of them, in
// source order), and the warnings either way.
struct RenderReport {
  std::string name;                  // the app's name (spec file name without .yaml)
  std::filesystem::path source;
  std::optional<RenderedApp> app;    // set when there are no errors
  std::vector<SpecProblem> errors;
  std::vector<SpecProblem> warnings;
};

// Names of the app specs in the project's apps_dir (without overlays), sorted.
std::vector<std::string> list_apps(const core::Config& config);

// Renders APP (a name in apps_dir, or a path to a spec file) for the config's environment.
// Throws Error(Exit::usage) with file:line:col for bad input.
RenderedApp render_app(const core::Config& config, const std::string& app_or_file,
                       const RenderOptions& options);

// The Marathon app id APP renders to, without rendering the rest of the spec: only `id:` (after
// the environment's overlays) is interpolated, so the vault is never opened and git is read only
// when the id uses git.*. "/NAME" when the spec has no id. An id that uses {{ secrets.* }} is a
// usage error. For commands that only need the id (status, versions, rollback, ...).
std::string resolve_app_id(const core::Config& config, const std::string& app_or_file,
                           const RenderOptions& options);

// Like render_app, but returns the problems of the spec instead of throwing for them. Still
// throws for what is not the spec's fault or not fixable in it: a missing spec file, a vault
// that cannot be opened (Exit::auth), git not available.
RenderReport check_app(const core::Config& config, const std::string& app_or_file,
                       const RenderOptions& options);

// Canonical JSON text: sorted keys, 2-space indent, trailing newline.
std::string canonical_json(const nlohmann::json& value);

}  // namespace mctl::templates
