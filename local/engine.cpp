#include "local/engine.hpp"

#include <fmt/format.h>

#include <charconv>
#include <thread>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/json.hpp"
#include "local/spec.hpp"

namespace mctl::local {
namespace {

using core::http::url_escape;
using nlohmann::json;

std::string label_filter(const std::string& project, const std::string& app_id) {
  json labels = json::array({fmt::format("{}={}", k_label_project, project)});
  if (!app_id.empty()) labels.push_back(fmt::format("{}={}", k_label_app, app_id));
  return url_escape(json{{"label", labels}}.dump());
}

json parse(core::DockerClient& docker, const core::http::Response& r, const std::string& what) {
  return core::parse_json(
      r.body, fmt::format("Docker Engine answer from {} ({})", docker.shown_host(), what),
      Exit::remote);
}

}  // namespace

void LogDemux::feed(std::string_view chunk) {
  m_buffer.append(chunk);
  while (m_buffer.size() >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(m_buffer.data());
    const std::size_t size =
        (std::size_t(h[4]) << 24) | (std::size_t(h[5]) << 16) | (std::size_t(h[6]) << 8) | h[7];
    if (h[0] > 2 || h[1] || h[2] || h[3]) {  // not multiplexed (a TTY container): plain text
      emit(false, m_buffer);
      m_buffer.clear();
      return;
    }
    if (m_buffer.size() < 8 + size) return;
    emit(h[0] == 2, std::string_view(m_buffer).substr(8, size));
    m_buffer.erase(0, 8 + size);
  }
}

void LogDemux::emit(bool err, std::string_view text) {
  auto& partial = m_partial[err ? 1 : 0];
  partial.append(text);
  std::size_t nl;
  while ((nl = partial.find('\n')) != std::string::npos) {
    m_handler(err, partial.substr(0, nl));
    partial.erase(0, nl + 1);
  }
}

void LogDemux::finish() {
  for (int i = 0; i < 2; ++i) {
    if (!m_partial[i].empty()) m_handler(i == 1, m_partial[i]);
    m_partial[i].clear();
  }
}

bool Engine::has_bridge() {
  return m_docker.send("GET", "/networks/bridge").status == 200;
}

std::vector<LocalContainer> Engine::containers(const std::string& project,
                                               const std::string& app_id) {
  const auto r =
      m_docker.send("GET", "/containers/json?all=1&filters=" + label_filter(project, app_id));
  if (!r.ok()) m_docker.fail("listing the project's containers", r);
  std::vector<LocalContainer> out;
  for (const auto& j : parse(m_docker, r, "/containers/json")) {
    LocalContainer c;
    c.id = j.value("Id", "");
    if (j.contains("Names") && !j["Names"].empty())
      c.name = j["Names"][0].get<std::string>().substr(1);
    const json labels = j.value("Labels", json::object());
    c.app_id = labels.value(k_label_app, "");
    const std::string instance = labels.value(k_label_instance, "0");
    // Not a number (a label mctl did not write): instance 0.
    std::from_chars(instance.data(), instance.data() + instance.size(), c.instance);
    c.hash = labels.value(k_label_hash, "");
    c.ports = labels.value(k_label_ports, "");
    c.state = j.value("State", "");
    c.status = j.value("Status", "");
    c.image = j.value("Image", "");
    c.created = j.value("Created", 0LL);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

bool Engine::image_present(const std::string& reference) {
  const auto r = m_docker.send("GET", "/images/" + reference + "/json");
  if (r.status == 404) return false;
  if (!r.ok()) m_docker.fail(fmt::format("inspecting image {}", reference), r);
  return true;
}

void Engine::ensure_volume(const std::string& name, const json& labels) {
  const auto r =
      m_docker.send("POST", "/volumes/create", json{{"Name", name}, {"Labels", labels}}.dump());
  if (!r.ok()) m_docker.fail(fmt::format("creating volume {}", name), r);
}

std::vector<std::string> Engine::volumes(const std::string& project, const std::string& app_id) {
  const auto r = m_docker.send("GET", "/volumes?filters=" + label_filter(project, app_id));
  if (!r.ok()) m_docker.fail("listing the project's volumes", r);
  std::vector<std::string> out;
  for (const auto& v : parse(m_docker, r, "/volumes").value("Volumes", json::array()))
    out.push_back(v.value("Name", ""));
  std::sort(out.begin(), out.end());
  return out;
}

void Engine::remove_volume(const std::string& name) {
  const auto r = m_docker.send("DELETE", "/volumes/" + url_escape(name));
  if (!r.ok() && r.status != 404) m_docker.fail(fmt::format("removing volume {}", name), r);
}

std::string Engine::create(const std::string& name, const json& body) {
  const std::string path = "/containers/create?name=" + url_escape(name);
  auto r = m_docker.send("POST", path, body.dump());
  if (r.status == 409) {  // a container of that name is left over (a killed mctl): replace it
    remove_leftover(name, body.value("Labels", json::object()).value(k_label_project, ""));
    r = m_docker.send("POST", path, body.dump());
  }
  if (r.status == 404) {
    throw Error(fmt::format("creating container {}: the Docker Engine has no image {}", name,
                            body.value("Image", "")),
                Exit::no_records);
  }
  if (!r.ok()) m_docker.fail(fmt::format("creating container {}", name), r);
  return parse(m_docker, r, "/containers/create").value("Id", "");
}

void Engine::remove_leftover(const std::string& name, const std::string& project) {
  const auto r = m_docker.send("GET", "/containers/" + url_escape(name) + "/json");
  if (r.status == 404) return;  // gone meanwhile
  if (!r.ok()) m_docker.fail(fmt::format("inspecting container {}", name), r);
  const json labels = parse(m_docker, r, "container inspect")
                          .value("Config", json::object())
                          .value("Labels", json{});
  const std::string owner = labels.is_object() ? labels.value(k_label_project, "") : "";
  if (owner != project) {
    throw Error(fmt::format("creating container {}: a container of that name exists and is not "
                            "one of project '{}' ({}); rename or remove it, or set `project:` in "
                            "mctl.yaml",
                            name, project,
                            owner.empty() ? "it has no mctl labels"
                                          : fmt::format("it belongs to project '{}'", owner)),
                Exit::failure);
  }
  remove(name);
}

void Engine::start(const std::string& id, const std::string& name) {
  const auto r = m_docker.send("POST", "/containers/" + id + "/start");
  if (!r.ok() && r.status != 304) m_docker.fail(fmt::format("starting container {}", name), r);
}

void Engine::remove(const std::string& id, std::chrono::seconds grace) {
  const auto stop =
      m_docker.send("POST", fmt::format("/containers/{}/stop?t={}", id, grace.count()), {},
                    std::chrono::milliseconds((grace.count() + 30) * 1000));
  if (!stop.ok() && stop.status != 304 && stop.status != 404)
    m_docker.fail(fmt::format("stopping container {}", id), stop);
  const auto r = m_docker.send("DELETE", "/containers/" + id + "?force=1&v=1");
  if (!r.ok() && r.status != 404 && r.status != 409)
    m_docker.fail(fmt::format("removing container {}", id), r);
}

std::pair<std::string, int> Engine::state(const std::string& id) {
  const auto r = m_docker.send("GET", "/containers/" + id + "/json");
  if (r.status == 404) return {"", 0};
  if (!r.ok()) m_docker.fail(fmt::format("inspecting container {}", id), r);
  const json s = parse(m_docker, r, "container inspect").value("State", json::object());
  return {s.value("Status", ""), s.value("ExitCode", 0)};
}

int Engine::exec(const std::string& id, const std::string& command,
                 std::chrono::milliseconds timeout) {
  const json body = {
      {"Cmd", {"sh", "-c", command}}, {"AttachStdout", false}, {"AttachStderr", false}};
  auto r = m_docker.send("POST", "/containers/" + id + "/exec", body.dump());
  if (!r.ok()) m_docker.fail("creating a health check exec", r);
  const std::string exec_id = parse(m_docker, r, "exec create").value("Id", "");
  r = m_docker.send("POST", "/exec/" + exec_id + "/start", json{{"Detach", true}}.dump());
  if (!r.ok()) m_docker.fail("starting a health check exec", r);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    r = m_docker.send("GET", "/exec/" + exec_id + "/json");
    if (!r.ok()) m_docker.fail("reading a health check exec", r);
    const json j = parse(m_docker, r, "exec inspect");
    if (!j.value("Running", false) && !j["ExitCode"].is_null()) return j.value("ExitCode", -1);
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(fmt::format("command check timed out after {} ms", timeout.count()),
                  Exit::timeout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Engine::logs(const std::string& id, const LogQuery& q, const LineHandler& on_line,
                  const std::function<bool()>& stop) {
  std::string path = fmt::format("/containers/{}/logs?stdout={}&stderr={}&follow={}", id,
                                 q.stdout_lines ? 1 : 0, q.stderr_lines ? 1 : 0, q.follow ? 1 : 0);
  if (q.tail) path += fmt::format("&tail={}", *q.tail);
  if (q.since) path += fmt::format("&since={}", *q.since);
  LogDemux demux(on_line);
  const auto r = m_docker.stream(path, [&](std::string_view chunk) {
    demux.feed(chunk);
    return !(stop && stop());
  });
  demux.finish();
  if (!r.ok() && r.status != 0)
    m_docker.fail(fmt::format("reading the logs of container {}", id), r);
}

}  // namespace mctl::local
