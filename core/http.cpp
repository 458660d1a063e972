#include "core/http.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "core/curl_library.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"

namespace mctl::core::http {

void Canceller::cancel() noexcept {
  std::lock_guard lock(m_mutex);
  m_cancelled = true;
  if (m_fd >= 0) ::shutdown(m_fd, SHUT_RDWR);  // the fd is still open: closed() takes the lock
}

bool Canceller::cancelled() const noexcept {
  std::lock_guard lock(m_mutex);
  return m_cancelled;
}

bool Canceller::opened(int fd) noexcept {
  std::lock_guard lock(m_mutex);
  if (m_cancelled) return false;
  m_fd = fd;
  return true;
}

void Canceller::closed(int fd) noexcept {
  std::lock_guard lock(m_mutex);
  if (m_fd == fd) m_fd = -1;
}

namespace {

struct CurlDeleter {
  void operator()(CURL* h) const noexcept { curl::library().easy_cleanup(h); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl::library().slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

bool default_idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

bool retryable_status(long status) { return status == 502 || status == 503 || status == 504; }

bool retryable_curl(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

// State a transfer writes into through curl's callbacks.
struct Transfer {
  Response* response = nullptr;
  const ChunkHandler* on_chunk = nullptr;
  Canceller* canceller = nullptr;
  bool delivered = false;  // some body bytes went to on_chunk
  bool stopped = false;    // on_chunk asked to stop
  std::size_t max_body = 0;
  bool too_large = false;  // the body went over max_body
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->on_chunk) {
    t->delivered = true;
    if (!(*t->on_chunk)(std::string_view(data, n))) {
      t->stopped = true;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    return n;
  }
  if (n > t->max_body - std::min(t->max_body, t->response->body.size())) {
    t->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

curl_socket_t open_cancellable(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  if (!t->canceller->opened(fd)) {
    ::close(fd);
    return CURL_SOCKET_BAD;
  }
  return fd;
}

int close_cancellable(void* user, curl_socket_t fd) {
  static_cast<Transfer*>(user)->canceller->closed(fd);
  return ::close(fd);
}

int progress_cancellable(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->canceller->cancelled() ? 1 : 0;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {
    t->response->headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
  t->response->headers.emplace_back(to_lower(line.substr(0, colon)), std::string(value));
  return n;
}

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(ClientOptions options) : m_curl(curl::library()), m_options(std::move(options)) {
    if (m_options.insecure) {
      log::warn("TLS certificate verification is off (insecure); use only for testing");
    }
  }

  Response send(const Request& request) override { return perform(request, nullptr); }

  Response stream(const Request& request, const ChunkHandler& on_chunk) override {
    return perform(request, &on_chunk);
  }

 private:
  CurlHandle acquire() {
    std::lock_guard lock(m_mutex);
    if (!m_pool.empty()) {
      CurlHandle h = std::move(m_pool.back());
      m_pool.pop_back();
      m_curl.easy_reset(h.get());  // keeps the connection cache: that is the point of the pool
      return h;
    }
    CurlHandle h(m_curl.easy_init());
    if (!h) throw Error("cannot initialise libcurl");
    return h;
  }

  void release(CurlHandle h) {
    std::lock_guard lock(m_mutex);
    m_pool.push_back(std::move(h));
  }

  Slist build_headers(const Request& request) const {
    curl_slist* list = nullptr;
    auto add = [&](const std::string& line) {
      curl_slist* next = m_curl.slist_append(list, line.c_str());
      if (!next) {
        m_curl.slist_free_all(list);
        throw Error("cannot build HTTP headers: out of memory");
      }
      list = next;
    };
    bool has_auth = false;
    for (const auto& [name, value] : request.headers) {
      if (to_lower(name) == "authorization") has_auth = true;
      add(fmt::format("{}: {}", name, value));
    }
    if (m_options.authorization && !has_auth) add("Authorization: " + *m_options.authorization);
    add("Expect:");  // no 100-continue round trip for bodies
    return Slist(list);
  }

  void configure(CURL* h, const Request& request, curl_slist* headers, Transfer& t) const {
    m_curl.easy_setopt(h, CURLOPT_URL, request.url.c_str());
    m_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    // Only HTTP: a URL from a configuration or an answer never makes libcurl speak FTP,
    // file://, LDAP... (a libcurl older than 7.85 ignores the option: the config check stays).
    m_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (request.fresh_connection) m_curl.easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    if (request.canceller) configure_cancel(h, t);
    m_curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    m_curl.easy_setopt(h, CURLOPT_USERAGENT, m_options.user_agent.c_str());
    m_curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout.count()));
    const auto total = request.timeout.value_or(m_options.total_timeout);
    m_curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
    m_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    m_curl.easy_setopt(h, CURLOPT_WRITEDATA, &t);
    m_curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    m_curl.easy_setopt(h, CURLOPT_HEADERDATA, &t);
    m_curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, m_options.insecure ? 0L : 1L);
    m_curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, m_options.insecure ? 0L : 2L);
    if (m_options.ca_file) m_curl.easy_setopt(h, CURLOPT_CAINFO, m_options.ca_file->c_str());
    if (m_options.unix_socket) m_curl.easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, m_options.unix_socket->c_str());
    if (m_options.basic_auth) {
      m_curl.easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      m_curl.easy_setopt(h, CURLOPT_USERNAME, m_options.basic_auth->user.c_str());
      m_curl.easy_setopt(h, CURLOPT_PASSWORD, m_options.basic_auth->password.c_str());
    }
    m_curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (request.method == "HEAD") {
      m_curl.easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET" || !request.body.empty()) {
      if (request.method != "POST") m_curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (request.method != "GET" || !request.body.empty()) {
        m_curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        m_curl.easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      }
    }
  }

