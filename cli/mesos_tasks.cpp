#include "cli/mesos_tasks.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/deploy_output.hpp"
#include "cli/sink.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "deploy/fields.hpp"

namespace mctl::cli {
using nlohmann::json;

std::unique_ptr<mesos::MesosClient> mesos_client(Context& ctx) {
  auto client = mesos::connect(ctx.config());
  if (!client) {
    throw Error(
        fmt::format(
            "no Mesos master configured for environment '{}' (mesos.master_urls in mctl.yaml, "
            "MCTL_MESOS_URL or --mesos)",
            ctx.config().env_name()),
        Exit::usage);
  }
  return client;
}

std::vector<mesos::TaskRef> marathon_tasks(const json& app) {
  std::vector<mesos::TaskRef> out;
  const auto tasks = app.find("tasks");
  if (tasks == app.end() || !tasks->is_array()) return out;
  for (const auto& t : *tasks) {
    if (!t.is_object()) continue;
    const auto id = deploy::string_field(t, "id");
    if (id.empty()) continue;  // not a task Marathon would list
    const auto app_id = deploy::string_field(t, "appId");
    out.push_back({id, app_id.empty() ? deploy::string_field(app, "id") : app_id,
                   deploy::string_field(t, "host"), deploy::string_field(t, "slaveId")});
  }
  return out;
}

std::vector<mesos::TaskRef> ended_tasks(const mesos::MasterState& state,
                                        const std::string& app_id) {
  std::string prefix = app_id.substr(app_id.find_first_not_of('/'));
  std::replace(prefix.begin(), prefix.end(), '/', '_');
  prefix += '.';
  std::vector<std::pair<double, mesos::TaskRef>> found;
  for (const auto& [id, t] : state.tasks) {
    if (t.ended == 0 || id.rfind(prefix, 0) != 0) continue;
    const auto agent = state.agents.find(t.agent_id);
    found.push_back(
        {t.ended,
         {id, app_id, agent != state.agents.end() ? agent->second.hostname : "", t.agent_id}});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<mesos::TaskRef> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

namespace {

class Collect : public mesos::LogSink {
 public:
  std::vector<std::string> lines;
  void line(const mesos::TaskRef&, mesos::Stream, std::string_view text) override {
    lines.emplace_back(text);
  }
  void note(const mesos::TaskRef&, const std::string& message) override {
    lines.push_back("(" + message + ")");
  }
};

bool failed(const deploy::AppResult& r) {
  return r.status == deploy::AppStatus::failed || r.status == deploy::AppStatus::rolled_back ||
         r.status == deploy::AppStatus::rollback_failed;
}

// The newest failed task of the version `r` wrote: Marathon's lastTaskFailure when it is of
// that version, else the newest task of the app that ended as TASK_FAILED in Mesos.
std::optional<mesos::TaskRef> failed_task(deploy::MarathonClient& marathon,
                                          const mesos::MasterState& state,
                                          const deploy::AppResult& r) {
  const auto app = marathon.get_app(r.id);
  if (app && app->contains("lastTaskFailure") && (*app)["lastTaskFailure"].is_object()) {
    const json& f = (*app)["lastTaskFailure"];
    if (r.version.empty() || deploy::string_field(f, "version") == r.version) {
      return mesos::TaskRef{deploy::string_field(f, "taskId"), r.id,
                            deploy::string_field(f, "host"), deploy::string_field(f, "slaveId")};
    }
  }
  for (const auto& t : ended_tasks(state, r.id)) {
    if (state.tasks.at(t.id).state == "TASK_FAILED") return t;
  }
  return std::nullopt;
}

void add_logs(const Sink& out, deploy::MarathonClient& marathon, mesos::MesosClient& client,
              deploy::AppResult& r) {
  const auto state = client.master_state();
  const auto task = failed_task(marathon, state, r);
  if (!task) return;
  mesos::LogOptions o;
  o.out = false;
  o.tail = 20;
  Collect sink;
  const std::atomic<bool> stop{false};
  mesos::read_logs(
      client, [&](const mesos::MasterState&) { return std::vector<mesos::TaskRef>{*task}; }, o,
      sink, stop);
  r.details.push_back(
      fmt::format("stderr of failed task {} on {} (last 20 lines):", task->id, task->host));
  for (const auto& l : sink.lines) r.details.push_back("  " + program_output(out, l));
}

}  // namespace

void add_failure_logs(Context& ctx, std::vector<deploy::AppResult>& results) {
  if (std::none_of(results.begin(), results.end(), failed)) return;
  auto client = mesos::connect(ctx.config());
  if (!client) {
    core::log::info(
        "no Mesos master configured (mesos.master_urls): the failed tasks' logs are not shown");
    return;
  }
  auto marathon = deploying::marathon(ctx);
  for (auto& r : results) {
    if (!failed(r)) continue;
    try {
      add_logs(ctx.out(), *marathon, *client, r);
    } catch (const Error& e) {
      r.details.push_back(fmt::format("(the failed task's logs could not be read: {})", e.what()));
    }
  }
}

}  // namespace mctl::cli
