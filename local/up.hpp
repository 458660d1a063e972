#pragma once
// mctl up / ps / down / logs --local: run rendered Marathon apps as containers of the local
// Docker Engine, supervise them with Marathon's health semantics, and clean them up.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/docker.hpp"
#include "core/error.hpp"
#include "local/engine.hpp"

namespace mctl::local {

struct UpApp {
  std::string id;             // "/web"
  nlohmann::json definition;  // rendered, as `mctl render` prints it
};

// What the caller shows: a state change of a container, a line it printed, or a note.
struct UpEvent {
  enum class Kind { state, log, note };
  Kind kind = Kind::note;
  std::string container;  // container name ("" for notes)
  std::string text;
  bool err = false;  // log: the line came from stderr
};

struct UpOptions {
  std::string project;
  std::string git_sha;
  std::filesystem::path project_dir;
  bool detach = false;
  std::chrono::milliseconds timeout{600'000};  // detach: until every app is healthy
  // X-Registry-Auth value for pulling an image ("" = anonymous).
  std::function<std::string(const std::string& image)> registry_auth;
  std::function<void(const UpEvent&)> on_event;
  const std::atomic<bool>* interrupted = nullptr;
  int failure_log_lines = 20;
  // Where the project's lock file goes (local/lock.hpp); "" = the temporary directory.
  std::filesystem::path lock_dir;
};

struct UpResult {
  Exit exit = Exit::ok;
  std::string network;                    // "bridge" or "host"
  std::vector<std::string> created;       // container names started by this run
  std::vector<std::string> kept;          // unchanged and running: left alone
  std::vector<std::string> replaced;      // definition changed: removed and created again
  std::string failure;                    // why an app failed (detach)
  std::vector<std::string> failure_logs;  // its container's last lines
};

// Takes the project's lock first (waiting, within the timeout, for another `up` of the same
// project on the same engine to end). Starts `waves` in order (each wave's apps depend only on
// earlier waves): every app's instances are created, started, and health- and readiness-checked
// before the next wave. An instance whose definition hash and state are unchanged is kept.
// Foreground (not detach): supervises until *interrupted, replacing containers that exit or fail
// maxConsecutiveFailures checks, then removes the containers it created (exit interrupted).
// Detach: returns once all are healthy (ok), one failed (failure) or the timeout passed.
// Throws Error for a missing image (Exit::no_records) or an engine error before anything ran.
UpResult up(std::shared_ptr<core::DockerClient> docker,
            const std::vector<std::vector<UpApp>>& waves, const UpOptions& options);

struct DownResult {
  std::vector<std::string> containers;
  std::vector<std::string> volumes;
};
// Removes the project's containers (of `app_ids`, or all), and their volumes with `volumes`.
DownResult down(core::DockerClient& docker, const std::string& project,
                const std::vector<std::string>& app_ids, bool volumes);

// The container's output lines (prefixed by the caller). Throws Error(Exit::no_records) when
// the app has no local container.
void app_logs(core::DockerClient& docker, const std::string& project, const std::string& app_id,
              const LogQuery& query,
              const std::function<void(const std::string& container, bool err,
                                       const std::string& line)>& on_line);

}  // namespace mctl::local
