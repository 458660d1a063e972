#include "local/spec.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cmath>
#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace mctl::local {
namespace {

using nlohmann::json;

std::string sanitize(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    out += ok ? c : '-';
  }
  while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(0, 1);
  return out.empty() ? "app" : out;
}

std::string env_name(const std::string& text) {
  std::string out;
  for (const char c : text)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

const json& at_or_empty(const json& j, const char* key) {
  static const json empty;
  return j.is_object() && j.contains(key) ? j[key] : empty;
}

// Host port for index i: fixed as declared, else the instance's earlier one, else a free one.
int host_port_for(int declared, std::size_t i, const PlanInput& in) {
  if (declared > 0) return declared;
  if (i < in.reuse_ports.size() && in.reuse_ports[i] > 0) return in.reuse_ports[i];
  if (!in.free_port) throw Error("no free port source for a port declared as 0", Exit::failure);
  return in.free_port();
}

std::string app_path(const std::string& app_id) {
  std::string path = app_id;
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  for (auto& c : path) c = c == '/' ? '-' : c;
  return path;
}

// A variable a process environment can carry as the app's spec means it (core's rule).
void check_env(const std::string& app_id, const std::string& name, const std::string& value) {
  const char* why = core::env_entry_problem(name, value);
  if (why == nullptr) return;
  throw Error(fmt::format("{}: env '{}' cannot be given to a container: {}", app_id,
                          core::printable(name), why),
              Exit::usage);
}

// Env entries: Marathon's own first, the app's env after (so the app may override them).
json environment(const json& app, const ContainerPlan& plan) {
  std::vector<std::pair<std::string, std::string>> env = port_environment(plan.ports);
  env.emplace_back("MARATHON_APP_ID", plan.app_id);
  env.emplace_back("MARATHON_APP_DOCKER_IMAGE", plan.image);
  env.emplace_back("MESOS_TASK_ID", plan.name);
  env.emplace_back("MESOS_SANDBOX", k_sandbox);
  if (app.contains("cpus") && app["cpus"].is_number())
    env.emplace_back("MARATHON_APP_RESOURCE_CPUS", app["cpus"].dump());
  if (app.contains("mem") && app["mem"].is_number())
    env.emplace_back("MARATHON_APP_RESOURCE_MEM", app["mem"].dump());
  for (const auto& [key, value] : at_or_empty(app, "env").items()) {
    if (value.is_string()) {
      env.emplace_back(key, value.get<std::string>());
    } else if (value.is_object() && value.contains("secret")) {
      throw Error(
          fmt::format(
              "{}: env {} refers to Marathon secret '{}', which needs the cluster's secret store; "
              "locally use \"{{{{ secrets.NAME }}}}\" from the vault instead",
              plan.app_id, key,
              value["secret"].is_string() ? value["secret"].get<std::string>() : ""),
          Exit::usage);
    } else {
      env.emplace_back(key, value.dump());
    }
  }
  json out = json::array();
  for (const auto& [k, v] : env) {
    check_env(plan.app_id, k, v);
    out.push_back(fmt::format("{}={}", k, v));
  }
  return out;
}

json labels(const json& app, const ContainerPlan& plan, const PlanInput& in) {
  json out = json::object();
  for (const auto& [key, value] : at_or_empty(app, "labels").items()) {
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  if (!in.git_sha.empty()) out["MCTL_GIT_SHA"] = in.git_sha;
  out[k_label_project] = in.project;
  out[k_label_app] = plan.app_id;
  out[k_label_instance] = std::to_string(in.instance);
  out[k_label_hash] = definition_hash(app);
  std::string ports;
  for (const auto& p : plan.ports)
    ports += (ports.empty() ? "" : ",") + std::to_string(p.host_port);
  out[k_label_ports] = ports;
  return out;
}

void add_resources(const json& app, json& host) {
  if (app.contains("mem") && app["mem"].is_number() && app["mem"].get<double>() > 0) {
    host["Memory"] = static_cast<long long>(std::llround(app["mem"].get<double>() * 1024 * 1024));
  }
  if (app.contains("cpus") && app["cpus"].is_number() && app["cpus"].get<double>() > 0) {
    // Marathon's cpus as a CFS quota (Docker's --cpus): cpus * period, at least Docker's 1 ms.
    host["CpuPeriod"] = 100000;
    host["CpuQuota"] =
        std::max(1000LL, static_cast<long long>(std::llround(app["cpus"].get<double>() * 100000)));
  }
}

void add_ports(ContainerPlan& plan, const PlanInput& in, json& body, json& host) {
  host["NetworkMode"] = in.bridge ? "bridge" : "host";
  if (!in.bridge) return;
  json exposed = json::object(), bindings = json::object();
  for (const auto& p : plan.ports) {
    const std::string key = fmt::format("{}/{}", p.container_port, p.protocol);
    exposed[key] = json::object();
    bindings[key] =
        json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", std::to_string(p.host_port)}}});
  }
  body["ExposedPorts"] = exposed;
  host["PortBindings"] = bindings;
}

void add_volumes(const json& app, ContainerPlan& plan, const PlanInput& in, json& host) {
  json binds = json::array(), mounts = json::array();
  for (const auto& v : at_or_empty(at_or_empty(app, "container"), "volumes")) {
    const std::string target = v.value("containerPath", "");
    const std::string path =
        !target.empty() && target.front() == '/' ? target : std::string(k_sandbox) + "/" + target;
    const bool read_only = v.value("mode", "RW") == "RO";
    if (v.contains("persistent")) {
      const std::string name = volume_name(in.project, plan.app_id, in.instance, target);
      plan.named_volumes.push_back(name);
      mounts.push_back(
          {{"Type", "volume"}, {"Source", name}, {"Target", path}, {"ReadOnly", read_only}});
    } else if (v.contains("hostPath")) {
      std::filesystem::path source = v.value("hostPath", "");
      if (source.is_relative()) source = in.project_dir / source;
      binds.push_back(fmt::format("{}:{}:{}", source.string(), path, read_only ? "ro" : "rw"));
    } else {
      plan.warnings.push_back(fmt::format(
          "volume {} is neither a host path nor persistent: not mounted locally", target));
    }
  }
  if (!binds.empty()) host["Binds"] = binds;
  if (!mounts.empty()) host["Mounts"] = mounts;
}

// container.docker.parameters that have the same meaning in the create body.
void add_parameters(const json& docker, ContainerPlan& plan, json& body, json& host) {
  for (const auto& p : at_or_empty(docker, "parameters")) {
    const std::string key = p.value("key", ""), value = p.value("value", "");
    if (key == "env" || key == "e") {
      body["Env"].push_back(value);
    } else if (key == "label" || key == "l") {
      const auto eq = value.find('=');
      body["Labels"][value.substr(0, eq)] = eq == std::string::npos ? "" : value.substr(eq + 1);
    } else if (key == "workdir" || key == "w") {
      body["WorkingDir"] = value;
    } else if (key == "hostname" || key == "h") {
      body["Hostname"] = value;
    } else if (key == "user" || key == "u") {
      body["User"] = value;
    } else if (key == "add-host") {
      host["ExtraHosts"].push_back(value);
    } else if (key == "cap-add") {
      host["CapAdd"].push_back(value);
    } else if (key == "cap-drop") {
      host["CapDrop"].push_back(value);
    } else if (key == "init") {
      host["Init"] = value != "false";
    } else if (key == "read-only") {
      host["ReadonlyRootfs"] = value != "false";
    } else if (key == "shm-size") {
      plan.warnings.push_back("docker parameter shm-size is not applied locally");
    } else {
      plan.warnings.push_back(
          fmt::format("docker parameter {} has no local counterpart: ignored", key));
    }
  }
}

}  // namespace

std::string definition_hash(const json& definition) {
  const std::string text = definition.dump();  // nlohmann sorts object keys: canonical
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string container_name(const std::string& project, const std::string& app_id, int instance) {
  return fmt::format("{}-{}-{}", sanitize(project.empty() ? "mctl" : project),
                     sanitize(app_path(app_id)), instance);
}

std::string volume_name(const std::string& project, const std::string& app_id, int instance,
                        const std::string& container_path) {
  return fmt::format("{}-{}", container_name(project, app_id, instance), sanitize(container_path));
}

std::vector<Port> assign_ports(const json& app, const PlanInput& in) {
  std::vector<Port> ports;
  const json& mappings = at_or_empty(at_or_empty(app, "container"), "portMappings");
  if (!mappings.empty()) {
    for (const auto& m : mappings) {
      Port p;
      p.name = m.value("name", "");
      p.protocol = m.value("protocol", "tcp");
      p.container_port = m.value("containerPort", 0);
      // Host networking has one port space: an app bound to a fixed containerPort is there.
      const int declared = in.bridge ? m.value("hostPort", 0) : p.container_port;
      p.host_port = host_port_for(declared, ports.size(), in);
      if (p.container_port == 0) p.container_port = p.host_port;  // Marathon: 0 = same as host
      ports.push_back(p);
    }
    return ports;
  }
  for (const auto& d : at_or_empty(app, "portDefinitions")) {
    Port p;
    p.name = d.value("name", "");
    p.protocol = d.value("protocol", "tcp");
    // portDefinitions' port is a service port; the host port equals it only with requirePorts.
    const int declared = app.value("requirePorts", false) ? d.value("port", 0) : 0;
    p.host_port = host_port_for(declared, ports.size(), in);
    p.container_port = p.host_port;
    ports.push_back(p);
  }
  return ports;
}

std::vector<std::pair<std::string, std::string>> port_environment(const std::vector<Port>& ports) {
  std::vector<std::pair<std::string, std::string>> env;
  std::string all;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const std::string value = std::to_string(ports[i].host_port);
    env.emplace_back(fmt::format("PORT{}", i), value);
    if (!ports[i].name.empty()) env.emplace_back("PORT_" + env_name(ports[i].name), value);
    all += (all.empty() ? "" : ",") + value;
  }
  if (!ports.empty()) {
    env.emplace_back("PORT", std::to_string(ports.front().host_port));
    env.emplace_back("PORTS", all);
  }
  env.emplace_back("HOST", "127.0.0.1");
  return env;
}

ContainerPlan plan_container(const json& app, const PlanInput& in) {
  ContainerPlan plan;
  plan.app_id = app.value("id", "");
  plan.instance = in.instance;
  plan.name = container_name(in.project, plan.app_id, in.instance);
  const json& docker = at_or_empty(at_or_empty(app, "container"), "docker");
  plan.image = docker.is_object() ? docker.value("image", "") : "";
  if (plan.image.empty()) {
    throw Error(fmt::format("{}: no container.docker.image; mctl up runs Docker containers only",
                            plan.app_id),
                Exit::usage);
  }
  plan.ports = assign_ports(app, in);
  json body = {
      {"Image", plan.image}, {"Env", environment(app, plan)}, {"Labels", labels(app, plan, in)}};
  if (app.contains("cmd") && app["cmd"].is_string()) {
    body["Entrypoint"] = json::array({"/bin/sh", "-c"});  // Marathon runs cmd with a shell
    body["Cmd"] = json::array({app["cmd"]});
  } else if (app.contains("args") && app["args"].is_array() && !app["args"].empty()) {
    body["Cmd"] = app["args"];
  }
  if (app.contains("user") && app["user"].is_string()) body["User"] = app["user"];
  json host = json::object();
  add_resources(app, host);
  add_ports(plan, in, body, host);
  add_volumes(app, plan, in, host);
  if (docker.value("privileged", false)) host["Privileged"] = true;
  body["HostConfig"] = host;
  add_parameters(docker, plan, body, body["HostConfig"]);
  plan.create_body = std::move(body);
  return plan;
}

}  // namespace mctl::local
