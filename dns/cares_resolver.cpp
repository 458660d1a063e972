// The DNS resolver: one c-ares channel per batch, every question in flight at once (up to
// max_in_flight), SRV targets resolved with their own A queries (dnsmasq sends no additional
// section) and shared between answers. c-ares retries a truncated UDP answer over TCP.
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <set>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "dns/resolver.hpp"

namespace mctl::dns {
namespace {

// ares_library_init once per process; only matters on Windows, but it is the documented contract.
void init_library() {
  static const int status = ares_library_init(ARES_LIB_INIT_ALL);
  if (status != ARES_SUCCESS) {
    throw Error(fmt::format("cannot initialise c-ares: {}", ares_strerror(status)));
  }
}

struct ChannelDeleter {
  void operator()(ares_channeldata* channel) const noexcept { ares_destroy(channel); }
};
using Channel = std::unique_ptr<ares_channeldata, ChannelDeleter>;

struct HostentDeleter {
  void operator()(hostent* h) const noexcept { ares_free_hostent(h); }
};
struct AresDataDeleter {
  void operator()(void* data) const noexcept { ares_free_data(data); }
};

// The numeric address of `host` ("127.0.0.1", "::1", or a name looked up once with the
// system resolver), formatted for ares_set_servers_ports_csv.
std::string server_csv(const HostPort& server) {
  unsigned char buffer[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, server.host.c_str(), buffer) == 1) return fmt::format("{}:{}", server.host, server.port);
  if (::inet_pton(AF_INET6, server.host.c_str(), buffer) == 1) return fmt::format("[{}]:{}", server.host, server.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(server.host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    throw Error(fmt::format("cannot find the address of Mesos-DNS server '{}': {}", server.host, gai_strerror(rc)),
                Exit::remote);
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, &::freeaddrinfo);
  char text[INET6_ADDRSTRLEN] = {};
  if (found->ai_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr, text, sizeof text);
    return fmt::format("[{}]:{}", text, server.port);
  }
  ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof text);
  return fmt::format("{}:{}", text, server.port);
}

struct Failure {
  Status status;
  std::string detail;
};

Failure classify(int ares_status, const std::string& server, std::chrono::milliseconds timeout) {
  switch (ares_status) {
    case ARES_ENOTFOUND: return {Status::no_records, "NXDOMAIN"};
    case ARES_ENODATA: return {Status::no_records, "no answer records (NOERROR)"};
    case ARES_ETIMEOUT:
      return {Status::timeout, fmt::format("no answer from {} within {}", server, core::format_duration(timeout))};
    case ARES_EREFUSED: return {Status::refused, fmt::format("{} refused the query (REFUSED)", server)};
    case ARES_ECONNREFUSED:
      return {Status::unreachable, fmt::format("connection refused: is a DNS server listening on {}?", server)};
    default: return {Status::error, fmt::format("{} ({})", ares_strerror(ares_status), server)};
  }
}

class Batch {
 public:
  Batch(const DnsOptions& options, const std::string& server, const std::vector<Question>& questions)
      : m_options(options), m_server(server), m_answers(questions.size()), m_srv(questions.size()),
        m_waiting(questions.size(), 0), m_unfinished(questions.size()) {
    for (std::size_t i = 0; i < questions.size(); ++i) {
      m_answers[i].name = normalize_name(questions[i].name);
      m_answers[i].type = questions[i].type;
      m_queue.push_back(i);
    }
    open_channel();
  }

  std::vector<Answer> run() {
    launch();
    while (m_unfinished > 0) {
      if (m_in_flight == 0 && m_queue.empty()) throw Error("DNS batch stalled (internal error)");
      wait_and_process();
    }
    return std::move(m_answers);
  }

 private:
  struct Call {
    Batch* batch;
    std::size_t index;   // the answer, for a question
    std::string target;  // non-empty: an SRV target's A query
  };
  struct Target {
    bool done = false;
    std::vector<std::string> ips;
    std::vector<std::size_t> waiters;
  };
  struct Srv {
    std::string host;
    int port, priority, weight;
  };

