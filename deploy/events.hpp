#pragma once
// A background reader of Marathon's event stream. Events are only hints that wake the
// followers early: the stream is lossy, so followers always confirm by polling.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "deploy/marathon_client.hpp"

namespace mctl::deploy {

// A task that ended badly (failed, lost, killed as unhealthy, vanished while not healthy), as
// one source saw it. The follower counts these per task id (follow.hpp, FailedTasks).
struct TaskEnd {
  std::string task_id;
  std::string version;  // the app version the task ran
  std::string state;    // TASK_FAILED, TASK_KILLED, ...
  std::string message;
  std::string host;
  std::string source;   // "event", "lastTaskFailure", "poll"
};

class EventHub {
 public:
  // Starts reading /v2/events in a thread that reconnects (with backoff) until stopped.
  explicit EventHub(std::shared_ptr<MarathonClient> client);
  // A hub without a reader: events come only through handle() (tests).
  EventHub();
  // Stops reading and joins the reader: its connection is shut down (a read waiting for the
  // next event or heartbeat returns at once) and a reconnect backoff is cut short.
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Waits until the stream is attached (its first event arrived), up to `timeout`.
  bool wait_attached(std::chrono::milliseconds timeout);
  bool attached() const;

  // A counter that moves whenever an event mentions one of `keys`: an app id, a deployment id,
  // or failures_key(app id) (moves only when a task of that app failed).
  std::uint64_t generation(const std::vector<std::string>& keys) const;
  std::uint64_t generation(const std::string& app_id, const std::string& deployment_id) const {
    return generation(std::vector<std::string>{app_id, deployment_id});
  }
  // Waits up to `timeout` for generation(keys) to differ from `seen`; wakes every 100 ms to
  // check `interrupted`. Returns the current generation.
  std::uint64_t wait(const std::vector<std::string>& keys, std::uint64_t seen, std::chrono::milliseconds timeout,
                     const std::atomic<bool>* interrupted) const;
  std::uint64_t wait(const std::string& app_id, const std::string& deployment_id, std::uint64_t seen,
                     std::chrono::milliseconds timeout, const std::atomic<bool>* interrupted) const {
    return wait(std::vector<std::string>{app_id, deployment_id}, seen, timeout, interrupted);
  }
  static std::string failures_key(const std::string& app_id) { return "failed:" + app_id; }
  // Tasks of `app_id` that ended badly by the event stream: TASK_FAILED/ERROR/LOST/DROPPED/
  // GONE, TASK_KILLED of a task reported unhealthy, unhealthy_instance_kill_event.
  std::map<std::string, TaskEnd> failed_tasks(const std::string& app_id) const;

  // Called after each event (from the reader thread, with no lock of the hub held); an
  // empty function removes it. Returns once no call of the previous listener is running.
  void set_listener(std::function<void()> listener);

  // Feeds one event (used by the reader thread; public for tests).
  void handle(const std::string& type, const json& data);

 private:
  void count_locked(const std::string& type, const json& data, const std::vector<std::string>& keys);
  std::optional<TaskEnd> ended_locked(const std::string& type, const json& data);
  struct State;
  void read_loop(const std::shared_ptr<MarathonClient>& client);
  std::shared_ptr<State> m_state;
  std::thread m_reader;
};

}  // namespace mctl::deploy
