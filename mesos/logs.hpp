#pragma once
// What an app's tasks print: their sandbox's stdout and stderr, read from each task's agent
// with /files/read, the last N lines or everything, and followed from the last offset.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mesos/client.hpp"

namespace mctl::mesos {

// A task to read, as Marathon lists it (or the Mesos master, for a finished task).
struct TaskRef {
  std::string id;
  std::string app_id;
  std::string host;
  std::string agent_id;
};

enum class Stream { out, err };

struct LogOptions {
  bool out = true;                          // read stdout
  bool err = true;                          // read stderr
  long long tail = 50;                      // the last N lines of each file; -1: all of it
  bool follow = false;                      // keep reading what the tasks append
  std::optional<double> since;              // epoch s: a task started after it is shown whole
  std::chrono::milliseconds poll{150};      // follow: the period of the reads
  std::chrono::milliseconds refresh{1000};  // follow: the period of the task list's refresh
  long long chunk = 64LL * 1024;            // bytes asked per request (the agent may cap it lower)
  std::size_t max_line = 1 << 20;           // a longer line without '\n' is cut here
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  // One line of a task's file, without its '\n', bytes as the task wrote them.
  virtual void line(const TaskRef& task, Stream stream, std::string_view text) = 0;
  // Something about one task a person should know (agent down, sandbox gone, finished).
  virtual void note(const TaskRef& task, const std::string& message) = 0;
};

struct LogResult {
  int read = 0;         // tasks whose files were read
  int unreachable = 0;  // tasks whose agent could not be asked
  int gone = 0;         // tasks whose sandbox is gone (garbage-collected, or never found)
};

// The tasks to read, given the master's state (refreshed while following: a task that
// appears joins, one that leaves the list or ends in Mesos is read to its end and stops).
using TaskLister = std::function<std::vector<TaskRef>(const MasterState& state)>;

// Reads the tasks' logs into `sink` (called from one thread only, task by task in list
// order). Returns when done, or with `follow` when `stop` is set.
LogResult read_logs(MesosClient& client, const TaskLister& list, const LogOptions& options,
                    LogSink& sink, const std::atomic<bool>& stop);

// The ids of the tasks `given` names (--task): a task whose id or short id starts with it. A
// task whose whole id is `given` is named alone, even when it also starts
// another's id ("web.instance-X._app.1" and "web.instance-X._app.10").
std::vector<std::string> tasks_named(const std::vector<TaskRef>& tasks, const std::string& given);

// Splits `pending` into complete lines (handed to `emit` without '\n'); what remains is an
// unfinished line, unless it is longer than `max_line` (then emitted as one line too).
void take_lines(std::string& pending, std::size_t max_line,
                const std::function<void(std::string_view)>& emit);

// The start offset, within `text` (the end of a file), of its last `n` lines; nullopt when
// `text` holds fewer than n complete line starts (read further back). A final '\n' ends the
// last line, it does not start a new one.
std::optional<std::size_t> last_lines_start(std::string_view text, long long n, bool at_file_start);

}  // namespace mctl::mesos