  void open_channel() {
    ares_options opts{};
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF;
    // NOCHECKRESP: a REFUSED answer ends the query at once instead of being retried.
    opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH | (m_options.tcp ? ARES_FLAG_USEVC : 0);
    // c-ares doubles the per-try timeout on each try: t + 2t + 4t = the whole budget. Three
    // short tries rather than two long ones: a busy server (dnsmasq is single-threaded) drops
    // some UDP queries of a big batch, and each drop costs one first-try timeout.
    opts.timeout = std::max(30, static_cast<int>(m_options.timeout.count() / 7));
    opts.tries = 3;
    opts.sock_state_cb = &Batch::on_socket_state;
    opts.sock_state_cb_data = this;
    opts.ednspsz = 1232;
    opts.socket_receive_buffer_size = 1 << 20;
    ares_channel raw = nullptr;
    const int rc = ares_init_options(&raw, &opts, mask);
    if (rc != ARES_SUCCESS) throw Error(fmt::format("cannot set up a DNS channel: {}", ares_strerror(rc)));
    m_channel.reset(raw);
    const int set = ares_set_servers_ports_csv(m_channel.get(), m_server.c_str());
    if (set != ARES_SUCCESS) {
      throw Error(fmt::format("cannot use DNS server {}: {}", m_server, ares_strerror(set)), Exit::usage);
    }
  }

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto& sockets = static_cast<Batch*>(data)->m_sockets;
    if (!readable && !writable) {
      sockets.erase(fd);
      return;
    }
    sockets[fd] = static_cast<short>((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
  }

  void launch() {
    if (m_launching) return;  // a callback run inside ares_query: the outer loop continues
    m_launching = true;
    while (!m_queue.empty() && m_in_flight < static_cast<std::size_t>(m_options.max_in_flight)) {
      const std::size_t i = m_queue.front();
      m_queue.pop_front();
      const int type = m_answers[i].type == RecordType::a ? ns_t_a : ns_t_srv;
      send(m_answers[i].name, type, &m_calls.emplace_back(Call{this, i, {}}));
    }
    m_launching = false;
  }

  void send(const std::string& name, int type, Call* call) {
    ++m_in_flight;
    core::log::trace("dns: query {} {} at {}", name, type == ns_t_a ? "A" : "SRV", m_server);
    ares_query(m_channel.get(), name.c_str(), ns_c_in, type, &Batch::on_answer, call);
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    if (status == ARES_EDESTRUCTION) return;
    auto* call = static_cast<Call*>(arg);
    Batch& self = *call->batch;
    --self.m_in_flight;
    if (!call->target.empty()) self.target_done(call->target, status, abuf, alen);
    else self.question_done(call->index, status, abuf, alen);
    self.launch();
  }

  void fail(std::size_t i, int status) {
    auto failure = classify(status, m_server, m_options.timeout);
    m_answers[i].status = failure.status;
    m_answers[i].detail = std::move(failure.detail);
    --m_unfinished;
  }

  static std::vector<std::string> parse_a(int& status, unsigned char* abuf, int alen) {
    std::vector<std::string> ips;
    if (status != ARES_SUCCESS) return ips;
    hostent* raw = nullptr;
    status = ares_parse_a_reply(abuf, alen, &raw, nullptr, nullptr);
    std::unique_ptr<hostent, HostentDeleter> host(raw);
    if (status != ARES_SUCCESS) return ips;
    for (char** a = host->h_addr_list; a && *a; ++a) {
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, *a, text, sizeof text);
      ips.emplace_back(text);
    }
    if (ips.empty()) status = ARES_ENODATA;
    return ips;
  }

  void question_done(std::size_t i, int status, unsigned char* abuf, int alen) {
    if (m_answers[i].type == RecordType::a) {
      auto ips = parse_a(status, abuf, alen);
      if (status != ARES_SUCCESS) return fail(i, status);
      for (auto& ip : ips) m_answers[i].records.push_back({m_answers[i].name, std::move(ip), 0, 0, 0});
      sort_records(m_answers[i].records);
      --m_unfinished;
      return;
    }
    if (status == ARES_SUCCESS) {
      ares_srv_reply* raw = nullptr;
      status = ares_parse_srv_reply(abuf, alen, &raw);
      std::unique_ptr<void, AresDataDeleter> list(raw);
      for (auto* r = raw; status == ARES_SUCCESS && r; r = r->next) {
        m_srv[i].push_back({normalize_name(r->host), r->port, r->priority, r->weight});
      }
      if (status == ARES_SUCCESS && m_srv[i].empty()) status = ARES_ENODATA;
    }
    if (status != ARES_SUCCESS) return fail(i, status);
    resolve_targets(i);
  }

