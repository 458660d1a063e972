// The optional checks around `mctl deploy`: --check-image before anything is sent to
// Marathon, --verify-dns once the apps are done.
#include "cli/deploy_checks.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <thread>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/log.hpp"
#include "dns/app.hpp"
#include "images/credentials.hpp"
#include "images/reference.hpp"
#include "images/registry.hpp"

namespace mctl::cli::deploying {
using nlohmann::json;

namespace {

// The IPv4 address of an agent host name as Marathon reports it; nullopt when it does not resolve.
std::optional<std::string> agent_ip(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) return std::nullopt;
  sockaddr_in address{};
  std::memcpy(&address, found->ai_addr, std::min<std::size_t>(sizeof address, found->ai_addrlen));
  freeaddrinfo(found);
  char text[INET_ADDRSTRLEN] = {};
  if (!inet_ntop(AF_INET, &address.sin_addr, text, sizeof text)) return std::nullopt;
  return std::string(text);
}

}  // namespace

// The Mesos-DNS server --verify-dns asks: the HTTP API (mesos_dns_http) or DNS (mesos_dns).
std::string mesos_dns_server(Context& ctx) {
  const auto& config = ctx.config();
  if (auto url = config.get_optional("mesos_dns_http"); url && !url->empty()) return *url;
  if (auto server = config.get_optional("mesos_dns"); server && !server->empty()) return *server;
  throw Error("deploy --verify-dns: no Mesos-DNS server configured: set mesos_dns (host[:port]) or mesos_dns_http "
              "in mctl.yaml, or --mesos-dns",
              Exit::usage);
}

// --verify-dns: once an app is done, Mesos-DNS must list every running task of it (agent IP
// and host port; the IP alone for an app without ports). Mesos-DNS reads Mesos state every
// refreshSeconds, so this asks again until the deadline. A task it lacks turns the app's
// result into a failure (the deployment itself is not undone).
void verify_dns(deploy::MarathonClient& client, std::vector<deploy::AppResult>& results, const std::string& server,
                std::chrono::milliseconds timeout, const std::atomic<bool>& interrupted) {
  using Clock = std::chrono::steady_clock;
  for (auto& r : results) {
    if (r.status != deploy::AppStatus::deployed && r.status != deploy::AppStatus::up_to_date) continue;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      std::set<std::string> expected;
      std::vector<std::string> unresolved;
      const auto app = client.get_app(r.id);
      for (const auto& task : app ? app->value("tasks", json::array()) : json::array()) {
        if (task.value("state", "TASK_RUNNING") != "TASK_RUNNING") continue;
        const std::string host = task.value("host", "");
        const auto ip = agent_ip(host);
        if (!ip) {
          unresolved.push_back(host);
          continue;
        }
        const auto ports = task.value("ports", json::array());
        if (ports.empty()) expected.insert(*ip);
        for (const auto& port : ports) expected.insert(fmt::format("{}:{}", *ip, port.get<long long>()));
      }
      std::string problem;
      std::size_t listed_count = 0;
      try {
        const auto listed = dns::app_tasks(r.id, server, std::chrono::milliseconds(5000));
        listed_count = listed.size();
        const bool ip_only = std::none_of(listed.begin(), listed.end(), [](const std::string& e) {
          return e.find(':') != std::string::npos;
        });
        std::vector<std::string> missing;
        for (const auto& e : expected) {
          const std::string want = ip_only ? e.substr(0, e.find(':')) : e;
          if (!listed.count(want)) missing.push_back(want);
        }
        if (!missing.empty()) {
          problem = fmt::format("Mesos-DNS at {} does not list {} of its {} task endpoint(s): {}", server, missing.size(),
                                expected.size(), fmt::join(missing, ", "));
        }
      } catch (const Error& e) {
        problem = fmt::format("asking Mesos-DNS at {}: {}", server, e.what());
      }
      if (!unresolved.empty()) {
        problem += fmt::format("{}agent host(s) that do not resolve: {}", problem.empty() ? "" : "; ",
                               fmt::join(unresolved, ", "));
      }
      if (problem.empty()) {
        r.message += fmt::format("; Mesos-DNS lists its {} task endpoint(s)", expected.size());
        core::log::info("{}: Mesos-DNS lists {} endpoint(s), {} expected", r.id, listed_count, expected.size());
        break;
      }
      if (Clock::now() >= deadline || interrupted) {
        r.status = deploy::AppStatus::failed;
        r.exit = Exit::failure;
        r.message += fmt::format("; not verified in DNS (--verify-dns, {}s): {}",
                                 std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), problem);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

// --check-image: every app's Docker image must be in its registry before anything is sent to
// Marathon. Lives here, not in deploy/, which must not depend on images/.
void check_images(Context& ctx, const std::vector<deploy::AppJob>& jobs) {
  const auto& config = ctx.config();
  const auto configured = config.get_optional("registry");
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
