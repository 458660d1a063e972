#pragma once
// What the deploy and operating commands share: the Marathon client for the environment,
// app names resolved to Marathon ids, the options, following a change with the progress
// display (progress.hpp) and the final report. Defined in deploy_output.cpp (app_id and
// job_for in cmd_deploy.cpp).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "cli/interrupts.hpp"
#include "cli/progress.hpp"
#include "templates/render.hpp"
#include "deploy/deployer.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::cli::deploying {

std::shared_ptr<deploy::MarathonClient> marathon(Context& ctx);

// The time now, UTC, ISO-8601 ("2026-12-05T08:00:00Z"; with `millis`, ".123Z").
std::string utc_now(bool millis);

// A Marathon app id for APP: "/id" as is, a rendered .json file's "id", or the spec's `id:`
// rendered for the environment (with --set `sets`; never opens the vault).
std::string app_id(Context& ctx, const std::string& app, const std::vector<std::string>& sets = {});

// APP (spec name, spec file or rendered .json) rendered for the environment with the command's
// one RenderOptions (cli/render_options.hpp; cmd_deploy.cpp).
deploy::AppJob job_for(Context& ctx, const std::string& app, const templates::RenderOptions& render);

// " -e ENV" when an environment is selected, for suggested commands.
std::string env_suffix(Context& ctx);

// Runs `body` (a change and its follow) with the progress display for `apps`, the same for
// deploy, rollback, restart, scale, stop, destroy, cancel and wait; the display is cleared
// before the results come back.
std::vector<deploy::AppResult> followed(Context& ctx, const std::vector<std::string>& apps, deploy::DeployOptions o,
                                        const std::function<std::vector<deploy::AppResult>(const deploy::DeployOptions&)>& body);

// Options shared by deploy and the operating commands, from config and flags.
deploy::DeployOptions options(Context& ctx, const std::string& timeout_flag);

// Prints the results (text or a JSON result line) with diagnostics and next steps, and ends
// with the right exit code (throws Error for failures).
void report(Context& ctx, const std::vector<deploy::AppResult>& results, const std::string& what);

}  // namespace mctl::cli::deploying
