#pragma once
// What logs, top and deploy's failure diagnostics share: the Mesos client for the environment
// and an app's tasks as Marathon lists them (plus, on request, the ended ones Mesos still
// knows). Defined in mesos_tasks.cpp.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "deploy/deployer.hpp"
#include "mesos/client.hpp"
#include "mesos/logs.hpp"

namespace mctl::cli {

// The Mesos client; throws Error(Exit::usage) when no master is configured.
std::unique_ptr<mesos::MesosClient> mesos_client(Context& ctx);

// An app's running tasks from Marathon's app JSON (its "tasks").
std::vector<mesos::TaskRef> marathon_tasks(const nlohmann::json& app);

// Tasks of `app_id` that ended and that the master still lists (newest first), by the
// Marathon task id's prefix ("/prod/web" -> "prod_web.").
std::vector<mesos::TaskRef> ended_tasks(const mesos::MasterState& state, const std::string& app_id);

// For each failed deploy result: the last 20 lines of stderr of the newest failed task of the
// version it wrote, appended to its details. Skipped (with a -v note) without Mesos.
void add_failure_logs(Context& ctx, std::vector<deploy::AppResult>& results);

}  // namespace mctl::cli
