#pragma once
// The operating commands' changes (rollback, restart, scale, stop, destroy, cancel) and the
// rule for what a rollback goes back to, shared with image cleanup's protection.
#include <cstddef>
#include <string>
#include <vector>

#include "deploy/deployer.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

// A version `mctl rollback` can go back to, with its definition.
struct RollbackTarget {
  std::string version;
  json definition;
};

// THE rollback rule: the config versions of app `id` older than its running config, newest
// first, at most `limit`. A config version is one that changed the definition
// (versionInfo.lastConfigChangeAt == version); a scale-only version is never a target (its
// config version is), and neither is a version whose definition, instances aside, equals the
// next newer target's or the running one (a restart: rolling back to it changes nothing).
// `app` is the app as GET /v2/apps/{id} returns it. `mctl rollback` goes to the first;
// `images gc` protects the images of the first `images.keep_versions`.
std::vector<RollbackTarget> rollback_targets(MarathonClient& client, const std::string& id, const json& app,
                                             std::size_t limit);

// Each command sends its change and follows it like a deploy (`wait` false: returns once
// Marathon accepted it). The result's message says what happened; its exit code is the
// command's. An app that does not exist: Error(Exit::no_records).
//
// rollback: to `to` (a version timestamp), or the first of rollback_targets().
AppResult rollback_app(MarathonClient& client, const std::string& id, const std::string& to, const DeployOptions& options,
                       bool wait);
AppResult restart(MarathonClient& client, const std::string& id, const DeployOptions& options, bool wait);
AppResult scale(MarathonClient& client, const std::string& id, int instances, const DeployOptions& options, bool wait);
AppResult destroy(MarathonClient& client, const std::string& id, const DeployOptions& options, bool wait);

// Whether a `mctl cancel` argument is a deployment id (a UUID) rather than an app.
bool looks_like_deployment_id(const std::string& s);

// mctl cancel: cancels the deployments in flight with id `deployment_id`, or else those
// affecting `app_id`, and follows Marathon's revert of each affected app (not with `force`,
// which cancels without a revert, nor without `wait`). Error(Exit::no_records) when none is in
// flight or the app does not exist.
std::vector<AppResult> cancel(MarathonClient& client, const std::string& deployment_id, const std::string& app_id,
                              bool force, const DeployOptions& options, bool wait);

// mctl wait: what to follow for `deployment_id` (a deployment in flight: each app it
// affects) or else `app_id` (its deployments in flight; none: the app itself until it is done
// by mctl's definition). Error(Exit::no_records) when the deployment is not in flight or the
// app does not exist.
struct WaitTarget {
  std::string app_id;
  Change change;  // deployment id and the version it writes; empty: none in flight
  bool removes = false;  // the deployment stops (deletes) the app
};
std::vector<WaitTarget> wait_targets(MarathonClient& client, const std::string& deployment_id, const std::string& app_id);

// Follows one WaitTarget like a deploy (same display, same notion of done), without sending
// anything and without rolling back.
AppResult wait_for(MarathonClient& client, const WaitTarget& target, const DeployOptions& options);

}  // namespace mctl::deploy
