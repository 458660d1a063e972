#pragma once
// Docker Engine API client over a unix socket (or tcp://), with the API version negotiated
// from /_ping. Only what mctl needs: images, containers, tag, remove, push, build.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/http.hpp"

namespace mctl::core {

struct EngineImage {
  std::string id;                    // "sha256:..."
  std::vector<std::string> tags;     // RepoTags, e.g. "web:abc123"
  std::vector<std::string> digests;  // RepoDigests, e.g. "reg:5000/web@sha256:..." (pushed or pulled)
  long long created = 0;             // seconds since the epoch
  long long size = 0;                // bytes
};

struct EngineContainer {
  std::string id;
  std::string name;
  std::string image_id;  // "sha256:..."
  std::string state;     // "running", "exited", "created", ...
};

// One line of a streamed build or push: progress text, or an error the engine reported.
struct StreamEvent {
  std::string text;
  bool error = false;
};
using StreamHandler = std::function<void(const StreamEvent&)>;

struct BuildRequest {
  std::string context_tar;                      // the build context as a tar archive
  std::string dockerfile = "Dockerfile";        // path inside the context
  std::vector<std::string> tags;                // "registry/web:abc123"
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> build_args;
  bool pull = false;
  bool no_cache = false;
};

// Splits DOCKER_HOST ("unix:///var/run/docker.sock", "tcp://host:2375") into the curl
// options and base URL. Throws Error(Exit::usage) for other schemes.
struct EngineAddress {
  std::optional<std::string> unix_socket;
  std::string base_url;  // "http://localhost" for a socket
};
EngineAddress parse_docker_host(const std::string& docker_host);

class DockerClient {
 public:
  // `http` is configured for the address (unix socket set). Nothing is sent until first use.
  DockerClient(std::unique_ptr<http::HttpClient> http, std::string base_url, std::string shown_host);

  // "1.41": the newest version both sides speak (from GET /_ping's Api-Version header, once).
  std::string api_version();
  std::vector<EngineImage> images();
  std::vector<EngineContainer> containers();  // running and stopped
  // Image inspect; nullopt when the engine has no such image.
  std::optional<nlohmann::json> inspect_image(const std::string& name);
  // Adds tag repository:tag to an existing image. Throws Error naming the image when absent.
  void tag(const std::string& source, const std::string& repository, const std::string& tag);
  // Removes one tag (the image goes with its last tag). Throws Error with the engine's reason
  // (e.g. a conflict with a container).
  void remove_image(const std::string& reference);
  // Pushes repository:tag; `auth` is the X-Registry-Auth value. Throws Error on a push error.
  void push(const std::string& repository, const std::string& tag, const std::string& auth,
            const StreamHandler& on_event);
  // Builds and returns the image id. Throws Error with the build's error message.
  std::string build(const BuildRequest& request, const StreamHandler& on_event);
  // Pulls image:tag (`auth`: X-Registry-Auth, may be empty). Throws Error: Exit::no_records
  // when the registry has no such image, Exit::auth when refused, Exit::remote otherwise.
  void pull(const std::string& image, const std::string& tag, const std::string& auth, const StreamHandler& on_event);

  // Generic calls for the container API (local/): `path` after the version prefix
  // ("/containers/json"); a non-empty body is sent as JSON. Statuses are returned.
  http::Response send(const std::string& method, const std::string& path, const std::string& body = {},
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Streams the answer (logs, events) to `on_chunk` with no total timeout.
  http::Response stream(const std::string& path, const http::ChunkHandler& on_chunk);
  // Throws Error(Exit::remote) "<doing>: Docker Engine at <host> answered HTTP <status>: <message>".
  [[noreturn]] void fail(const std::string& doing, const http::Response& response) const;
  const std::string& shown_host() const { return m_shown; }

 private:
  std::string url(const std::string& path);
  http::Response send_unversioned(const std::string& path);  // /_ping, /version
  http::Response get(const std::string& path);
  nlohmann::json answer_json(const http::Response& r, const std::string& path);  // or Exit::remote
  nlohmann::json get_json(const std::string& path, const std::string& doing);    // GET, 2xx, JSON
  // Sends a request whose answer is Docker's JSON-lines progress stream, hands each event to
  // `handler`, and throws (via fail) on an HTTP error. Returns the stream's error and aux id.
  std::pair<std::string, std::string> stream_progress(const http::Request& request,
                                                      const StreamHandler& handler,
                                                      const std::string& doing);

  std::unique_ptr<http::HttpClient> m_http;
  std::string m_base;
  std::string m_shown;
  std::string m_version;
};

// The client for a DOCKER_HOST value with the given HTTP settings.
std::unique_ptr<DockerClient> connect_docker(const std::string& docker_host, http::ClientOptions options);

}  // namespace mctl::core
