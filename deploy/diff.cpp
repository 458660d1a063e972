#include "deploy/diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "core/strings.hpp"

namespace mctl::deploy {
namespace {

// Fields Marathon computes or that describe runtime state, never part of a definition.
const std::vector<std::string> k_server_owned = {
    "version", "versionInfo", "tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy",
    "deployments", "tasks", "lastTaskFailure", "readinessCheckResults", "taskStats", "tasksStats",
    "uris"};

using Defaults = std::vector<std::pair<std::string, std::vector<json>>>;

// Top-level defaults; some changed between Marathon versions, so several values count.
const Defaults& app_defaults() {
  static const Defaults d = {
      {"instances", {1}}, {"cpus", {1}}, {"mem", {128}}, {"disk", {0}}, {"gpus", {0}},
      {"backoffSeconds", {1}}, {"backoffFactor", {1.15}}, {"maxLaunchDelaySeconds", {300, 3600}},
      {"requirePorts", {false}}, {"executor", {""}}, {"killSelection", {"YOUNGEST_FIRST"}},
      {"role", {"*"}}, {"tty", {false}},
      {"upgradeStrategy", {json{{"minimumHealthCapacity", 1}, {"maximumOverCapacity", 1}}}},
      {"unreachableStrategy", {json{{"inactiveAfterSeconds", 0}, {"expungeAfterSeconds", 0}},
                               json{{"inactiveAfterSeconds", 300}, {"expungeAfterSeconds", 600}}}},
      {"networks", {json::array({json{{"mode", "host"}}})}},
  };
  return d;
}
const Defaults& health_defaults() {
  static const Defaults d = {
      {"gracePeriodSeconds", {300}}, {"intervalSeconds", {60}}, {"timeoutSeconds", {20}},
      {"maxConsecutiveFailures", {3}}, {"delaySeconds", {15}}, {"ignoreHttp1xx", {false}},
      {"ipProtocol", {"IPv4"}}, {"portIndex", {0}}, {"protocol", {"HTTP"}}};
  return d;
}
const Defaults& readiness_defaults() {
  static const Defaults d = {
      {"name", {"readinessCheck"}}, {"protocol", {"HTTP"}}, {"path", {"/"}}, {"intervalSeconds", {30}},
      {"timeoutSeconds", {10}}, {"httpStatusCodesForReady", {json::array({200})}},
      {"preserveLastResponse", {false}}};
  return d;
}
const Defaults& docker_defaults() {
  static const Defaults d = {{"forcePullImage", {false}}, {"privileged", {false}}};
  return d;
}
const Defaults& fetch_defaults() {
  static const Defaults d = {{"extract", {true}}, {"executable", {false}}, {"cache", {false}}};
  return d;
}
const Defaults& port_defaults() {
  static const Defaults d = {{"protocol", {"tcp"}}};
  return d;
}

void drop_defaults(json& object, const Defaults& defaults) {
  if (!object.is_object()) return;
  for (const auto& [key, values] : defaults) {
    auto it = object.find(key);
    if (it != object.end() && std::find(values.begin(), values.end(), *it) != values.end()) object.erase(it);
  }
}

void for_each_element(json& object, const std::string& key, const Defaults& defaults) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return;
  for (auto& element : *it) drop_defaults(element, defaults);
}

// "Missing" and "empty/null" mean the same to Marathon 1.5+ (it omits them when rendering).
void drop_empty(json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      drop_empty(*it);
      if (it->is_null() || ((it->is_object() || it->is_array()) && it->empty())) {
        it = value.erase(it);
      } else {
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& element : value) drop_empty(element);
  }
}

std::string absolute_id(const std::string& id, const std::string& app_id) {
  if (!id.empty() && id.front() == '/') return id;
  const auto slash = app_id.rfind('/');
  const std::string parent = slash == std::string::npos ? "" : app_id.substr(0, slash);
  return parent + "/" + id;
}

bool host_networking(const json& app) {
  auto it = app.find("networks");
  if (it == app.end() || !it->is_array() || it->empty()) return true;
  return (*it)[0].value("mode", "host") == "host";
}

