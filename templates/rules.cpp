#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/app_id.hpp"
#include "core/strings.hpp"
#include "templates/rules.hpp"
#include "templates/variables.hpp"

namespace mctl::templates {
namespace {

using nlohmann::json;

const json* get_path(const json& object, std::initializer_list<const char*> keys) {
  const json* at = &object;
  for (const char* key : keys) {
    at = json_member(*at, key);
    if (!at) return nullptr;
  }
  return at;
}

std::string text(const json* v) { return v && v->is_string() ? v->get<std::string>() : std::string(); }

void check_id(const json& app, std::vector<Problem>& out) {
  const json* id = json_member(app, "id");
  if (!id || !id->is_string()) return;  // the schema reports it
  if (auto problem = core::app_id_problem(id->get<std::string>(), true)) out.push_back({"/id", *problem});
}

void check_command(const json& app, std::vector<Problem>& out) {
  const bool has_cmd = json_member(app, "cmd") && !json_member(app, "cmd")->is_null();
  const bool has_args = json_member(app, "args") && !json_member(app, "args")->is_null();
  if (has_cmd && has_args) {
    out.push_back({"/args", "set either 'cmd' (run by /bin/sh -c) or 'args' (exec form), not both"});
  }
  if (!has_cmd && !has_args && !json_member(app, "container")) {
    out.push_back({"", "the app needs 'cmd', 'args' or a 'container' (for example image: NAME)"});
  }
  if (json_member(app, "ports") && json_member(app, "portDefinitions")) {
    out.push_back({"/ports", "set 'portDefinitions' or the deprecated 'ports', not both"});
  }
  if (json_member(app, "uris") && json_member(app, "fetch")) {
    out.push_back({"/uris", "set 'fetch' or the deprecated 'uris', not both"});
  }
}

// "host", "container/bridge" or "container", as Marathon derives it.
std::string network_mode(const json& app) {
  if (const json* networks = json_member(app, "networks"); networks && networks->is_array() && !networks->empty()) {
    const std::string mode = text(json_member((*networks)[0], "mode"));
    return mode.empty() ? "container" : mode;
  }
  const std::string legacy = text(get_path(app, {"container", "docker", "network"}));
  if (legacy == "BRIDGE") return "container/bridge";
  if (legacy == "USER") return "container";
  return "host";
}

void check_networks(const json& app, std::vector<Problem>& out) {
  const json* networks = json_member(app, "networks");
  if (networks && networks->is_array()) {
    std::size_t host = 0, bridge = 0, container = 0;
    for (std::size_t i = 0; i < networks->size(); ++i) {
      const std::string mode = text(json_member((*networks)[i], "mode"));
      if (mode == "host") ++host;
      else if (mode == "container/bridge") ++bridge;
      else {
        ++container;
        if (text(json_member((*networks)[i], "name")).empty()) {
          out.push_back({fmt::format("/networks/{}", i), "a 'container' network needs a 'name'"});
        }
      }
    }
    if (host + bridge > 1 || ((host || bridge) && container)) {
      out.push_back({"/networks", "use one 'host' network, one 'container/bridge' network, or one or more "
                                  "named 'container' networks, not a mix"});
    }
    if (container > 1 && text(get_path(app, {"container", "type"})) == "DOCKER") {
      out.push_back({"/networks", "the DOCKER containerizer joins at most one container network"});
    }
  }
  const std::string mode = network_mode(app);
  const json* mappings = get_path(app, {"container", "portMappings"});
  if (mode == "host" && mappings && mappings->is_array() && !mappings->empty()) {
    out.push_back({"/container/portMappings",
                   "container.portMappings need bridge or container networking (networks: [{mode: "
                   "container/bridge}]); with host networking use portDefinitions"});
  }
  const json* definitions = json_member(app, "portDefinitions");
  if (mode != "host" && definitions && definitions->is_array() && !definitions->empty()) {
    out.push_back({"/portDefinitions", fmt::format("portDefinitions only apply to host networking, this app uses "
                                                   "'{}': use container.portMappings",
                                                   mode)});
  }
}

void check_secret_refs(const json& app, std::vector<Problem>& out) {
  const json* secrets = json_member(app, "secrets");
  std::vector<std::string> names;
  if (secrets && secrets->is_object()) {
    for (const auto& item : secrets->items()) names.push_back(item.key());
  }
  auto check = [&](const std::string& name, const std::string& pointer, const std::string& what) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      out.push_back({pointer, fmt::format("{} references secret '{}', which is not a key of 'secrets'{}", what, name,
                                          core::suggestion_suffix(name, names))});
    }
  };
  if (const json* env = json_member(app, "env"); env && env->is_object()) {
    for (const auto& [key, value] : env->items()) {
      if (value.is_object() && json_member(value, "secret") && json_member(value, "secret")->is_string()) {
        check(value["secret"].get<std::string>(), pointer_append(pointer_append("/env", key), "secret"),
              "env " + key);
      }
    }
  }
  if (const json* volumes = get_path(app, {"container", "volumes"}); volumes && volumes->is_array()) {
    for (std::size_t i = 0; i < volumes->size(); ++i) {
      if (const json* s = json_member((*volumes)[i], "secret"); s && s->is_string()) {
        check(s->get<std::string>(), fmt::format("/container/volumes/{}/secret", i), "volume");
      }
    }
  }
}

