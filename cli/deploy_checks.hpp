#pragma once
// The optional checks around `mctl deploy`: --check-image asks the registry for every app's
// image before anything is sent (here in cli/, since deploy/ must not depend on images/), and
// --verify-dns asks Mesos-DNS for every running task once the apps are done.
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "deploy/deployer.hpp"
#include "deploy/marathon_client.hpp"
#include "dns/verify.hpp"

namespace mctl::cli::deploying {

// What --verify-dns asks: the server (mesos_dns_http, else mesos_dns; a usage error when
// neither is configured, raised before anything is sent), the deadline and the HTTP settings.
dns::VerifyOptions verify_dns_options(Context& ctx, std::chrono::milliseconds timeout);

// Throws (exit 8) naming the app and image when an image is not in its registry; exit 2 when an
// image names no registry host.
void check_images(Context& ctx, const std::vector<deploy::AppJob>& jobs);

// Marks an app failed (exit 1) when Mesos-DNS does not list all its running tasks by the
// deadline (the rule and the wait: dns::wait_until_listed); the deployment itself is not undone.
void verify_dns(deploy::MarathonClient& client, std::vector<deploy::AppResult>& results,
                const dns::VerifyOptions& options, const std::atomic<bool>& interrupted);

}  // namespace mctl::cli::deploying