void compare(const json& before, const json& after, const std::string& path, std::vector<FieldChange>& out) {
  if (before == after) return;
  if (before.is_object() && after.is_object()) {
    std::vector<std::string> keys;
    for (auto it = before.begin(); it != before.end(); ++it) keys.push_back(it.key());
    for (auto it = after.begin(); it != after.end(); ++it) {
      if (!before.contains(it.key())) keys.push_back(it.key());
    }
    std::sort(keys.begin(), keys.end());
    for (const auto& key : keys) {
      const json b = before.contains(key) ? before[key] : json();
      const json a = after.contains(key) ? after[key] : json();
      compare(b, a, fmt::format("{}/{}", path, key), out);
    }
    return;
  }
  if (before.is_array() && after.is_array() && before.size() == after.size()) {
    for (std::size_t i = 0; i < before.size(); ++i) compare(before[i], after[i], fmt::format("{}/{}", path, i), out);
    return;
  }
  out.push_back({path.empty() ? "/" : path, before, after});
}

// Copies ports Marathon assigned into `desired` where it asked for "any" (0 or absent).
void adopt_assigned_ports(const json& running, json& desired, const char* list_key, const char* port_key,
                          bool in_container) {
  const json* r = &running;
  json* d = &desired;
  if (in_container) {
    if (!running.contains("container") || !desired.contains("container")) return;
    r = &running["container"];
    d = &desired["container"];
  }
  if (!r->contains(list_key) || !d->contains(list_key)) return;
  const json& rl = (*r)[list_key];
  json& dl = (*d)[list_key];
  if (!rl.is_array() || !dl.is_array()) return;
  for (std::size_t i = 0; i < std::min(rl.size(), dl.size()); ++i) {
    if (!dl[i].is_object() || !rl[i].is_object()) continue;
    if (dl[i].value(port_key, 0) == 0 && rl[i].contains(port_key)) dl[i][port_key] = rl[i][port_key];
  }
}

bool secret_looking(std::string_view field) {
  const std::string name = core::to_lower(field);
  for (const char* s : {"pass", "secret", "token", "key", "credential", "auth", "private"}) {
    if (name.find(s) != std::string::npos) return true;
  }
  return false;
}

std::string show(const std::string& path, const json& value) {
  if (value.is_string() && secret_env_path(path)) return "(hidden)";
  return value.dump();
}

// The default Marathon applies at a JSON pointer of a definition, when the field has one.
std::optional<json> default_at(const std::string& path) {
  std::vector<std::string> t;
  for (std::size_t at = 1; at <= path.size();) {
    const auto next = std::min(path.find('/', at), path.size());
    t.push_back(path.substr(at, next - at));
    at = next + 1;
  }
  const auto is_index = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  const Defaults* table = nullptr;
  std::string key;
  if (t.size() == 1) {
    table = &app_defaults();
    key = t[0];
  } else if (t.size() == 3 && is_index(t[1])) {
    static const std::vector<std::pair<std::string, const Defaults* (*)()>> lists = {
        {"healthChecks", [] { return &health_defaults(); }},
        {"readinessChecks", [] { return &readiness_defaults(); }},
        {"fetch", [] { return &fetch_defaults(); }},
        {"portDefinitions", [] { return &port_defaults(); }}};
    for (const auto& [name, get] : lists) {
      if (t[0] == name) table = get();
    }
    key = t[2];
  } else if (t.size() == 3 && t[0] == "container" && t[1] == "docker") {
    table = &docker_defaults();
    key = t[2];
  } else if (t.size() == 4 && t[0] == "container" && t[1] == "portMappings" && is_index(t[2])) {
    table = &port_defaults();
    key = t[3];
  }
  if (!table) return std::nullopt;
  for (const auto& [name, values] : *table) {
    if (name == key) return values.front();
  }
  return std::nullopt;
}

// The value a side really has at `path` when normalizing dropped it as Marathon's default: the
// value as given (e.g. maxLaunchDelaySeconds 3600), else the default. So a change from or to a
// default reads "~ /instances: 1 -> 2", not "+ /instances: 2".
json effective_value(const json& raw, const std::string& path) {
  const auto fallback = default_at(path);
  if (!fallback) return json();
  const json::json_pointer pointer(path);
  if (raw.contains(pointer) && !raw.at(pointer).is_null()) return raw.at(pointer);
  return *fallback;
}

}  // namespace

