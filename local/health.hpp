#pragma once
// Marathon's health and readiness checks, run by mctl against local containers: the check
// definitions with Marathon's defaults, one probe, and the verdict rules (grace period,
// maxConsecutiveFailures -> the task is killed and replaced).
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/http.hpp"
#include "local/spec.hpp"

namespace mctl::local {

using Clock = std::chrono::steady_clock;

struct HealthCheck {
  enum class Kind { http, https, tcp, command };
  Kind kind = Kind::http;
  std::string path = "/";
  int port = 0;             // host port (from portIndex, port or the first port)
  std::string command;      // COMMAND: run with sh -c in the container
  bool ignore_1xx = false;  // HTTP: a 1xx answer counts as neither pass nor fail
  std::chrono::milliseconds grace{300'000}, interval{60'000}, timeout{20'000};
  int max_failures = 3;          // 0: never killed
  std::string describe() const;  // "HTTP :8080/health", "COMMAND test -f /ready"
};

struct ReadinessCheck {
  std::string path = "/";
  int port = 0;
  bool https = false;
  std::vector<int> ready_codes{200};
  std::chrono::milliseconds interval{30'000}, timeout{10'000};
};

// The app's healthChecks (HTTP/HTTPS/TCP/COMMAND and their MESOS_ forms), ports resolved
// against the instance's. Throws Error(Exit::usage) for a port index the app does not have.
std::vector<HealthCheck> health_checks(const nlohmann::json& app, const std::vector<Port>& ports);
std::vector<ReadinessCheck> readiness_checks(const nlohmann::json& app,
                                             const std::vector<Port>& ports);

// One result per check round, folded into Marathon's verdict for a task.
class HealthTracker {
 public:
  enum class Verdict { unknown, healthy, unhealthy, kill };
  HealthTracker(const HealthCheck& check, Clock::time_point started)
      : m_check(check), m_started(started) {}
  // Records a pass (true), a failure (false) at `at`; returns the verdict now. Failures in
  // the grace period before the first pass are ignored; after maxConsecutiveFailures
  // consecutive failures the verdict is kill.
  Verdict record(bool passed, Clock::time_point at);
  Verdict verdict() const { return m_verdict; }
  int consecutive_failures() const { return m_failures; }

 private:
  HealthCheck m_check;
  Clock::time_point m_started;
  bool m_ever_healthy = false;
  int m_failures = 0;
  Verdict m_verdict = Verdict::unknown;
};

// Runs probes. `exec` runs a COMMAND check in the container and returns its exit code
// (throws on a timeout). HTTPS checks do not verify the certificate, as Marathon's do not.
class Prober {
 public:
  using Exec = std::function<int(const std::string& command, std::chrono::milliseconds timeout)>;
  Prober();
  ~Prober();
  // true = passed, false = failed, nullopt = neither (ignored 1xx).
  std::optional<bool> probe(const HealthCheck& check, const Exec& exec);
  bool ready(const ReadinessCheck& check);

 private:
  int http_status(bool https, int port, const std::string& path, std::chrono::milliseconds timeout);
  std::unique_ptr<core::http::HttpClient> m_http;
  std::unique_ptr<core::http::HttpClient> m_https;
};

// A TCP connect to 127.0.0.1:port within the timeout.
bool tcp_connects(int port, std::chrono::milliseconds timeout);

}  // namespace mctl::local