  // The socket is registered with the canceller while it is open; a connection of its own
  // (not reused, closed when the transfer ends) so the close callback runs in this transfer.
  void configure_cancel(CURL* h, Transfer& t) const {
    m_curl.easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    m_curl.easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    m_curl.easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_cancellable);
    m_curl.easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
    m_curl.easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_cancellable);
    m_curl.easy_setopt(h, CURLOPT_CLOSESOCKETDATA, &t);
    m_curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cancellable);
    m_curl.easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    m_curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }

  // Waits before retry `attempt` (1-based): full jitter over an exponential window.
  void backoff(int attempt, const Response& last) {
    std::chrono::milliseconds window = m_options.backoff_base * (1LL << std::min(attempt - 1, 20));
    window = std::min(window, m_options.backoff_max);
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard lock(m_mutex);
      std::uniform_int_distribution<long long> dist(0, window.count());
      wait = std::chrono::milliseconds(dist(m_rng));
    }
    if (auto after = last.header("retry-after")) {
      try {
        wait = std::min(std::max(wait, std::chrono::milliseconds(std::stoll(*after) * 1000)),
                        m_options.backoff_max);
      } catch (const std::exception&) {
        // an HTTP-date Retry-After: keep our own backoff
      }
    }
    log::debug("retrying in {} ms (attempt {} of {})", wait.count(), attempt + 1, m_options.max_retries + 1);
    std::this_thread::sleep_for(wait);
  }

  Response perform(const Request& request, const ChunkHandler* on_chunk) {
    const bool may_retry = request.idempotent.value_or(default_idempotent(request.method));
    const std::string shown = redact_url(request.url);
    for (int attempt = 0;; ++attempt) {
      Response response;
      response.url = shown;
      Transfer t{&response, on_chunk, request.canceller};
      t.max_body = request.max_body;
      auto handle = acquire();
      auto headers = build_headers(request);
      configure(handle.get(), request, headers.get(), t);
      log::debug("> {} {}{}", request.method, shown,
                 request.body.empty() ? "" : fmt::format(" ({} bytes)", request.body.size()));
      if (log::enabled(log::Level::trace)) {
        for (const auto& [name, value] : request.headers) log::trace(">   {}: {}", name, redact_header(name, value));
        if (m_options.authorization) log::trace(">   Authorization: REDACTED");
        if (m_options.basic_auth) log::trace(">   Authorization: Basic REDACTED");
      }
      const auto started = std::chrono::steady_clock::now();
      const CURLcode code = m_curl.easy_perform(handle.get());
      m_curl.easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &response.status);
      release(std::move(handle));
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started).count();
      if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && t.stopped)) {
        log::debug("< {} {} {} ({} ms, {} bytes)", response.status, request.method, shown, ms, response.body.size());
        if (retryable_status(response.status) && may_retry && attempt < m_options.max_retries && !t.delivered) {
          backoff(attempt + 1, response);
          continue;
        }
        return response;
      }
      if (code == CURLE_WRITE_ERROR && t.too_large) {
        throw Error(fmt::format("{} {}: the answer is larger than {} bytes; not reading more",
                                request.method, shown, request.max_body),
                    Exit::remote);
      }
      const std::string why = m_curl.easy_strerror(code);
      log::debug("< {} {} failed after {} ms: {}", request.method, shown, ms, why);
      if (code == CURLE_OPERATION_TIMEDOUT) {
        throw Error(fmt::format("{} {}: no answer within {} ms", request.method, shown,
                                request.timeout.value_or(m_options.total_timeout).count()),
                    Exit::timeout);
      }
      if (retryable_curl(code) && may_retry && attempt < m_options.max_retries && !t.delivered) {
        backoff(attempt + 1, response);
        continue;
      }
      const std::string tries = attempt > 0 ? fmt::format(" (after {} attempts)", attempt + 1) : "";
      throw Error(fmt::format("{} {}: {}{}", request.method, shown, why, tries), Exit::remote);
    }
  }

  const curl::Library& m_curl;  // loaded (once per process) by the first client
  ClientOptions m_options;
  std::mutex m_mutex;
  std::vector<CurlHandle> m_pool;
  std::mt19937_64 m_rng{std::random_device{}()};
};

