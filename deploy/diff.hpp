#pragma once
// Comparing a desired app definition with the one Marathon runs: server-owned fields are
// stripped and Marathon's defaults applied on both sides, so only real changes remain.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mctl::deploy {

using nlohmann::json;

// Labels mctl adds to every deployed app. They are not part of the comparison: a deploy of
// an unchanged spec from a newer commit is "up to date".
inline constexpr const char* k_label_git_sha = "MCTL_GIT_SHA";
inline constexpr const char* k_label_deployed_at = "MCTL_DEPLOYED_AT";

// The definition as it matters for a deploy: status fields, mctl's own labels, nulls, empty
// collections and values equal to Marathon's defaults removed; ids made absolute.
json normalize_app(const json& app);

struct FieldChange {
  std::string path;   // JSON pointer, e.g. "/container/docker/image"
  json before;        // null when added
  json after;         // null when removed
};

// What deploying `desired` over `running` would change (empty: up to date). Ports Marathon
// assigns (service ports for port 0) count as equal to 0.
std::vector<FieldChange> diff_apps(const json& running, const json& desired);

// A unified, readable listing: "~ /instances: 1 -> 3", "+ /env/A: \"x\"", "- /labels/b".
// Values of env entries whose names look secret are hidden.
std::string format_changes(const std::vector<FieldChange>& changes);

// Whether a change's JSON pointer is an env variable whose name looks like it holds a secret
// (/env/DB_PASSWORD, /env/API_TOKEN, ...): the listing and the plan's JSON hide its values.
bool secret_env_path(const std::string& pointer);

// A copy of a definition fit to print: env values whose names look secret are hidden.
json redact_definition(const json& definition);

}  // namespace mctl::deploy
