#pragma once
// The container, exec, volume and log calls mctl up needs, on the Docker Engine client of
// core. Containers and volumes are found by mctl's labels (local/spec.hpp), never by name.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/docker.hpp"

namespace mctl::local {

struct LocalContainer {
  std::string id;
  std::string name;
  std::string app_id;
  int instance = 0;
  std::string hash;
  std::string state;   // running, exited, created, ...
  std::string status;  // "Up 3 minutes"
  std::string image;
  std::string ports;  // host ports, "8080,8081"
  long long created = 0;
};

// A line of a container's output; `err` when it came from stderr.
using LineHandler = std::function<void(bool err, const std::string& line)>;

struct LogQuery {
  std::optional<int> tail;         // last N lines
  std::optional<long long> since;  // unix seconds
  bool follow = false;
  bool stdout_lines = true;
  bool stderr_lines = true;
};

// Splits Docker's multiplexed log stream (8-byte frame headers) into lines.
class LogDemux {
 public:
  explicit LogDemux(LineHandler handler) : m_handler(std::move(handler)) {}
  void feed(std::string_view chunk);
  void finish();

 private:
  void emit(bool err, std::string_view text);
  LineHandler m_handler;
  std::string m_buffer;
  std::string m_partial[2];
};

class Engine {
 public:
  explicit Engine(core::DockerClient& docker) : m_docker(docker) {}
  core::DockerClient& docker() { return m_docker; }

  // Whether the engine has its default bridge network (else containers use the host's).
  bool has_bridge();
  // The project's containers (running or not), optionally of one app id.
  std::vector<LocalContainer> containers(const std::string& project,
                                         const std::string& app_id = {});
  bool image_present(const std::string& reference);
  // Creates (or keeps) a named volume with the given labels.
  void ensure_volume(const std::string& name, const nlohmann::json& labels);
  // The project's volumes (names), optionally of one app id.
  std::vector<std::string> volumes(const std::string& project, const std::string& app_id = {});
  void remove_volume(const std::string& name);
  // Creates a container; a leftover container of the same name and project (from a killed run)
  // is removed. Throws Error(Exit::failure) when that name is taken by a container that is not
  // the project's (a user's own, or another project's): mctl never removes those.
  std::string create(const std::string& name, const nlohmann::json& body);
  void start(const std::string& id, const std::string& name);
  // Stops (SIGTERM, then SIGKILL after `grace`) and removes; a container already gone is fine.
  void remove(const std::string& id, std::chrono::seconds grace = std::chrono::seconds(5));
  // State of a container: "running", "exited", ... and its exit code; "" when gone.
  std::pair<std::string, int> state(const std::string& id);
  // Runs `sh -c command` in the container and returns its exit code. Throws Error(Exit::timeout).
  int exec(const std::string& id, const std::string& command, std::chrono::milliseconds timeout);
  // Calls `on_line` for each line of output; with follow, until the container stops or
  // `on_line`'s caller sets `stop`.
  void logs(const std::string& id, const LogQuery& query, const LineHandler& on_line,
            const std::function<bool()>& stop = {});

 private:
  void remove_leftover(const std::string& name, const std::string& project);
  core::DockerClient& m_docker;
};

}  // namespace mctl::local
