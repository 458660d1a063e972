#include "mesos/top.hpp"

#include <fmt/format.h>

#include <malloc.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "core/error.hpp"

namespace mctl::mesos {
namespace {

using Samples =
    std::map<std::string, std::map<std::string, Statistics>>;  // address -> executor -> stats

// One /monitor/statistics of every agent, in parallel; agents that fail are in `failed`.
void sample(MesosClient& client, const std::vector<std::string>& addresses, Samples& out,
            std::map<std::string, std::string>& failed) {
  std::mutex mutex;
  client.for_each_parallel(addresses, [&](const std::string& address) {
    try {
      auto stats = client.agent_statistics(address);
      std::lock_guard lock(mutex);
      out[address] = std::move(stats);
    } catch (const Error& e) {
      std::lock_guard lock(mutex);
      failed[address] = e.what();
    }
  });
}

}  // namespace

std::optional<double> TaskUsage::mem_pct() const {
  if (!rss_bytes || !limit_bytes || *limit_bytes <= 0) return std::nullopt;
  return *rss_bytes * 100.0 / *limit_bytes;
}

void compute_usage(TaskUsage& u, const std::optional<Statistics>& first, const Statistics& second) {
  u.rss_bytes = second.mem_rss;
  u.limit_bytes = second.mem_limit;
  if (!first) return;
  const double dt = second.timestamp - first->timestamp;
  if (dt > 0 && first->cpu_seconds && second.cpu_seconds) {
    u.cpu_cores = std::max(0.0, (*second.cpu_seconds - *first->cpu_seconds) / dt);
  }
  if (first->periods && second.periods && first->throttled_periods && second.throttled_periods) {
    const double periods = *second.periods - *first->periods;
    u.throttled_pct =
        periods > 0 ? (*second.throttled_periods - *first->throttled_periods) * 100.0 / periods
                    : 0.0;
  }
}

std::vector<TaskUsage> sample_usage(MesosClient& client, const MasterState& state,
                                    const std::vector<TaskRef>& tasks,
                                    std::chrono::milliseconds interval,
                                    const std::atomic<bool>& stop) {
  std::vector<TaskUsage> out;
  std::vector<std::string> addresses;
  std::map<std::string, std::string> address_of;  // task id -> agent address
  for (const auto& t : tasks) {
    TaskUsage u;
    u.task = t;
    const auto agent = state.agents.find(t.agent_id);
    if (agent == state.agents.end() || agent->second.address.empty()) {
      u.problem = fmt::format("agent {} is not registered with the Mesos master", t.agent_id);
    } else {
      address_of[t.id] = agent->second.address;
      if (std::find(addresses.begin(), addresses.end(), agent->second.address) == addresses.end()) {
        addresses.push_back(agent->second.address);
      }
    }
    out.push_back(std::move(u));
  }
  Samples first, second;
  std::map<std::string, std::string> failed;
  // The task list's and the master state's JSON documents are freed by now, but glibc keeps
  // their pages; the agents' workers then allocate in arenas of their own on top of them.
  // Handing the free pages back first keeps top's peak RSS to one of the two (bench/top.sh).
  malloc_trim(0);
  sample(client, addresses, first, failed);
  const auto until = std::chrono::steady_clock::now() + interval;
  while (!stop && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // An agent that failed the first sample is not asked again: a stuck one would cost a whole
  // request timeout twice, and its tasks have no CPU figure without two samples anyway.
  std::erase_if(addresses, [&](const std::string& a) { return failed.count(a) != 0; });
  sample(client, addresses, second, failed);
  for (auto& u : out) {
    if (!u.problem.empty()) continue;
    const auto& address = address_of.at(u.task.id);
    if (const auto f = failed.find(address); f != failed.end()) {
      u.problem = fmt::format("agent {} ({}) did not answer: {}", u.task.host, address, f->second);
      continue;
    }
    const auto task = state.tasks.find(u.task.id);
    const std::string executor = task != state.tasks.end() ? task->second.executor_id : u.task.id;
    const auto now = second[address].find(executor);
    if (now == second[address].end()) {
      u.problem = fmt::format("agent {} has no statistics for it (not running there)", u.task.host);
      continue;
    }
    const auto before = first[address].find(executor);
    compute_usage(
        u,
        before == first[address].end() ? std::nullopt : std::optional<Statistics>(before->second),
        now->second);
  }
  return out;
}

}  // namespace mctl::mesos
