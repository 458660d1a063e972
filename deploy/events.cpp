#include "deploy/events.hpp"

#include <optional>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "deploy/fields.hpp"

namespace mctl::deploy {

struct EventHub::State {
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, std::uint64_t> counters;  // by app id and by deployment id
  std::map<std::string, std::map<std::string, TaskEnd>> failures;  // app -> task -> how it ended
  std::set<std::string> unhealthy;  // task and instance ids last reported unhealthy
  bool attached = false;
  std::atomic<bool> stop{false};
  core::http::Canceller canceller;  // ends the reader's open stream when the hub goes
  std::mutex listener_mutex;  // held while the listener runs, so removing it waits for that
  std::function<void()> listener;
};

namespace {

bool failed_state(const std::string& s) {
  return s == "TASK_FAILED" || s == "TASK_ERROR" || s == "TASK_LOST" || s == "TASK_DROPPED" || s == "TASK_GONE";
}

void plan_apps(const json& plan, std::vector<std::string>& out) {
  if (!plan.is_object() || !plan.contains("steps") || !plan["steps"].is_array()) return;
  for (const auto& step : plan["steps"]) {
    if (!step.is_object() || !step.contains("actions") || !step["actions"].is_array()) continue;
    for (const auto& action : step["actions"]) {
      if (auto app = string_field(action, "app"); !app.empty()) out.push_back(app);
    }
  }
}


// Marathon's task ids are "<instance id>._app.<n>" (1.4+): health events name the instance.
std::string instance_of(const std::string& task_id) {
  const auto at = task_id.rfind("._app");
  return at == std::string::npos ? task_id : task_id.substr(0, at);
}

bool terminal_state(const std::string& s) {
  return failed_state(s) || s == "TASK_KILLED" || s == "TASK_FINISHED" || s == "TASK_UNREACHABLE";
}

}  // namespace

EventHub::EventHub() : m_state(std::make_shared<State>()) {}

EventHub::EventHub(std::shared_ptr<MarathonClient> client)
    : m_state(std::make_shared<State>()),
      m_reader([this, client = std::move(client)] { read_loop(client); }) {}

void EventHub::read_loop(const std::shared_ptr<MarathonClient>& client) {
  auto& state = *m_state;
  int failures = 0;
  while (!state.stop) {
    try {
      client->stream_events(
          [&](const std::string& type, const json& data) {
            handle(type, data);
            failures = 0;
            return !state.stop;
          },
          [&] { return !state.stop.load(); }, &state.canceller);
    } catch (const std::exception& e) {
      core::log::debug("event stream: {}", e.what());
    }
    std::unique_lock lock(state.mutex);
    state.attached = false;
    // Lost events are covered by polling; reconnect with a modest backoff (cut short by stop).
    const auto backoff = std::chrono::milliseconds(200 * std::min(++failures, 10));
    state.changed.wait_for(lock, backoff, [&] { return state.stop.load(); });
  }
}

EventHub::~EventHub() {
  if (!m_reader.joinable()) return;
  {
    std::lock_guard lock(m_state->mutex);
    m_state->stop = true;
  }
  m_state->changed.notify_all();
  m_state->canceller.cancel();
  m_reader.join();
}

void EventHub::handle(const std::string& type, const json& data) {
  std::vector<std::string> keys;
  if (type == "deployment_success" || type == "deployment_failed") {
    keys.push_back(string_field(data, "id"));
    if (data.contains("plan")) plan_apps(data["plan"], keys);
  } else if (type.rfind("deployment_", 0) == 0 && data.contains("plan") && data["plan"].is_object()) {
    keys.push_back(string_field(data["plan"], "id"));
  }
  for (const char* field : {"appId", "runSpecId"}) {
    if (auto id = string_field(data, field); !id.empty()) keys.push_back(id);
  }
  {
    std::lock_guard lock(m_state->mutex);
    count_locked(type, data, keys);
  }
  std::lock_guard lock(m_state->listener_mutex);
  if (m_state->listener) m_state->listener();
}

// The one reading of "a task ended badly" from the event stream (tasks, health, kills).
std::optional<TaskEnd> EventHub::ended_locked(const std::string& type, const json& data) {
  auto& unhealthy = m_state->unhealthy;
  const std::string task = string_field(data, "taskId");
  const std::string instance = string_field(data, "instanceId");
  if (type == "failed_health_check_event" || (type == "health_status_changed_event" && data.is_object() &&
                                                data.value("alive", true) == false)) {
    if (!task.empty()) unhealthy.insert(instance_of(task));
    if (!instance.empty()) unhealthy.insert(instance);
  } else if (type == "instance_health_changed_event" && data.is_object() && data.contains("healthy")) {
    if (data["healthy"] == false) unhealthy.insert(instance);
    if (data["healthy"] == true) unhealthy.erase(instance);
  } else if (type == "health_status_changed_event") {
    unhealthy.erase(instance);
  } else if (type == "unhealthy_instance_kill_event" && !task.empty()) {
    return TaskEnd{task, string_field(data, "version"), "TASK_KILLED",
                   "killed by Marathon for failing health checks: " + string_field(data, "reason"), string_field(data, "host"), "event"};
  } else if (type == "status_update_event" && !task.empty()) {
    const std::string state = string_field(data, "taskStatus");
    const bool was_unhealthy = unhealthy.count(instance_of(task)) > 0;
    if (terminal_state(state)) unhealthy.erase(instance_of(task));
    if (failed_state(state) || (state == "TASK_KILLED" && was_unhealthy)) {
      std::string message = string_field(data, "message");
      if (state == "TASK_KILLED") message = "killed while unhealthy" + (message.empty() ? "" : ": " + message);
      return TaskEnd{task, string_field(data, "version"), state, message, string_field(data, "host"), "event"};
    }
  }
  return std::nullopt;
}

void EventHub::count_locked(const std::string& type, const json& data, const std::vector<std::string>& keys) {
  if (type == "event_stream_attached") m_state->attached = true;
  if (auto end = ended_locked(type, data)) {
    const std::string app = string_field(data, "appId");
    m_state->failures[app].try_emplace(end->task_id, std::move(*end));
    ++m_state->counters[failures_key(app)];
  }
  for (const auto& k : keys) {
    if (!k.empty()) ++m_state->counters[k];
  }
  m_state->changed.notify_all();
}

void EventHub::set_listener(std::function<void()> listener) {
  std::lock_guard lock(m_state->listener_mutex);
  m_state->listener = std::move(listener);
}

bool EventHub::wait_attached(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_state->mutex);
  return m_state->changed.wait_for(lock, timeout, [&] { return m_state->attached; });
}

bool EventHub::attached() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->attached;
}

std::uint64_t EventHub::generation(const std::vector<std::string>& keys) const {
  std::lock_guard lock(m_state->mutex);
  std::uint64_t sum = 0;
  for (const auto& k : keys) {
    if (k.empty()) continue;
    auto it = m_state->counters.find(k);
    if (it != m_state->counters.end()) sum += it->second;
  }
  return sum;
}

std::uint64_t EventHub::wait(const std::vector<std::string>& keys, std::uint64_t seen, std::chrono::milliseconds timeout,
                             const std::atomic<bool>* interrupted) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::uint64_t now_gen = generation(keys);
    if (now_gen != seen) return now_gen;
    const auto now = std::chrono::steady_clock::now();
    if (now >= until || (interrupted && *interrupted)) return now_gen;
    std::unique_lock lock(m_state->mutex);
    m_state->changed.wait_for(lock, std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(100)));
  }
}

std::map<std::string, TaskEnd> EventHub::failed_tasks(const std::string& app_id) const {
  std::lock_guard lock(m_state->mutex);
  auto it = m_state->failures.find(app_id);
  return it == m_state->failures.end() ? std::map<std::string, TaskEnd>{} : it->second;
}

}  // namespace mctl::deploy