bool secret_key(std::string_view key) {
  const std::string k = to_lower(key);
  for (const char* s : {"token", "password", "passwd", "secret", "key", "auth", "signature", "credential"}) {
    if (k.find(s) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  const std::string want = to_lower(name);
  for (const auto& [k, v] : headers) {
    if (k == want) return v;
  }
  return std::nullopt;
}

std::unique_ptr<HttpClient> make_curl_client(ClientOptions options) {
  return std::make_unique<CurlClient>(std::move(options));
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto host_start = scheme + 3;
    const auto path_start = out.find_first_of("/?#", host_start);
    const auto at = out.rfind('@', path_start == std::string::npos ? out.size() : path_start);
    if (at != std::string::npos && at >= host_start) out.erase(host_start, at + 1 - host_start);
  }
  const auto q = out.find('?');
  if (q == std::string::npos) return out;
  std::string result = out.substr(0, q + 1);
  const auto params = out.substr(q + 1);
  std::size_t start = 0;
  while (start <= params.size()) {
    auto end = params.find('&', start);
    if (end == std::string::npos) end = params.size();
    const auto param = params.substr(start, end - start);
    const auto eq = param.find('=');
    if (eq != std::string::npos && secret_key(param.substr(0, eq))) {
      result += param.substr(0, eq) + "=REDACTED";
    } else {
      result += param;
    }
    if (end == params.size()) break;
    result += '&';
    start = end + 1;
  }
  return result;
}

std::string redact_header(std::string_view name, std::string_view value) {
  const std::string n = to_lower(name);
  if (n == "authorization" || n == "proxy-authorization") {
    const auto space = value.find(' ');
    return space == std::string_view::npos ? "REDACTED" : std::string(value.substr(0, space)) + " REDACTED";
  }
  if (n == "cookie" || n == "set-cookie" || secret_key(n)) return "REDACTED";
  return std::string(value);
}

std::string url_escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace mctl::core::http
