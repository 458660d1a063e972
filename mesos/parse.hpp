#pragma once
// Mesos' answers, decoded: the master's /master/state, an agent's /state, /files/read and
// /monitor/statistics (shapes in mesos/README.md). Pure functions, no I/O; malformed answers
// throw Error(Exit::remote) naming the endpoint.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mctl::mesos {

struct AgentInfo {
  std::string id;
  std::string hostname;
  std::string address;  // "IP:PORT" from pid "slave(1)@IP:PORT"
  bool active = true;
};

struct TaskInfo {
  std::string id;
  std::string framework_id;
  std::string executor_id;  // "" in Mesos for command/Docker tasks: then the task id
  std::string agent_id;
  std::string state;   // TASK_RUNNING, TASK_FAILED, ...
  double started = 0;  // first TASK_RUNNING status (epoch s), 0 when unknown
  double ended = 0;    // last terminal status, 0 when running
  double mem_mb = 0;
};

struct MasterState {
  std::map<std::string, AgentInfo> agents;  // by agent id
  std::map<std::string, TaskInfo> tasks;    // by task id, running and completed
};

// "slave(1)@10.0.0.5:5051" -> "10.0.0.5:5051"; nullopt when it has no "@host:port".
std::optional<std::string> address_from_pid(std::string_view pid);

// GET /master/state. `endpoint` names it in errors.
MasterState parse_master_state(std::string_view body, const std::string& endpoint);

struct Sandbox {
  std::string directory;
  bool completed = false;  // from completed_executors
};
// GET agent /state: every executor's sandbox (running and completed), by executor id.
std::map<std::string, Sandbox> parse_agent_state(std::string_view body,
                                                 const std::string& endpoint);

// GET /files/read: {"data": "...", "offset": N}. `data` is decoded leniently: Mesos writes the
// file's bytes into the JSON string as they are (only '"', '\\' and control characters are
// escaped), so it may hold invalid UTF-8, which a JSON parser refuses; `\uXXXX` escapes below
// 0x100 are single bytes.
struct FileChunk {
  std::string data;
  long long offset = 0;
};
FileChunk parse_read(std::string_view body, const std::string& endpoint);

struct Statistics {
  double timestamp = 0;
  std::optional<double> cpu_seconds;        // user + system
  std::optional<double> throttled_periods;  // cpus_nr_throttled
  std::optional<double> periods;            // cpus_nr_periods
  std::optional<double> mem_rss;
  std::optional<double> mem_limit;
};
// GET /monitor/statistics: by executor id.
std::map<std::string, Statistics> parse_statistics(std::string_view body,
                                                   const std::string& endpoint);

// The base URL a 307's Location names: "//10.0.0.2:5050" or "//10.0.0.2:5050/master/state"
// (Mesos' protocol-relative form) or an absolute URL, with the scheme of `requested`.
std::string leader_base_from_location(std::string_view location, std::string_view requested);

// A task's short form for prefixes: the first 8 characters of the instance's UUID for
// Marathon 1.5+ ids ("web.instance-1a2b3c4d-...._app.1" -> "1a2b3c4d"), of the UUID after the
// last '.' for older ids ("web.1a2b3c4d-..." -> "1a2b3c4d"), else the id itself.
std::string short_task_id(std::string_view task_id);

}  // namespace mctl::mesos
