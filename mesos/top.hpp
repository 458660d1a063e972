#pragma once
// How much memory and CPU each task uses: two samples of each agent's /monitor/statistics.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mesos/client.hpp"
#include "mesos/logs.hpp"

namespace mctl::mesos {

struct TaskUsage {
  TaskRef task;
  std::optional<double> rss_bytes;
  std::optional<double>
      limit_bytes;  // includes the executor's overhead (32 MB for Mesos' command executor)
  std::optional<double> cpu_cores;      // (delta user + delta system) / delta timestamp
  std::optional<double> throttled_pct;  // throttled periods / periods between the samples, in %
  std::string problem;                  // why values are missing ("" when none)

  // RSS as a percentage of the limit, when both are known.
  std::optional<double> mem_pct() const;
};

// Samples every task's agent twice, `interval` apart (agents in parallel), and computes each
// task's use. A task whose agent does not answer or has no statistics for it keeps empty
// values and says why in `problem`.
std::vector<TaskUsage> sample_usage(MesosClient& client, const MasterState& state,
                                    const std::vector<TaskRef>& tasks,
                                    std::chrono::milliseconds interval,
                                    const std::atomic<bool>& stop);

// The usage between two samples of one executor.
void compute_usage(TaskUsage& usage, const std::optional<Statistics>& first,
                   const Statistics& second);

}  // namespace mctl::mesos
