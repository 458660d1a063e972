#pragma once
// From a rendered Marathon app definition to the Docker Engine's container create body, with
// Marathon's semantics where the app can see them (ports and their environment variables,
// cmd/args, resources, volumes). Pure: no engine calls, so every rule is unit-tested.
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mctl::local {

// Labels mctl puts on every container and volume it creates.
inline constexpr const char* k_label_project = "mctl.project";
inline constexpr const char* k_label_app = "mctl.app";            // Marathon app id, "/web"
inline constexpr const char* k_label_instance = "mctl.instance";  // 1..instances
inline constexpr const char* k_label_hash = "mctl.definition-hash";
inline constexpr const char* k_label_ports = "mctl.ports";      // "8080,8081" (host ports)
inline constexpr const char* k_sandbox = "/mnt/mesos/sandbox";  // MESOS_SANDBOX in the container

struct Port {
  std::string name;        // "" when unnamed
  int container_port = 0;  // 0: same as the host port
  int host_port = 0;       // as assigned (never 0 in a plan)
  std::string protocol = "tcp";
};

struct ContainerPlan {
  std::string app_id;
  std::string name;  // container name: <project>-<app path with '-'>-<instance>
  int instance = 1;
  std::string image;
  std::vector<Port> ports;
  std::vector<std::string> named_volumes;  // persistent volumes to create first
  nlohmann::json create_body;              // POST /containers/create
  std::vector<std::string> warnings;       // fields Docker has no counterpart for
};

struct PlanInput {
  std::string project;
  int instance = 1;
  std::string git_sha;  // MCTL_GIT_SHA label ("" = none)
  bool bridge = false;  // the engine has a bridge network: publish ports; else host networking
  // A free host port, for ports the spec leaves 0. Ports chosen for an instance stay its own.
  std::function<int()> free_port;
  std::filesystem::path project_dir;  // relative bind-mount host paths resolve against it
  std::vector<int> reuse_ports;       // host ports this instance had (kept across a replace)
};

// SHA-256 (hex) of the canonical rendered definition: equal hashes mean nothing changed.
std::string definition_hash(const nlohmann::json& definition);

// The ports of an app as Marathon declares them (container.portMappings, else
// portDefinitions), with host ports assigned: fixed ones as given, 0 from free_port (or the
// instance's earlier port at the same index).
std::vector<Port> assign_ports(const nlohmann::json& app, const PlanInput& in);

// Marathon's port variables: PORT0..N, PORT (= PORT0), PORTS, PORT_<NAME>, and HOST.
std::vector<std::pair<std::string, std::string>> port_environment(const std::vector<Port>& ports);

// The whole plan for one instance. Throws Error(Exit::usage) for what cannot run locally
// (no container.docker.image, a secret reference without a value).
ContainerPlan plan_container(const nlohmann::json& app, const PlanInput& in);

// "<project>-<app path with '/' as '-'>-<instance>", valid as a Docker container name.
std::string container_name(const std::string& project, const std::string& app_id, int instance);
// A persistent volume's Docker name: "<project>-<app>-<instance>-<containerPath>".
std::string volume_name(const std::string& project, const std::string& app_id, int instance,
                        const std::string& container_path);

}  // namespace mctl::local
