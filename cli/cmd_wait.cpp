// mctl wait APP|DEPLOYMENT_ID: re-attach to a running deployment (after Ctrl-C, or one
// started elsewhere) and follow it with the deploy display until done.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "cli/wiring.hpp"
#include "deploy/operate.hpp"

namespace mctl::cli {
namespace {
using namespace deploying;

struct WaitFlags {
  std::string target;
  FollowFlags follow;  // --timeout only
};

void run_wait(Context& ctx, const WaitFlags& f) {
  auto client = marathon(ctx);
  const bool by_id = deploy::looks_like_deployment_id(f.target);
  const std::string id = by_id ? "" : app_id(ctx, f.target);
  const auto targets = deploy::wait_targets(*client, by_id ? f.target : "", id);
  std::vector<std::string> apps;
  apps.reserve(targets.size());
  for (const auto& t : targets) apps.push_back(t.app_id);
  auto results = followed(ctx, apps, options(ctx, f.follow.timeout), [&](const deploy::DeployOptions& o) {
    std::vector<deploy::AppResult> out;
    out.reserve(targets.size());
    for (const auto& t : targets) out.push_back(deploy::wait_for(*client, t, o));
    return out;
  });
  report(ctx, results, "wait");
}

}  // namespace

void add_wait_command(CLI::App& app, Context& ctx) {
  auto [wait, f] =
      bound_command<WaitFlags>(app, ctx, "wait", "Follow a running deployment until done (re-attach after Ctrl-C)", run_wait);
  wait->add_option("target", f->target, "App (name or /id) or deployment id")->required();
  add_follow_options(wait, f->follow, {.timeout = "Deadline to be done (default: deploy.timeout)"});
}

}  // namespace mctl::cli