  // Mesos-DNS puts the targets' addresses in the additional section but dnsmasq does not, and
  // c-ares 1.18 cannot read that section: ask for each target once per batch.
  void resolve_targets(std::size_t i) {
    std::set<std::string> unique;
    for (const auto& s : m_srv[i]) unique.insert(s.host);
    for (const auto& host : unique) {
      auto& target = m_targets[host];
      if (target.done) continue;
      ++m_waiting[i];
      target.waiters.push_back(i);
      if (target.waiters.size() == 1) send(host, ns_t_a, &m_calls.emplace_back(Call{this, 0, host}));
    }
    if (m_waiting[i] == 0) finish_srv(i);
  }

  void target_done(const std::string& host, int status, unsigned char* abuf, int alen) {
    auto& target = m_targets[host];
    target.ips = parse_a(status, abuf, alen);
    if (status != ARES_SUCCESS) {
      core::log::debug("dns: SRV target {} has no address: {}", host, classify(status, m_server, m_options.timeout).detail);
    }
    target.done = true;
    const auto waiters = std::move(target.waiters);
    for (const auto i : waiters) {
      if (--m_waiting[i] == 0) finish_srv(i);
    }
  }

  void finish_srv(std::size_t i) {
    auto& records = m_answers[i].records;
    for (const auto& s : m_srv[i]) {
      const auto& ips = m_targets[s.host].ips;
      if (ips.empty()) records.push_back({s.host, "", s.port, s.priority, s.weight});
      for (const auto& ip : ips) records.push_back({s.host, ip, s.port, s.priority, s.weight});
    }
    sort_records(records);
    --m_unfinished;
  }

  void wait_and_process() {
    std::vector<pollfd> fds;
    fds.reserve(m_sockets.size());
    for (const auto& [fd, events] : m_sockets) fds.push_back({fd, events, 0});
    timeval tv{};
    const timeval* next = ares_timeout(m_channel.get(), nullptr, &tv);
    const int wait_ms = next ? static_cast<int>(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000) : 1000;
    const int n = ::poll(fds.data(), fds.size(), wait_ms);
    if (n < 0) {
      if (errno == EINTR) return;
      throw Error(fmt::format("waiting for DNS answers: {}", std::strerror(errno)));
    }
    if (n == 0) {
      ares_process_fd(m_channel.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
      return;
    }
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      const bool in = (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
      const bool out = (p.revents & POLLOUT) != 0;
      ares_process_fd(m_channel.get(), in ? p.fd : ARES_SOCKET_BAD, out ? p.fd : ARES_SOCKET_BAD);
    }
  }

  const DnsOptions& m_options;
  std::string m_server;
  std::vector<Answer> m_answers;
  std::vector<std::vector<Srv>> m_srv;
  std::vector<std::size_t> m_waiting;  // SRV targets each answer still waits for
  std::map<std::string, Target> m_targets;
  std::map<ares_socket_t, short> m_sockets;
  std::deque<std::size_t> m_queue;
  std::deque<Call> m_calls;  // stable addresses for c-ares callback arguments
  std::size_t m_in_flight = 0;
  std::size_t m_unfinished;
  bool m_launching = false;
  Channel m_channel;  // last member: destroyed first, while the callbacks' state still exists
};

class CaresResolver final : public Resolver {
 public:
  explicit CaresResolver(DnsOptions options) : m_options(std::move(options)) {
    init_library();
    m_server = server_csv(parse_server(m_options.server));
  }

  std::vector<Answer> resolve(const std::vector<Question>& questions) override {
    if (questions.empty()) return {};
    Batch batch(m_options, m_server, questions);
    return batch.run();
  }

  std::string describe() const override { return m_server; }

 private:
  DnsOptions m_options;
  std::string m_server;
};

}  // namespace

std::unique_ptr<Resolver> make_dns_resolver(const DnsOptions& options) {
  return std::make_unique<CaresResolver>(options);
}

}  // namespace mctl::dns
