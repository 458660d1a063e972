#include "dns/verify.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <cstring>
#include <optional>
#include <set>
#include <thread>

#include "core/error.hpp"
#include "core/log.hpp"
#include "dns/app.hpp"

namespace mctl::dns {
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

// One round: what Marathon runs against what Mesos-DNS lists. "" when every endpoint is listed.
std::string check_once(std::string_view app_id, const std::vector<RunningTask>& tasks,
                       const VerifyOptions& options, std::size_t& expected_count) {
  std::set<std::string> expected;
  std::vector<std::string> unresolved;
  std::map<std::string, std::optional<std::string>> ips;  // many tasks share an agent: ask once
  for (const auto& task : tasks) {
    auto [known, fresh] = ips.try_emplace(task.host);
    if (fresh) known->second = agent_ip(task.host);
    const auto& ip = known->second;
    if (!ip) {
      if (fresh) unresolved.push_back(task.host);
      continue;
    }
    if (task.ports.empty()) expected.insert(*ip);
    for (const auto port : task.ports) expected.insert(fmt::format("{}:{}", *ip, port));
  }
  expected_count = expected.size();
  std::string problem;
  try {
    const auto listed =
        app_tasks(app_id, options.server, options.per_lookup, options.rules, options.http);
    const bool ip_only = std::none_of(listed.begin(), listed.end(), [](const std::string& e) {
      return e.find(':') != std::string::npos;
    });
    std::vector<std::string> missing;
    for (const auto& e : expected) {
      const std::string want = ip_only ? e.substr(0, e.find(':')) : e;
      if (!listed.count(want)) missing.push_back(want);
    }
    if (!missing.empty()) {
      problem =
          fmt::format("Mesos-DNS at {} does not list {} of its {} task endpoint(s): {}",
                      options.server, missing.size(), expected.size(), fmt::join(missing, ", "));
    }
    core::log::debug("{}: Mesos-DNS lists {} endpoint(s), {} expected", app_id, listed.size(),
                     expected.size());
  } catch (const Error& e) {
    problem = fmt::format("asking Mesos-DNS at {}: {}", options.server, e.what());
  }
  if (!unresolved.empty()) {
    problem += fmt::format("{}agent host(s) that do not resolve: {}", problem.empty() ? "" : "; ",
                           fmt::join(unresolved, ", "));
  }
  return problem;
}

}  // namespace

Verification wait_until_listed(std::string_view app_id,
                               const std::function<std::vector<RunningTask>()>& running_tasks,
                               const VerifyOptions& options, const std::function<bool()>& stop) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  Verification result;
  for (;;) {
    result.problem = check_once(app_id, running_tasks(), options, result.endpoints);
    result.ok = result.problem.empty();
    if (result.ok || Clock::now() >= deadline || stop()) return result;
    // Mesos-DNS refreshes its records on its own schedule: wait a little, in small steps so a
    // stop request is seen at once.
    const auto next = std::min(deadline, Clock::now() + options.interval);
    while (Clock::now() < next && !stop())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace mctl::dns
