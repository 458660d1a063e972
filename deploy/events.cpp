#include "deploy/events.hpp"

#include <thread>

#include "core/log.hpp"

namespace mctl::deploy {

struct EventHub::State {
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, std::uint64_t> counters;  // by app id and by deployment id
  std::map<std::string, std::map<std::string, std::string>> failures;  // app -> task -> version
  bool attached = false;
  std::atomic<bool> stop{false};
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
    for (const auto& action : step.value("actions", json::array())) {
      if (action.contains("app") && action["app"].is_string()) out.push_back(action["app"].get<std::string>());
    }
  }
}

std::string str(const json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

EventHub::EventHub() : m_state(std::make_shared<State>()) {}

EventHub::EventHub(std::shared_ptr<MarathonClient> client) : m_state(std::make_shared<State>()) {
  auto state = m_state;
  std::thread([state, client]() {
    EventHub view;
    view.m_state = state;
    int failures = 0;
    while (!state->stop) {
      try {
        client->stream_events(
            [&](const std::string& type, const json& data) {
              view.handle(type, data);
              failures = 0;
              return !state->stop;
            },
            [&] { return !state->stop.load(); });
      } catch (const std::exception& e) {
        core::log::debug("event stream: {}", e.what());
      }
      {
        std::lock_guard lock(state->mutex);
        state->attached = false;
      }
      if (state->stop) break;
      // Lost events are covered by polling; reconnect with a modest backoff.
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * std::min(++failures, 10)));
    }
  }).detach();
}

EventHub::~EventHub() { m_state->stop = true; }

void EventHub::handle(const std::string& type, const json& data) {
  std::vector<std::string> keys;
  if (type == "deployment_success" || type == "deployment_failed") {
    keys.push_back(str(data, "id"));
    if (data.contains("plan")) plan_apps(data["plan"], keys);
  } else if (type.rfind("deployment_", 0) == 0 && data.contains("plan") && data["plan"].is_object()) {
    keys.push_back(str(data["plan"], "id"));
  }
  for (const char* field : {"appId", "runSpecId"}) {
    if (auto id = str(data, field); !id.empty()) keys.push_back(id);
  }
  {
    std::lock_guard lock(m_state->mutex);
    count_locked(type, data, keys);
  }
  std::lock_guard lock(m_state->listener_mutex);
  if (m_state->listener) m_state->listener();
}

void EventHub::count_locked(const std::string& type, const json& data, const std::vector<std::string>& keys) {
  if (type == "event_stream_attached") m_state->attached = true;
  if (type == "status_update_event" && failed_state(str(data, "taskStatus"))) {
    m_state->failures[str(data, "appId")][str(data, "taskId")] = str(data, "version");
    ++m_state->counters[failures_key(str(data, "appId"))];
  }
  for (const auto& k : keys) {
    if (!k.empty()) ++m_state->counters[k];
  }
  m_state->changed.notify_all();
}

void EventHub::set_listener(std::function<void()> listener) const {
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

std::map<std::string, std::string> EventHub::failed_tasks(const std::string& app_id) const {
  std::lock_guard lock(m_state->mutex);
  auto it = m_state->failures.find(app_id);
  return it == m_state->failures.end() ? std::map<std::string, std::string>{} : it->second;
}

}  // namespace mctl::deploy
