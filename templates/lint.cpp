// The platform checklist the Ansible workflow grew from, as warnings (mctl lint).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/strings.hpp"
#include "templates/rules.hpp"

namespace mctl::templates {
namespace {

using nlohmann::json;

bool non_empty_list(const json* v) { return v && v->is_array() && !v->empty(); }

void health(const json& app, std::vector<Problem>& out) {
  if (!non_empty_list(json_member(app, "healthChecks"))) {
    out.push_back({"", "no healthChecks: Marathon cannot replace a hung task, and deployments count a task as "
                       "healthy as soon as it runs"});
  }
}

void image_tag(const json& app, std::vector<Problem>& out) {
  const json* container = json_member(app, "container");
  if (!container) return;
  for (const char* kind : {"docker", "appc"}) {
    const json* runtime = json_member(*container, kind);
    const json* image = runtime ? json_member(*runtime, "image") : nullptr;
    if (!image || !image->is_string()) continue;
    const std::string name = image->get<std::string>();
    if (name.find('@') != std::string::npos) continue;  // pinned by digest
    const auto slash = name.rfind('/');
    const auto colon = name.rfind(':');
    const bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
    const std::string tag = tagged ? name.substr(colon + 1) : "latest";
    if (tag == "latest" || tag == "stable" || tag == "master" || tag == "main") {
      out.push_back({fmt::format("/container/{}/image", kind),
                     fmt::format("image '{}' uses the mutable tag '{}': a restart may run different code; use an "
                                 "immutable tag (image: NAME without a tag renders the git commit)",
                                 name, tag)});
    }
  }
}

void resources(const json& app, std::vector<Problem>& out) {
  for (const auto& [field, fallback] : {std::pair{"cpus", "1 CPU"}, std::pair{"mem", "128 MiB"}}) {
    if (!json_member(app, field)) {
      out.push_back({"", fmt::format("'{}' is not set: Marathon reserves its default ({}), which fits almost no app",
                                     field, fallback)});
    }
  }
}

void spread(const json& app, std::vector<Problem>& out) {
  const json* instances = json_member(app, "instances");
  if (!instances || !instances->is_number_integer() || instances->get<long long>() <= 1) return;
  if (const json* constraints = json_member(app, "constraints"); constraints && constraints->is_array()) {
    for (const auto& c : *constraints) {
      if (!c.is_array() || c.size() < 2 || !c[0].is_string() || !c[1].is_string()) continue;
      const std::string field = core::to_lower(c[0].get<std::string>());
      const std::string op = core::to_lower(c[1].get<std::string>());
      if ((field == "hostname" || field == "@hostname" || field == "@zone" || field == "@region") &&
          (op == "unique" || op == "max_per" || op == "group_by")) {
        return;
      }
    }
  }
  out.push_back({"/instances", fmt::format("{} instances without a constraint such as [hostname, UNIQUE] or "
                                           "[hostname, MAX_PER, \"1\"]: they may all land on one agent",
                                           instances->get<long long>())});
}

void config_files(const json& app, std::vector<Problem>& out) {
  static const std::vector<std::string> k_config_ext = {".conf", ".cfg", ".ini", ".yaml", ".yml",
                                                        ".properties", ".toml", ".env"};
  auto is_config = [](const std::string& uri) {
    const std::string u = core::to_lower(uri);
    return std::any_of(k_config_ext.begin(), k_config_ext.end(),
                       [&](const std::string& ext) { return u.size() > ext.size() && u.ends_with(ext); });
  };
  if (const json* fetch = json_member(app, "fetch"); fetch && fetch->is_array()) {
    for (std::size_t i = 0; i < fetch->size(); ++i) {
      const json* uri = json_member((*fetch)[i], "uri");
      if (uri && uri->is_string() && is_config(uri->get<std::string>())) {
        out.push_back({fmt::format("/fetch/{}/uri", i), "configuration fetched as a file: pass configuration "
                                                        "through env variables so each environment differs only "
                                                        "in its vars"});
      }
    }
  }
  const json* container = json_member(app, "container");
  const json* volumes = container ? json_member(*container, "volumes") : nullptr;
  if (volumes && volumes->is_array()) {
    for (std::size_t i = 0; i < volumes->size(); ++i) {
      const json* host = json_member((*volumes)[i], "hostPath");
      if (host && host->is_string() && core::starts_with(host->get<std::string>(), "/etc")) {
        out.push_back({fmt::format("/container/volumes/{}/hostPath", i),
                       "configuration mounted from the agent's /etc: pass it through env variables instead"});
      }
    }
  }
}

void sshd(const json& app, std::vector<Problem>& out) {
  std::string command;
  if (const json* cmd = json_member(app, "cmd"); cmd && cmd->is_string()) command = cmd->get<std::string>();
  if (const json* args = json_member(app, "args"); args && args->is_array()) {
    for (const auto& a : *args) {
      if (a.is_string()) command += " " + a.get<std::string>();
    }
  }
  if (command.find("sshd") != std::string::npos) {
    out.push_back({json_member(app, "cmd") ? "/cmd" : "/args", "the app runs sshd: do not ship sshd in app containers; use "
                                                       "docker exec or Mesos task exec to debug"});
    return;
  }
  const json* container = json_member(app, "container");
  const json* mappings = container ? json_member(*container, "portMappings") : nullptr;
  if (mappings && mappings->is_array()) {
    for (std::size_t i = 0; i < mappings->size(); ++i) {
      if (const json* port = json_member((*mappings)[i], "containerPort"); port && *port == 22) {
        out.push_back({fmt::format("/container/portMappings/{}/containerPort", i),
                       "the container exposes port 22 (sshd?): do not ship sshd in app containers"});
      }
    }
  }
}

}  // namespace

std::vector<Problem> lint_checklist(const json& app) {
  return run_checks(app, {health, image_tag, resources, spread, config_files, sshd});
}

}  // namespace mctl::templates
