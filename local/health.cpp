#include "local/health.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace mctl::local {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

milliseconds seconds_field(const json& j, const char* key, milliseconds fallback) {
  if (!j.contains(key) || !j[key].is_number()) return fallback;
  return milliseconds(static_cast<long long>(j[key].get<double>() * 1000));
}

int resolve_port(const json& j, const std::vector<Port>& ports, const std::string& app_id) {
  if (j.contains("port") && j["port"].is_number_integer()) return j["port"].get<int>();
  if (j.contains("portName") && j["portName"].is_string()) {
    for (const auto& p : ports) {
      if (p.name == j["portName"].get<std::string>()) return p.host_port;
    }
    throw Error(fmt::format("{}: check names port '{}', which the app does not declare", app_id,
                            j["portName"].get<std::string>()),
                Exit::usage);
  }
  const auto index = static_cast<std::size_t>(j.value("portIndex", 0));
  if (index >= ports.size()) {
    throw Error(fmt::format("{}: check uses portIndex {}, but the app has {} ports", app_id, index,
                            ports.size()),
                Exit::usage);
  }
  return ports[index].host_port;
}

std::string protocol_of(const json& j) {
  std::string protocol = j.value("protocol", "HTTP");
  if (core::starts_with(protocol, "MESOS_")) protocol = protocol.substr(6);
  return protocol;
}

}  // namespace

std::string HealthCheck::describe() const {
  switch (kind) {
    case Kind::http:
      return fmt::format("HTTP :{}{}", port, path);
    case Kind::https:
      return fmt::format("HTTPS :{}{}", port, path);
    case Kind::tcp:
      return fmt::format("TCP :{}", port);
    case Kind::command:
      return fmt::format("COMMAND {}", command);
  }
  return "";
}

std::vector<HealthCheck> health_checks(const json& app, const std::vector<Port>& ports) {
  std::vector<HealthCheck> out;
  const std::string id = app.value("id", "");
  for (const auto& j : app.value("healthChecks", json::array())) {
    HealthCheck c;
    const std::string protocol = protocol_of(j);
    if (protocol == "HTTP" || protocol == "HTTPS") {
      c.kind = protocol == "HTTP" ? HealthCheck::Kind::http : HealthCheck::Kind::https;
      c.path = j.value("path", "/");
      c.port = resolve_port(j, ports, id);
      c.ignore_1xx = j.value("ignoreHttp1xx", false);
    } else if (protocol == "TCP") {
      c.kind = HealthCheck::Kind::tcp;
      c.port = resolve_port(j, ports, id);
    } else if (protocol == "COMMAND") {
      c.kind = HealthCheck::Kind::command;
      c.command =
          j.contains("command") && j["command"].is_object() ? j["command"].value("value", "") : "";
      if (c.command.empty())
        throw Error(fmt::format("{}: COMMAND health check without command.value", id), Exit::usage);
    } else {
      throw Error(fmt::format("{}: health check protocol '{}' is not one mctl up knows", id,
                              j.value("protocol", "")),
                  Exit::usage);
    }
    c.grace = seconds_field(j, "gracePeriodSeconds", c.grace);
    c.interval = seconds_field(j, "intervalSeconds", c.interval);
    c.timeout = seconds_field(j, "timeoutSeconds", c.timeout);
    c.max_failures = j.value("maxConsecutiveFailures", c.max_failures);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<ReadinessCheck> readiness_checks(const json& app, const std::vector<Port>& ports) {
  std::vector<ReadinessCheck> out;
  for (const auto& j : app.value("readinessChecks", json::array())) {
    ReadinessCheck c;
    c.https = j.value("protocol", "HTTP") == "HTTPS";
    c.path = j.value("path", "/");
    json named = j;
    if (!named.contains("portName")) named["portName"] = ports.empty() ? "" : ports.front().name;
    c.port = named["portName"].get<std::string>().empty()
                 ? (ports.empty() ? 0 : ports.front().host_port)
                 : resolve_port(named, ports, app.value("id", ""));
    if (j.contains("httpStatusCodesForReady"))
      c.ready_codes = j["httpStatusCodesForReady"].get<std::vector<int>>();
    c.interval = seconds_field(j, "intervalSeconds", c.interval);
    c.timeout = seconds_field(j, "timeoutSeconds", c.timeout);
    out.push_back(std::move(c));
  }
  return out;
}

HealthTracker::Verdict HealthTracker::record(bool passed, Clock::time_point at) {
  if (passed) {
    m_ever_healthy = true;
    m_failures = 0;
    return m_verdict = Verdict::healthy;
  }
  if (!m_ever_healthy && at - m_started < m_check.grace) return m_verdict;  // still in grace
  ++m_failures;
  if (m_check.max_failures > 0 && m_failures >= m_check.max_failures)
    return m_verdict = Verdict::kill;
  return m_verdict = Verdict::unhealthy;
}

bool tcp_connects(int port, milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      int error = 0;
      socklen_t len = sizeof error;
      ok = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    }
  }
  ::close(fd);
  return ok;
}

Prober::Prober() {
  core::http::ClientOptions o;
  o.max_retries = 0;
  m_http = core::http::make_curl_client(o);
}

Prober::~Prober() = default;

int Prober::http_status(bool https, int port, const std::string& path, milliseconds timeout) {
  if (https && !m_https) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    core::http::ClientOptions o;
    o.max_retries = 0;
    o.insecure = true;  // Marathon's HTTPS checks accept any certificate; loopback only
    if (!m_https) m_https = core::http::make_curl_client(o);
  }
  core::http::Request request;
  request.url = fmt::format("{}://127.0.0.1:{}{}", https ? "https" : "http", port, path);
  request.timeout = timeout;
  request.fresh_connection = true;
  try {
    return static_cast<int>((https ? m_https : m_http)->send(request).status);
  } catch (const Error&) {
    return 0;  // refused, reset or timed out
  }
}

std::optional<bool> Prober::probe(const HealthCheck& c, const Exec& exec) {
  switch (c.kind) {
    case HealthCheck::Kind::http:
    case HealthCheck::Kind::https: {
      const int status = http_status(c.kind == HealthCheck::Kind::https, c.port, c.path, c.timeout);
      if (status >= 100 && status < 200 && c.ignore_1xx) return std::nullopt;
      return status >= 200 && status < 400;  // Marathon: 2xx and 3xx are healthy
    }
    case HealthCheck::Kind::tcp:
      return tcp_connects(c.port, c.timeout);
    case HealthCheck::Kind::command:
      try {
        return exec(c.command, c.timeout) == 0;
      } catch (const Error&) {
        return false;
      }
  }
  return false;
}

bool Prober::ready(const ReadinessCheck& c) {
  const int status = http_status(c.https, c.port, c.path, c.timeout);
  return std::find(c.ready_codes.begin(), c.ready_codes.end(), status) != c.ready_codes.end();
}

}  // namespace mctl::local
