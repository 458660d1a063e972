#pragma once
// HTTP client interface and its libcurl implementation. Statuses are returned, not thrown:
// callers decide what a 404 or 409 means. Transport failures throw Error.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mctl::core::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Lets another thread end a request at once: cancel() shuts its connection down (a streamed
// request waiting for the next event returns immediately) and makes any later request given
// the same Canceller fail to connect. Used by the event reader so it can be joined.
class Canceller {
 public:
  void cancel() noexcept;
  bool cancelled() const noexcept;
  // Called by the client as the request's socket is opened and closed.
  bool opened(int fd) noexcept;  // false: already cancelled (the socket is not used)
  void closed(int fd) noexcept;

 private:
  mutable std::mutex m_mutex;
  bool m_cancelled = false;
  int m_fd = -1;
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;  // sent as is (and re-sent intact on retry)
  // Retry on connection errors and 502/503/504. Default: by method (GET, HEAD, PUT, DELETE,
  // OPTIONS are idempotent; POST and PATCH are not).
  std::optional<bool> idempotent;
  // Overrides the client's total timeout; zero means none (for event streams).
  std::optional<std::chrono::milliseconds> timeout;
  // Use a new connection. libcurl silently re-sends a request whose reused connection closed
  // without an answer; a non-idempotent write must not be sent twice that way.
  bool fresh_connection = false;
  // Set: the request can be ended from another thread (its connection is not reused).
  Canceller* canceller = nullptr;
  // A body kept whole (send() without a chunk handler) larger than this, once decompressed,
  // ends the request with Error(Exit::remote): no answer mctl reads whole may be larger than
  // its JSON limit (core::JsonLimits), and a broken server or proxy that sends without end
  // must not fill the memory until the timeout.
  std::size_t max_body = std::size_t{256} << 20;
};

struct Response {
  long status = 0;
  Headers headers;    // names lower-cased
  std::string body;
  std::string url;    // the URL answered (redacted), for messages
  // The first value of a header (name is case-insensitive), if present.
  std::optional<std::string> header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

struct BasicAuth {
  std::string user;
  std::string password;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{30'000};
  int max_retries = 3;                                // extra attempts after the first
  std::chrono::milliseconds backoff_base{200};        // first retry waits up to this
  std::chrono::milliseconds backoff_max{5'000};       // cap of the exponential backoff
  std::optional<std::string> ca_file;                 // extra CA bundle (PEM)
  bool insecure = false;                              // skip TLS verification (warned about)
  std::optional<std::string> unix_socket;             // e.g. /var/run/docker.sock
  std::optional<BasicAuth> basic_auth;
  std::optional<std::string> authorization;           // full Authorization header value
  std::string user_agent = "mctl";
};

// Called for each chunk of a streamed response body; return false to stop reading.
using ChunkHandler = std::function<bool(std::string_view chunk)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends a request (with retries as described in Request::idempotent) and returns the
  // response. Throws Error(Exit::remote) when no connection could be made or it broke,
  // Error(Exit::timeout) when the timeout passed.
  virtual Response send(const Request& request) = 0;
  // Like send(), but hands the body to `on_chunk` as it arrives; the returned Response has
  // an empty body. Not retried once data has been delivered. Stopping early is not an error.
  virtual Response stream(const Request& request, const ChunkHandler& on_chunk) = 0;
};

// libcurl-backed client. Thread-safe: connections are kept in a pool of handles and reused.
std::unique_ptr<HttpClient> make_curl_client(ClientOptions options);

// URL with its user-info removed and secret-looking query values replaced by "REDACTED".
std::string redact_url(std::string_view url);
// Header value as it may be logged: credentials replaced by "REDACTED".
std::string redact_header(std::string_view name, std::string_view value);

// Percent-encodes one path segment or query value.
std::string url_escape(std::string_view text);

}  // namespace mctl::core::http
