#pragma once
// Text and JSON forms of deploy progress, results and app status. Pure formatting: the CLI
// decides where it goes.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "deploy/deployer.hpp"

namespace mctl::deploy {

// "deploying  MESSAGE  step 1/2 (RestartApplication)  new 1/3 running, 0/3 healthy  old 2 running"
// (the display adds the app and the clock).
std::string progress_text(const DeployEvent& e);
// A live clock: whole seconds, "7s", "1m05s" (floor of what results print as "7.3s").
std::string live_seconds(std::chrono::milliseconds ms);
// One NDJSON object: {"event":"progress","app":...,"phase":...,"elapsed_ms":...,...}.
json event_json(const DeployEvent& e);
json result_json(const AppResult& r);

// Commands a person runs next after a failed or interrupted deploy of `r`; `suffix` carries
// the environment flag (e.g. " -e prod").
std::vector<std::string> next_steps(const AppResult& r, const std::string& suffix);

// The one-line summary of a command whose apps did not all end well, for `mctl: error:`.
// With `reasons_shown` (the text report above already gave each app's reason in full) it
// names the apps only: "deploy: 1 of 1 app(s) not done: /web (reason above)"; otherwise the
// first app's reason (first line) is included: "... not done (/web: crash loop ...)".
std::string failure_summary(const std::vector<AppResult>& results, const std::string& what, Exit exit,
                            bool reasons_shown);

// An app's state for `mctl status` / `mctl apps`.
struct AppSummary {
  std::string id;
  std::string version;
  std::string git_sha;        // MCTL_GIT_SHA label
  std::string deployed_at;    // MCTL_DEPLOYED_AT label
  std::string image;
  int instances = 0, running = 0, healthy = 0, unhealthy = 0, staged = 0;
  bool has_health = false;
  std::string health;         // "healthy", "unhealthy", "deploying", "scaled to 0", "no health checks"
  std::vector<std::string> deployments;
};
AppSummary summarize(const json& app);
json summary_json(const AppSummary& s);
// The full `mctl status` text: summary, tasks with hosts and health, deployments in flight,
// last task failure.
std::string status_text(const json& app, const json& deployments);

}  // namespace mctl::deploy
