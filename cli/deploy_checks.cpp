// The optional checks around `mctl deploy`: --check-image before anything is sent to
// Marathon, --verify-dns once the apps are done.
#include "cli/deploy_checks.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/log.hpp"
#include "core/service_http.hpp"
#include "images/credentials.hpp"
#include "images/reference.hpp"
#include "images/registry.hpp"

namespace mctl::cli::deploying {
using nlohmann::json;

// The Mesos-DNS server --verify-dns asks: the HTTP API (mesos_dns_http) or DNS (mesos_dns).
dns::VerifyOptions verify_dns_options(Context& ctx, std::chrono::milliseconds timeout) {
  const auto& config = ctx.config();
  dns::VerifyOptions options;
  options.timeout = timeout;
  const auto& dns = config.settings().dns;
  options.http = core::service_http_options(dns.http);
  if (const auto& url = *dns.http_url; url && !url->empty()) options.server = *url;
  else if (const auto& server = *dns.server; server && !server->empty()) options.server = *server;
  else {
    throw Error("deploy --verify-dns: no Mesos-DNS server configured: set mesos_dns (host[:port]) or mesos_dns_http "
                "in mctl.yaml, or --mesos-dns",
                Exit::usage);
  }
  return options;
}

// --verify-dns: once an app is done, Mesos-DNS must list every running task of it
// (dns::wait_until_listed has the rule); Marathon is asked for the tasks on every round.
void verify_dns(deploy::MarathonClient& client, std::vector<deploy::AppResult>& results,
                const dns::VerifyOptions& options, const std::atomic<bool>& interrupted) {
  for (auto& r : results) {
    if (r.status != deploy::AppStatus::deployed && r.status != deploy::AppStatus::up_to_date) continue;
    const auto running = [&] {
      std::vector<dns::RunningTask> tasks;
      const auto app = client.get_app(r.id);
      for (const auto& task : app ? app->value("tasks", json::array()) : json::array()) {
        if (task.value("state", "TASK_RUNNING") != "TASK_RUNNING") continue;
        dns::RunningTask t{task.value("host", ""), {}};
        for (const auto& port : task.value("ports", json::array())) t.ports.push_back(port.get<long long>());
        tasks.push_back(std::move(t));
      }
      return tasks;
    };
    const auto v = dns::wait_until_listed(r.id, running, options, [&] { return interrupted.load(); });
    if (v.ok) {
      r.message += fmt::format("; Mesos-DNS lists its {} task endpoint(s)", v.endpoints);
      core::log::info("{}: Mesos-DNS lists its {} task endpoint(s)", r.id, v.endpoints);
      continue;
    }
    r.status = deploy::AppStatus::failed;
    r.exit = Exit::failure;
    r.message += fmt::format("; not verified in DNS (--verify-dns, {}s): {}",
                             std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count(), v.problem);
  }
}

// --check-image: every app's Docker image must be in its registry before anything is sent to
// Marathon. Lives here, not in deploy/, which must not depend on images/.
void check_images(Context& ctx, const std::vector<deploy::AppJob>& jobs) {
  const auto& config = ctx.config();
  const auto& configured = *config.settings().registry.host;
  const auto http = core::http::make_curl_client(images::http_options(config));  // one pool for all apps
  for (const auto& job : jobs) {
    const json* image = nullptr;
    if (const auto c = job.definition.find("container"); c != job.definition.end() && c->is_object()) {
      if (const auto d = c->find("docker"); d != c->end() && d->is_object()) {
        if (const auto i = d->find("image"); i != d->end() && i->is_string()) image = &*i;
      }
    }
    if (!image) {
      core::log::info("{}: no Docker image to check", job.id);
      continue;
    }
    const std::string text = image->get<std::string>();
    const images::ImageRef ref = images::parse_reference(text);
    if (ref.registry.empty()) {
      throw Error(fmt::format("checking the image of {} (--check-image): {} names no registry host, so there is no "
                              "registry mctl can ask; write the image with its registry or drop --check-image",
                              job.id, text),
                  Exit::usage);
    }
    // The configured registry setting keeps its scheme (http/https) when it is this host.
    const bool is_configured = configured && !configured->empty() && images::registry_host(*configured) == ref.registry;
    const std::string base = images::registry_base_url(is_configured ? *configured : ref.registry);
    images::RegistryClient registry(*http, base, images::find_credentials(config, ref.registry));
    const std::string reference = !ref.digest.empty() ? ref.digest : ref.tag.empty() ? "latest" : ref.tag;
    if (!registry.manifest_digest(ref.repository, reference)) {
      throw Error(fmt::format("deploy {}: image {} is not in registry {} (--check-image); nothing was sent to Marathon",
                              job.id, text, ref.registry),
                  Exit::no_records);
    }
    core::log::info("{}: image {} is in the registry", job.id, text);
  }
}

}  // namespace mctl::cli::deploying
