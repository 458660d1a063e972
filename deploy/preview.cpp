#include "deploy/preview.hpp"

#include <fmt/format.h>

#include "deploy/marathon_client.hpp"

namespace mctl::deploy {
namespace {

// A before/after value fit to print: hidden when it is an env variable with a secret name.
json shown(const FieldChange& change, const json& value) {
  return !value.is_null() && secret_env_path(change.path) ? json("(hidden)") : value;
}

}  // namespace

std::vector<AppPreview> preview_apps(MarathonClient& client, const std::vector<AppJob>& jobs,
                                     const DeployOptions& options) {
  std::vector<AppPreview> out;
  out.reserve(jobs.size());
  for (const auto& job : jobs) {
    const auto running = client.get_app(job.id);
    AppPreview p{job.id, running.has_value(), {}, desired_definition(job, options, running)};
    p.changes = diff_apps(running.value_or(json::object()), p.desired);
    out.push_back(std::move(p));
  }
  return out;
}

json preview_json(const AppPreview& preview, const std::string& request_url) {
  json changes = json::array();
  for (const auto& c : preview.changes) {
    changes.push_back({{"path", c.path}, {"before", shown(c, c.before)}, {"after", shown(c, c.after)}});
  }
  json entry = {{"app", preview.id},
                {"exists", preview.exists},
                {"up_to_date", preview.changes.empty()},
                {"changes", std::move(changes)}};
  if (!request_url.empty() && !preview.changes.empty()) {
    entry["request"] = {{"method", "PUT"}, {"url", request_url}, {"body", redact_definition(preview.desired)}};
  }
  return entry;
}

std::string app_put_url(const std::string& base, const std::string& id) {
  return fmt::format("{}/v2/apps{}?partialUpdate=false", base, id);
}

}  // namespace mctl::deploy
