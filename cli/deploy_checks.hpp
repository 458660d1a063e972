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

namespace mctl::cli::deploying {

// The Mesos-DNS server --verify-dns asks (mesos_dns_http, else mesos_dns); a usage error when
// neither is configured, raised before anything is sent.
std::string mesos_dns_server(Context& ctx);

// Throws (exit 8) naming the app and image when an image is not in its registry; exit 2 when an
// image names no registry host.
void check_images(Context& ctx, const std::vector<deploy::AppJob>& jobs);

// Marks an app failed (exit 1) when Mesos-DNS does not list all its running tasks by `timeout`;
// the deployment itself is not undone.
void verify_dns(deploy::MarathonClient& client, std::vector<deploy::AppResult>& results, const std::string& server,
                std::chrono::milliseconds timeout, const std::atomic<bool>& interrupted);

}  // namespace mctl::cli::deploying
