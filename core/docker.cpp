#include "core/docker.hpp"

#include <fmt/format.h>

#include <charconv>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/json.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"

namespace mctl::core {
namespace {

using http::Request;
using http::Response;
using http::url_escape;

constexpr const char* k_max_api = "1.41";  // what mctl is written against

// "1.41" as {1, 41}; a part that is not a number counts as 0.
std::pair<int, int> api_version(std::string_view v) {
  std::pair<int, int> out{0, 0};
  const char* end = v.data() + v.size();
  const auto [dot, ec] = std::from_chars(v.data(), end, out.first);
  if (ec == std::errc() && dot != end && *dot == '.') std::from_chars(dot + 1, end, out.second);
  return out;
}

// Compares "1.41" and "1.9" numerically.
bool version_less(const std::string& a, const std::string& b) { return api_version(a) < api_version(b); }

std::string engine_message(const Response& r) {
  try {
    return excerpt(parse_json(r.body, "Docker Engine error answer", Exit::remote).value("message", r.body), 2000);
  } catch (const std::exception&) {
    return excerpt(r.body);
  }
}

// Splits the engine's stream of JSON lines into events; keeps a partial line for later.
class JsonLines {
 public:
  JsonLines(const StreamHandler& handler, std::string& error, std::string& aux_id)
      : m_handler(handler), m_error(error), m_aux_id(aux_id) {}
  bool feed(std::string_view chunk) {
    m_buffer.append(chunk);
    std::size_t nl;
    while ((nl = m_buffer.find('\n')) != std::string::npos) {
      line(m_buffer.substr(0, nl));
      m_buffer.erase(0, nl + 1);
    }
    return true;
  }
  void finish() {
    if (!trim(m_buffer).empty()) line(m_buffer);
    m_buffer.clear();
  }

 private:
  void line(const std::string& text) {
    if (trim(text).empty()) return;
    nlohmann::json j;
    try {
      j = parse_json(text, "Docker Engine progress line", Exit::remote);
    } catch (const std::exception&) {
      m_handler({text, false});
      return;
    }
    if (j.contains("error")) {
      m_error = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
      m_handler({m_error, true});
    } else if (j.contains("stream") && j["stream"].is_string()) {
      m_handler({j["stream"].get<std::string>(), false});
    } else if (j.contains("status") && j["status"].is_string()) {
      std::string s = j.value("id", std::string()).empty() ? "" : j["id"].get<std::string>() + ": ";
      s += j["status"].get<std::string>();
      if (j.contains("progress") && j["progress"].is_string()) s += " " + j["progress"].get<std::string>();
      m_handler({s + "\n", false});
    }
    if (j.contains("aux") && j["aux"].is_object() && j["aux"].contains("ID")) {
      m_aux_id = j["aux"]["ID"].get<std::string>();
    }
  }

