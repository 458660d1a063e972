// mctl kill TASK: kills one task (a full id or a unique prefix), optionally scaling down.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "cli/wiring.hpp"
#include "core/terminal.hpp"
#include "deploy/tasks.hpp"

namespace mctl::cli {
namespace {

struct KillFlags {
  std::string task;
  bool scale = false, wipe = false, yes = false;
  FollowFlags follow;  // with --scale
};

void confirm(Context& ctx, const nlohmann::json& task, const KillFlags& f, const std::string& url) {
  if (f.yes || !ctx.stdin_is_tty()) return;
  const std::string id = task.value("id", "");
  const auto answer = core::prompt_line(fmt::format("Kill task {} of {} on {} ({})? {} [y/N] ", id,
                                                    task.value("appId", ""), task.value("host", ""), url,
                                                    f.scale ? "The app is scaled down by one." : "Marathon starts a replacement."));
  if (answer != "y" && answer != "yes") throw Error(fmt::format("kill {}: not confirmed; nothing was changed", id), Exit::failure);
}

void run_kill(Context& ctx, const KillFlags& f) {
  if (f.scale && f.wipe) throw Error("kill: --scale and --wipe cannot be used together (Marathon refuses it)", Exit::usage);
  auto client = deploying::marathon(ctx);
  const auto task = deploy::resolve_task(client->tasks(), f.task);
  confirm(ctx, task, f, client->current_url());
  auto o = deploying::options(ctx, f.follow.timeout);
  o.force = f.follow.force;
  auto killed = deploy::kill_task(*client, task, f.scale, f.wipe, o, !f.follow.no_wait);
  deploying::report(ctx, {killed.result}, "kill");
}

}  // namespace

void add_kill_command(CLI::App& app, Context& ctx) {
  auto [kill, f] = bound_command<KillFlags>(app, ctx, "kill", "Kill one task (full id or unique prefix; asks on a terminal)",
                                            run_kill);
  kill->add_option("task", f->task, "Task id, or a prefix of it or of its short id (see mctl tasks)")->required();
  kill->add_flag("--scale", f->scale, "Also scale the app down by one (follows the deployment like scale)");
  kill->add_flag("--wipe", f->wipe, "Also wipe the task's reservations and volumes (resident apps)");
  kill->add_flag("-y,--yes", f->yes, "Do not ask");
  add_follow_options(kill, f->follow,
                     {"With --scale: cancel a deployment that locks the app",
                      "With --scale: deadline to be done (default: deploy.timeout)",
                      "With --scale: return once Marathon accepted the change"});
}

}  // namespace mctl::cli