// Marathon's apps API takes any env name, but a task's environment cannot hold some (core's
// rule: empty, '=' or NUL): refused here rather than mangled on the agent.
void check_env_names(const json& app, std::vector<Problem>& out) {
  const json* env = json_member(app, "env");
  if (!env || !env->is_object()) return;
  for (const auto& [key, value] : env->items()) {
    const std::string text = value.is_string() ? value.get<std::string>() : "";
    if (const char* why = core::env_entry_problem(key, text)) {
      out.push_back({pointer_append("/env", key), fmt::format("env '{}' cannot be a task's environment variable: {}",
                                                              core::printable(key), why)});
    }
  }
}

void check_resident(const json& app, std::vector<Problem>& out) {
  const json* volumes = get_path(app, {"container", "volumes"});
  if (!volumes || !volumes->is_array()) return;
  bool resident = false;
  for (std::size_t i = 0; i < volumes->size(); ++i) {
    const json& v = (*volumes)[i];
    if (!json_member(v, "persistent")) continue;
    resident = true;
    const std::string base = fmt::format("/container/volumes/{}", i);
    const std::string path = text(json_member(v, "containerPath"));
    if (path.find('/') != std::string::npos) {
      out.push_back({base + "/containerPath",
                     fmt::format("a persistent volume's containerPath must be relative without '/', not '{}'", path)});
    }
    if (const json* mode = json_member(v, "mode"); mode && text(mode) != "RW") {
      out.push_back({base + "/mode", "a persistent volume must be mounted RW"});
    }
    if (const json* size = get_path(v, {"persistent", "size"}); size && size->is_number() && size->get<double>() <= 0) {
      out.push_back({base + "/persistent/size", "a persistent volume needs a size above 0 (MiB)"});
    }
  }
  if (!resident) return;
  if (const json* over = get_path(app, {"upgradeStrategy", "maximumOverCapacity"});
      over && over->is_number() && over->get<double>() != 0) {
    out.push_back({"/upgradeStrategy/maximumOverCapacity",
                   "an app with persistent volumes (resident) needs maximumOverCapacity 0"});
  }
  if (const json* unreachable = json_member(app, "unreachableStrategy"); unreachable && *unreachable != "disabled") {
    out.push_back({"/unreachableStrategy", "an app with persistent volumes (resident) needs unreachableStrategy "
                                           "\"disabled\""});
  }
}

// Port names and count of the app, when it declares them.
std::pair<std::vector<std::string>, std::size_t> ports_of(const json& app) {
  std::vector<std::string> names;
  std::size_t count = 0;
  for (const json* list : {json_member(app, "portDefinitions"), get_path(app, {"container", "portMappings"}),
                           get_path(app, {"container", "docker", "portMappings"})}) {
    if (!list || !list->is_array()) continue;
    count += list->size();
    for (const auto& p : *list) {
      if (const json* n = json_member(p, "name"); n && n->is_string()) names.push_back(n->get<std::string>());
    }
  }
  if (const json* ports = json_member(app, "ports"); ports && ports->is_array()) count += ports->size();
  return {names, count};
}