  const StreamHandler& m_handler;
  std::string& m_error;
  std::string& m_aux_id;
  std::string m_buffer;
};

// Keeps the start of a streamed body for the error message of a failed request.
bool r_body_room(const std::string& body) { return body.size() < 2000; }

}  // namespace

EngineAddress parse_docker_host(const std::string& docker_host) {
  EngineAddress a;
  if (starts_with(docker_host, "unix://")) {
    a.unix_socket = docker_host.substr(7);
    a.base_url = "http://localhost";
  } else if (starts_with(docker_host, "tcp://")) {
    a.base_url = "http://" + docker_host.substr(6);
  } else if (starts_with(docker_host, "http://") || starts_with(docker_host, "https://")) {
    a.base_url = docker_host;
  } else if (!docker_host.empty() && docker_host.front() == '/') {
    a.unix_socket = docker_host;
    a.base_url = "http://localhost";
  } else {
    throw Error(fmt::format("docker_host '{}': expected unix:///path/to/docker.sock or tcp://host:port", docker_host),
                Exit::usage);
  }
  while (!a.base_url.empty() && a.base_url.back() == '/') a.base_url.pop_back();
  return a;
}

std::unique_ptr<DockerClient> connect_docker(const std::string& docker_host, http::ClientOptions options) {
  const auto address = parse_docker_host(docker_host);
  options.unix_socket = address.unix_socket;
  return std::make_unique<DockerClient>(http::make_curl_client(std::move(options)), address.base_url,
                                        docker_host);
}

DockerClient::DockerClient(std::unique_ptr<http::HttpClient> http, std::string base_url, std::string shown_host)
    : m_http(std::move(http)), m_base(std::move(base_url)), m_shown(std::move(shown_host)) {}

void DockerClient::fail(const std::string& doing, const Response& r) const {
  throw Error(fmt::format("{}: Docker Engine at {} answered HTTP {}: {}", doing, m_shown, r.status, engine_message(r)),
              Exit::remote);
}

// The engine's API version from GET /_ping's Api-Version header, as the docker CLI negotiates
// (1-3 ms; GET /version asks containerd and runc for theirs and takes 40-100 ms); /version only
// for an engine whose ping has no such header.
std::string DockerClient::api_version() {
  if (!m_version.empty()) return m_version;
  const Response ping = send_unversioned("/_ping");
  if (!ping.ok()) fail("pinging the Docker Engine", ping);
  std::string server, minimum = "1.12";
  for (const auto& [name, value] : ping.headers) {
    if (name == "api-version") server = trim(value);
  }
  if (server.empty()) {
    const Response r = send_unversioned("/version");
    if (!r.ok()) fail("reading the Docker Engine version", r);
    try {
      const auto body = parse_json(r.body, "Docker Engine answer from " + m_shown + "/version", Exit::remote);
      server = body.value("ApiVersion", std::string(k_max_api));
      minimum = body.value("MinAPIVersion", minimum);
    } catch (const std::exception&) {
      throw Error(fmt::format("reading the Docker Engine version at {}: the answer is not JSON", m_shown), Exit::remote);
    }
  }
  if (version_less(k_max_api, minimum)) {
    throw Error(fmt::format("the Docker Engine at {} needs API {} or newer; mctl speaks up to {}", m_shown, minimum,
                            k_max_api),
                Exit::remote);
  }
  m_version = version_less(server, k_max_api) ? server : k_max_api;
  log::debug("Docker Engine API version {} (engine {}, mctl {})", m_version, server, k_max_api);
  return m_version;
}

Response DockerClient::send_unversioned(const std::string& path) {
  Request request;
  request.url = m_base + path;
  try {
    return m_http->send(request);
  } catch (const Error& e) {
    throw Error(fmt::format("connecting to the Docker Engine at {}: {} (is dockerd running? set DOCKER_HOST or "
                            "docker_host)",
                            m_shown, e.what()),
                e.exit_code());
  }
}

std::string DockerClient::url(const std::string& path) { return fmt::format("{}/v{}{}", m_base, api_version(), path); }

Response DockerClient::get(const std::string& path) {
  Request request;
  request.url = url(path);
  return m_http->send(request);
}

nlohmann::json DockerClient::answer_json(const Response& r, const std::string& path) {
  return parse_json(r.body, "Docker Engine answer from " + m_shown + path.substr(0, path.find('?')), Exit::remote);
}

nlohmann::json DockerClient::get_json(const std::string& path, const std::string& doing) {
  const Response r = get(path);
  if (!r.ok()) fail(doing, r);
  return answer_json(r, path);
}

std::vector<EngineImage> DockerClient::images() {
  std::vector<EngineImage> out;
  for (const auto& j : get_json("/images/json", "listing images")) {
    EngineImage image;
    image.id = j.value("Id", "");
    if (j.contains("RepoTags") && j["RepoTags"].is_array()) {
      for (const auto& t : j["RepoTags"]) {
        if (t.get<std::string>() != "<none>:<none>") image.tags.push_back(t.get<std::string>());
      }
    }
    if (j.contains("RepoDigests") && j["RepoDigests"].is_array()) {
      for (const auto& d : j["RepoDigests"]) {
        if (d.is_string()) image.digests.push_back(d.get<std::string>());
      }
    }
    image.created = j.value("Created", 0LL);
    image.size = j.value("Size", 0LL);
    out.push_back(std::move(image));
  }
  return out;
}

std::vector<EngineContainer> DockerClient::containers() {
  std::vector<EngineContainer> out;
  for (const auto& j : get_json("/containers/json?all=1", "listing containers")) {
    EngineContainer c;
    c.id = j.value("Id", "");
    if (j.contains("Names") && !j["Names"].empty()) {
      c.name = j["Names"][0].get<std::string>();
      if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
    }
    c.image_id = j.value("ImageID", "");
    c.state = j.value("State", "");
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<nlohmann::json> DockerClient::inspect_image(const std::string& name) {
  const std::string path = "/images/" + name + "/json";
  const Response r = get(path);
  if (r.status == 404) return std::nullopt;
  if (!r.ok()) fail(fmt::format("inspecting image {}", name), r);
  return answer_json(r, path);
}

void DockerClient::tag(const std::string& source, const std::string& repository, const std::string& tag) {
  Request request;
  request.method = "POST";
  request.url = url(fmt::format("/images/{}/tag?repo={}&tag={}", source, url_escape(repository), url_escape(tag)));
  const Response r = m_http->send(request);
  if (r.status == 404) {
    throw Error(fmt::format("tagging {} as {}:{}: the Docker Engine at {} has no image {}", source, repository, tag,
                            m_shown, source),
                Exit::usage);
  }
  if (!r.ok()) fail(fmt::format("tagging {} as {}:{}", source, repository, tag), r);
}

void DockerClient::remove_image(const std::string& reference) {
  Request request;
  request.method = "DELETE";
  request.url = url("/images/" + reference);
  const Response r = m_http->send(request);
  if (!r.ok()) fail(fmt::format("removing image {}", reference), r);
}

std::pair<std::string, std::string> DockerClient::stream_progress(const Request& request,
                                                                  const StreamHandler& handler,
                                                                  const std::string& doing) {
  std::string error, aux;
  JsonLines lines(handler, error, aux);
  std::string r_body;  // the start of the body, for the message of an HTTP error
  Response r = m_http->stream(request, [&](std::string_view chunk) {
    if (r_body_room(r_body)) r_body.append(chunk);
    return lines.feed(chunk);
  });
  lines.finish();
  if (!r.ok()) {
    r.body = r_body;
    fail(doing, r);
  }
  return {error, aux};
}

void DockerClient::push(const std::string& repository, const std::string& tag, const std::string& auth,
                        const StreamHandler& on_event) {
  Request request;
  request.method = "POST";
  request.url = url(fmt::format("/images/{}/push?tag={}", repository, url_escape(tag)));
  request.headers.emplace_back("X-Registry-Auth", auth);
  request.timeout = std::chrono::milliseconds(0);
  const auto [error, aux] = stream_progress(request, on_event, fmt::format("pushing {}:{}", repository, tag));
  if (!error.empty()) {
    // The Engine passes the registry's refusal on as text ("unauthorized: authentication required").
    const bool refused = error.find("unauthorized") != std::string::npos ||
                         error.find("authentication required") != std::string::npos ||
                         error.find("denied") != std::string::npos;
    throw Error(fmt::format("pushing {}:{}: {}", repository, tag, error), refused ? Exit::auth : Exit::remote);
  }
}

std::string DockerClient::build(const BuildRequest& b, const StreamHandler& on_event) {
  std::string query = "?rm=1&dockerfile=" + url_escape(b.dockerfile);
  for (const auto& t : b.tags) query += "&t=" + url_escape(t);
  if (!b.labels.empty()) query += "&labels=" + url_escape(nlohmann::json(b.labels).dump());
  if (!b.build_args.empty()) query += "&buildargs=" + url_escape(nlohmann::json(b.build_args).dump());
  if (b.pull) query += "&pull=1";
  if (b.no_cache) query += "&nocache=1";
  Request request;
  request.method = "POST";
  request.url = url("/build" + query);
  request.headers.emplace_back("Content-Type", "application/x-tar");
  request.body = b.context_tar;
  request.timeout = std::chrono::milliseconds(0);
  std::string last_text;
  StreamHandler tee = [&](const StreamEvent& e) {
    last_text = e.text;
    on_event(e);
  };
  const auto [error, aux] = stream_progress(request, tee, "building the image");
  if (!error.empty()) throw Error(fmt::format("building the image: {}", trim(error)), Exit::failure);
  if (!aux.empty()) return aux;
  // Older engines only print "Successfully built <id>".
  if (!b.tags.empty()) {
    if (auto image = inspect_image(b.tags.front())) return image->value("Id", "");
  }
  return {};
}

void DockerClient::pull(const std::string& image, const std::string& tag, const std::string& auth,
                        const StreamHandler& on_event) {
  Request request;
  request.method = "POST";
  request.url = url(fmt::format("/images/create?fromImage={}&tag={}", url_escape(image), url_escape(tag)));
  if (!auth.empty()) request.headers.emplace_back("X-Registry-Auth", auth);
  request.timeout = std::chrono::milliseconds(0);
  const std::string doing = fmt::format("pulling {}:{}", image, tag);
  std::string error, aux;
  JsonLines lines(on_event, error, aux);
  std::string r_body;
  Response r = m_http->stream(request, [&](std::string_view chunk) {
    if (r_body_room(r_body)) r_body.append(chunk);
    return lines.feed(chunk);
  });
  lines.finish();
  if (r.ok() && error.empty()) return;
  const std::string why = r.ok() ? error : engine_message(Response{r.status, {}, r_body, {}});
  const bool missing = r.status == 404 || why.find("not found") != std::string::npos ||
                       why.find("manifest unknown") != std::string::npos;
  const bool refused = r.status == 401 || r.status == 403 || why.find("unauthorized") != std::string::npos ||
                       why.find("denied") != std::string::npos;
  throw Error(fmt::format("{}: {}", doing, trim(why)),
              missing ? Exit::no_records : refused ? Exit::auth : Exit::remote);
}

Response DockerClient::send(const std::string& method, const std::string& path, const std::string& body,
                            std::optional<std::chrono::milliseconds> timeout) {
  Request request;
  request.method = method;
  request.url = url(path);
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
  }
  request.timeout = timeout;
  return m_http->send(request);
}

Response DockerClient::stream(const std::string& path, const http::ChunkHandler& on_chunk) {
  Request request;
  request.url = url(path);
  request.timeout = std::chrono::milliseconds(0);
  return m_http->stream(request, on_chunk);
}

}  // namespace mctl::core