json normalize_app(const json& app) {
  json out = app.is_object() ? app : json::object();
  for (const auto& key : k_server_owned) out.erase(key);
  if (out.contains("id") && out["id"].is_string()) {
    std::string id = out["id"].get<std::string>();
    if (id.empty() || id.front() != '/') id = "/" + id;
    out["id"] = id;
  }
  if (out.contains("labels") && out["labels"].is_object()) {
    out["labels"].erase(k_label_git_sha);
    out["labels"].erase(k_label_deployed_at);
  }
  if (out.contains("dependencies") && out["dependencies"].is_array()) {
    for (auto& d : out["dependencies"]) {
      if (d.is_string()) d = absolute_id(d.get<std::string>(), out.value("id", ""));
    }
    std::sort(out["dependencies"].begin(), out["dependencies"].end());
  }
  // Marathon 1.5+ gives a host-networked app without portDefinitions one default port.
  if (host_networking(out) && !out.contains("portDefinitions") && !out.contains("ports")) {
    out["portDefinitions"] = json::array({json{{"port", 0}, {"name", "default"}, {"protocol", "tcp"}}});
  }
  drop_defaults(out, app_defaults());
  for_each_element(out, "healthChecks", health_defaults());
  for_each_element(out, "readinessChecks", readiness_defaults());
  for_each_element(out, "fetch", fetch_defaults());
  for_each_element(out, "portDefinitions", port_defaults());
  if (out.contains("container") && out["container"].is_object()) {
    json& c = out["container"];
    if (c.contains("docker")) drop_defaults(c["docker"], docker_defaults());
    for_each_element(c, "portMappings", port_defaults());
    if (!host_networking(out) && c.contains("portMappings") && c["portMappings"].is_array()) {
      for (auto& m : c["portMappings"]) {
        if (m.is_object() && m.value("hostPort", -1) == 0 && out.value("networks", json::array())[0].value("mode", "") == "container/bridge") {
          m.erase("hostPort");
        }
      }
    }
  }
  drop_empty(out);
  return out;
}

std::vector<FieldChange> diff_apps(const json& running, const json& desired) {
  const json r = normalize_app(running);
  json d = normalize_app(desired);
  if (!d.contains("id") && r.contains("id")) d["id"] = r["id"];
  adopt_assigned_ports(r, d, "portDefinitions", "port", false);
  adopt_assigned_ports(r, d, "portMappings", "servicePort", true);
  std::vector<FieldChange> out;
  compare(r, d, "", out);
  const bool exists = running.is_object() && !running.empty();
  for (auto& c : out) {
    if (c.before.is_null() && exists) c.before = effective_value(running, c.path);
    if (c.after.is_null()) c.after = effective_value(desired, c.path);
  }
  return out;
}

bool secret_env_path(const std::string& pointer) {
  const std::string env = "/env/";
  return pointer.rfind(env, 0) == 0 && secret_looking(std::string_view(pointer).substr(env.size()));
}

json redact_definition(const json& definition) {
  json out = definition;
  if (out.is_object() && out.contains("env") && out["env"].is_object()) {
    for (auto it = out["env"].begin(); it != out["env"].end(); ++it) {
      if (it->is_string() && secret_looking(it.key())) *it = "(hidden)";
    }
  }
  return out;
}

std::string format_changes(const std::vector<FieldChange>& changes) {
  std::string out;
  for (const auto& c : changes) {
    if (c.before.is_null()) {
      out += fmt::format("+ {}: {}\n", c.path, show(c.path, c.after));
    } else if (c.after.is_null()) {
      out += fmt::format("- {}: {}\n", c.path, show(c.path, c.before));
    } else {
      out += fmt::format("~ {}: {} -> {}\n", c.path, show(c.path, c.before), show(c.path, c.after));
    }
  }
  return out;
}

}  // namespace mctl::deploy