void check_checks(const json& app, std::vector<Problem>& out) {
  const auto [port_names, port_count] = ports_of(app);
  const bool ports_known = json_member(app, "portDefinitions") || json_member(app, "ports") ||
                           get_path(app, {"container", "portMappings"}) ||
                           get_path(app, {"container", "docker", "portMappings"});
  if (const json* checks = json_member(app, "healthChecks"); checks && checks->is_array()) {
    std::size_t mesos_side = 0;
    for (std::size_t i = 0; i < checks->size(); ++i) {
      const json& c = (*checks)[i];
      const std::string base = fmt::format("/healthChecks/{}", i);
      const std::string protocol = text(json_member(c, "protocol"));
      if (core::starts_with(protocol, "MESOS_") || protocol == "COMMAND") ++mesos_side;
      if (protocol == "COMMAND" && !json_member(c, "command")) {
        out.push_back({base, "a COMMAND health check needs command: {value: ...}"});
      }
      const json* index = json_member(c, "portIndex");
      if (ports_known && index && index->is_number_integer() && index->get<long long>() >= 0 &&
          static_cast<std::size_t>(index->get<long long>()) >= port_count) {
        out.push_back({base + "/portIndex", fmt::format("portIndex {} addresses no port: the app has {} port(s)",
                                                        index->get<long long>(), port_count)});
      }
    }
    if (mesos_side > 1) {
      out.push_back({"/healthChecks", "at most one Mesos-side health check (MESOS_HTTP, MESOS_HTTPS, MESOS_TCP, "
                                      "COMMAND) per app"});
    }
  }
  if (const json* checks = json_member(app, "readinessChecks"); checks && checks->is_array()) {
    if (checks->size() > 1) out.push_back({"/readinessChecks/1", "Marathon allows at most one readiness check"});
    for (std::size_t i = 0; i < checks->size(); ++i) {
      const json& c = (*checks)[i];
      const std::string base = fmt::format("/readinessChecks/{}", i);
      const json* interval = json_member(c, "intervalSeconds");
      const json* timeout = json_member(c, "timeoutSeconds");
      if (interval && timeout && interval->is_number() && timeout->is_number() &&
          timeout->get<double>() >= interval->get<double>()) {
        out.push_back({base + "/timeoutSeconds", "a readiness check's timeoutSeconds must be below intervalSeconds"});
      }
      const std::string port = text(json_member(c, "portName"));
      if (!port.empty() && ports_known &&
          std::find(port_names.begin(), port_names.end(), port) == port_names.end()) {
        out.push_back({base + "/portName", fmt::format("readiness check portName '{}' names no port of the app{}", port,
                                                       core::suggestion_suffix(port, port_names))});
      }
    }
  }
}

void check_container(const json& app, std::vector<Problem>& out) {
  const json* container = json_member(app, "container");
  if (!container || !container->is_object()) return;
  const std::string type = text(json_member(*container, "type"));
  if (type == "DOCKER" && !json_member(*container, "docker")) {
    out.push_back({"/container", "a DOCKER container needs docker.image (or write image: NAME)"});
  }
  if (type == "DOCKER" && json_member(app, "gpus") && json_member(app, "gpus")->is_number() && json_member(app, "gpus")->get<double>() > 0) {
    out.push_back({"/gpus", "GPUs need the MESOS containerizer (container.type MESOS), not DOCKER"});
  }
}

void find_ciphertext(const json& v, const std::string& pointer, std::vector<Problem>& out) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find("$ANSIBLE_VAULT;") != std::string::npos || s.find("$MCTL_VAULT") != std::string::npos) {
      out.push_back({pointer, fmt::format("refusing to emit '{}': it still holds vault ciphertext; reference the "
                                          "secret as {{{{ secrets.NAME }}}} so mctl decrypts it",
                                          dotted(pointer))});
    }
  } else if (v.is_object()) {
    for (const auto& [key, child] : v.items()) find_ciphertext(child, pointer_append(pointer, key), out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) find_ciphertext(v[i], pointer_append(pointer, std::to_string(i)), out);
  }
}

}  // namespace

std::vector<Problem> run_checks(const json& app, std::initializer_list<Check> checks) {
  std::vector<Problem> out;
  if (!app.is_object()) return out;
  for (const Check check : checks) check(app, out);
  return out;
}

std::vector<Problem> check_marathon_rules(const json& app) {
  return run_checks(app, {check_id, check_command, check_networks, check_secret_refs, check_env_names,
                          check_resident, check_checks, check_container});
}

std::vector<Problem> check_ciphertext(const json& app) {
  std::vector<Problem> out;
  find_ciphertext(app, "", out);
  return out;
}

std::vector<Problem> check_secrets_in_env(const json& app, const std::map<std::string, std::string>& secret_values) {
  std::vector<Problem> out;
  for (const auto& [pointer, name] : secret_values) {
    if (!core::starts_with(pointer, "/env/")) continue;
    const std::string var = dotted(pointer).substr(4);
    if (!app.contains(json::json_pointer(pointer))) continue;
    std::string short_name = core::starts_with(name, "secrets.") ? name.substr(8) : name;
    std::replace(short_name.begin(), short_name.end(), '.', '_');
    out.push_back({pointer, fmt::format("env {} holds {} in plain text; Marathon shows env to anyone who can read "
                                        "apps. Prefer Marathon's secrets: env: {{{}: {{secret: {}}}}} with "
                                        "secrets: {{{}: {{source: <secret store path>}}}}",
                                        var, name, var, short_name, short_name)});
  }
  return out;
}

const nlohmann::json* json_member(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace mctl::templates
