// The DNS resolver: one c-ares channel per batch, up to max_in_flight queries on the wire, SRV
// targets resolved with their own A queries (dnsmasq sends no additional section) and shared
// between answers. c-ares retries a truncated UDP answer over TCP; mctl keeps each query to
// its deadline (see Batch).
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <optional>
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

// c-ares writes to TCP sockets with writev(), which raises SIGPIPE (and kills mctl) when the
// server has closed the connection, as dnsmasq does under load. These socket functions are
// c-ares's own, but send with MSG_NOSIGNAL. c-ares leaves user-managed sockets unconfigured,
// so they are opened non-blocking here, with a big UDP receive buffer for large batches.
ares_socket_t open_socket(int domain, int type, int protocol, void* /*user*/) {
  const int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return ARES_SOCKET_BAD;
  const int one = 1, buffer = 1 << 20;
  if (type == SOCK_DGRAM) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  if (type == SOCK_STREAM) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}
int close_socket(ares_socket_t fd, void* /*user*/) { return ::close(fd); }
int connect_socket(ares_socket_t fd, const sockaddr* address, ares_socklen_t length, void* /*user*/) {
  return ::connect(fd, address, length);
}
ares_ssize_t receive(ares_socket_t fd, void* buffer, size_t length, int flags, sockaddr* from, ares_socklen_t* from_length,
                     void* /*user*/) {
  return ::recvfrom(fd, buffer, length, flags, from, from_length);
}
ares_ssize_t send_vector(ares_socket_t fd, const iovec* parts, int count, void* /*user*/) {
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(parts);
  message.msg_iovlen = static_cast<std::size_t>(count);
  return ::sendmsg(fd, &message, MSG_NOSIGNAL);
}
const ares_socket_functions k_socket_functions = {&open_socket, &close_socket, &connect_socket, &receive, &send_vector};

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

using Clock = std::chrono::steady_clock;

// One batch of questions on one c-ares channel. Every query, a question or an SRV target's A
// query, waits in one queue and at most max_in_flight are on the wire; each has a deadline
// (a question: its timeout from when it is sent; a target: the deadline of the question that
// first needed it). A query c-ares gives up on before its deadline is asked again; a query
// still open at its deadline ends as a timeout.
class Batch {
 public:
  Batch(const DnsOptions& options, const std::string& server, const std::vector<Question>& questions)
      : m_options(options), m_server(server), m_answers(questions.size()), m_srv(questions.size()),
        m_waiting(questions.size(), 0), m_unfinished(questions.size()) {
    for (std::size_t i = 0; i < questions.size(); ++i) {
      m_answers[i].name = normalize_name(questions[i].name);
      m_answers[i].type = questions[i].type;
      if (auto why = name_problem(m_answers[i].name); !why.empty()) {
        m_answers[i].status = Status::invalid;
        m_answers[i].detail = fmt::format("not a valid DNS name: {}", why);
        --m_unfinished;
        continue;
      }
      m_queue.push_back({i, {}, {}, false});
    }
    m_channels[0] = open_channel(m_options.tcp);
  }

  std::vector<Answer> run() {
    launch();
    while (m_unfinished > 0) {
      if (m_in_flight == 0 && m_queue.empty()) throw Error("DNS batch stalled (internal error)");
      wait_and_process();
      expire(Clock::now());
      launch();
    }
    // Nothing listens on the server: the names that timed out meanwhile (their datagrams sent
    // before the port was known to be closed) failed for the same reason, and say so.
    if (m_connection_refused) {
      for (auto& a : m_answers) {
        if (a.status != Status::timeout) continue;
        auto failure = classify(ARES_ECONNREFUSED, m_server, m_options.timeout);
        a.status = failure.status;
        a.detail = std::move(failure.detail);
      }
    }
    return std::move(m_answers);
  }

 private:
  struct Job {
    std::size_t index;             // the answer, for a question
    std::string target;            // non-empty: an SRV target's A query
    Clock::time_point deadline{};  // set when first sent (a question) or queued (a target)
    bool again = false;            // asked again after c-ares gave up early: over TCP
  };
  struct Call {
    Batch* batch;
    Job job;
    bool open = true;  // false once answered or ended at its deadline (a late callback is ignored)
    std::multimap<Clock::time_point, Call*>::iterator by_deadline;
  };
  struct Target {
    bool done = false;
    std::vector<std::string> ips;
    std::optional<Failure> failure;  // a timeout or server error: the address is unknown
    std::vector<std::size_t> waiters;
  };
  struct Srv {
    std::string host;
    int port, priority, weight;
  };

  // The channel for first tries (UDP, or TCP with --tcp), or the TCP channel for queries asked
  // again: TCP loses nothing and carries any answer size, and c-ares will not retry a query on
  // a connection it already used, so one try of the whole deadline (cut at each query's own).
  Channel open_channel(bool tcp) {
    const auto timing = ares_timing(m_options.timeout, tcp);
    ares_options opts{};
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF;
    // NOCHECKRESP: a REFUSED answer ends the query at once instead of being retried.
    opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH | (tcp ? ARES_FLAG_USEVC : 0);
    opts.timeout = timing.timeout_ms;
    opts.tries = timing.tries;
    opts.sock_state_cb = &Batch::on_socket_state;
    opts.sock_state_cb_data = this;
    opts.ednspsz = 1232;
    opts.socket_receive_buffer_size = 1 << 20;
    ares_channel raw = nullptr;
    const int rc = ares_init_options(&raw, &opts, mask);
    if (rc != ARES_SUCCESS) throw Error(fmt::format("cannot set up a DNS channel: {}", ares_strerror(rc)));
    Channel channel(raw);
    ares_set_socket_functions(channel.get(), &k_socket_functions, nullptr);
    const int set = ares_set_servers_ports_csv(channel.get(), m_server.c_str());
    if (set != ARES_SUCCESS) {
      throw Error(fmt::format("cannot use DNS server {}: {}", m_server, ares_strerror(set)), Exit::usage);
    }
    return channel;
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
      Job job = std::move(m_queue.front());
      m_queue.pop_front();
      if (job.deadline == Clock::time_point{}) job.deadline = Clock::now() + m_options.timeout;
      send(std::move(job));
    }
    m_launching = false;
  }

  void send(Job job) {
    auto& call = m_calls.emplace_back(Call{this, std::move(job), true, {}});
    const bool target = !call.job.target.empty();
    const std::string& name = target ? call.job.target : m_answers[call.job.index].name;
    const int type = target || m_answers[call.job.index].type == RecordType::a ? ns_t_a : ns_t_srv;
    call.by_deadline = m_deadlines.emplace(call.job.deadline, &call);
    ++m_in_flight;
    core::log::trace("dns: query {} {} at {}", name, type == ns_t_a ? "A" : "SRV", m_server);
    if (call.job.again && !m_channels[1]) m_channels[1] = open_channel(true);
    ares_query(m_channels[call.job.again ? 1 : 0].get(), name.c_str(), ns_c_in, type, &Batch::on_answer, &call);
  }

  // Takes a call off the wire (answered, or ended at its deadline).
  void close(Call& call) {
    call.open = false;
    m_deadlines.erase(call.by_deadline);
    --m_in_flight;
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    if (status == ARES_EDESTRUCTION) return;
    auto* call = static_cast<Call*>(arg);
    if (!call->open) return;  // already ended at its deadline
    Batch& self = *call->batch;
    self.close(*call);
    if (status == ARES_SUCCESS || status == ARES_ENOTFOUND || status == ARES_ENODATA) self.m_server_answered = true;
    // c-ares also ends a query with ECONNREFUSED when the server closes a TCP connection the
    // query was waiting on (dnsmasq does under load): once the server has answered, it is
    // listening, and such a query is asked again like one given up early.
    const bool closed = status == ARES_ECONNREFUSED && self.m_server_answered;
    if (status == ARES_ECONNREFUSED && !closed && !call->job.again) self.m_connection_refused = true;
    // Given up early (a TC retry over TCP that had only the rest of a short UDP try, a TCP
    // connection closed by the server): ask again over TCP while the deadline allows. A query
    // that used its tries ends within a first try's time of its deadline and is not asked again.
    const auto first_try = std::chrono::milliseconds(ares_timing(self.m_options.timeout, false).timeout_ms);
    if ((status == ARES_ETIMEOUT && Clock::now() + first_try < call->job.deadline) ||
        (closed && Clock::now() < call->job.deadline)) {
      core::log::debug("dns: no answer yet for {}, asking again", call->job.target.empty()
                                                                       ? self.m_answers[call->job.index].name
                                                                       : call->job.target);
      Job again = call->job;
      again.again = true;
      self.m_queue.push_front(std::move(again));
    } else {
      self.dispatch(call->job, status, abuf, alen);
    }
    self.launch();
  }

  void dispatch(const Job& job, int status, unsigned char* abuf, int alen) {
    if (!job.target.empty()) target_done(job.target, status, abuf, alen);
    else question_done(job.index, status, abuf, alen, job.deadline);
  }

  // Ends every query whose deadline has passed as a timeout.
  void expire(Clock::time_point now) {
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
      Call& call = *m_deadlines.begin()->second;
      close(call);
      dispatch(call.job, ARES_ETIMEOUT, nullptr, 0);
    }
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

  void question_done(std::size_t i, int status, unsigned char* abuf, int alen, Clock::time_point deadline) {
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
    resolve_targets(i, deadline);
  }

  // Mesos-DNS puts the targets' addresses in the additional section but dnsmasq does not, and
  // c-ares 1.18 cannot read that section: ask for each target once per batch, through the queue.
  void resolve_targets(std::size_t i, Clock::time_point deadline) {
    std::set<std::string> unique;
    for (const auto& s : m_srv[i]) unique.insert(s.host);
    for (const auto& host : unique) {
      auto& target = m_targets[host];
      if (target.done) continue;
      ++m_waiting[i];
      target.waiters.push_back(i);
      if (target.waiters.size() == 1) m_queue.push_back({0, host, deadline, false});
    }
    if (m_waiting[i] == 0) finish_srv(i);
  }

  void target_done(const std::string& host, int status, unsigned char* abuf, int alen) {
    auto& target = m_targets[host];
    target.ips = parse_a(status, abuf, alen);
    if (status != ARES_SUCCESS) {
      auto failure = classify(status, m_server, m_options.timeout);
      core::log::debug("dns: SRV target {} has no address: {}", host, failure.detail);
      if (failure.status != Status::no_records) target.failure = std::move(failure);
    }
    target.done = true;
    const auto waiters = std::move(target.waiters);
    for (const auto i : waiters) {
      if (--m_waiting[i] == 0) finish_srv(i);
    }
  }

  // The SRV records with their targets' addresses. A target whose address could not be
  // learnt (timeout, server error) makes the answer a failure naming it: never a silent "-".
  void finish_srv(std::size_t i) {
    auto& answer = m_answers[i];
    std::set<std::string> hosts, unknown;
    const Failure* worst = nullptr;
    for (const auto& s : m_srv[i]) {
      const auto& target = m_targets[s.host];
      hosts.insert(s.host);
      if (target.failure) {
        unknown.insert(s.host);
        const Exit e = exit_code(target.failure->status);
        if (!worst || worse(exit_code(worst->status), e) != exit_code(worst->status)) worst = &*target.failure;
      }
      if (target.ips.empty()) answer.records.push_back({s.host, "", s.port, s.priority, s.weight});
      for (const auto& ip : target.ips) answer.records.push_back({s.host, ip, s.port, s.priority, s.weight});
    }
    sort_records(answer.records);
    if (worst) {
      answer.status = worst->status;
      answer.detail = fmt::format("the address of {} of {} SRV target(s) is unknown ({}{}): {}", unknown.size(),
                                  hosts.size(), *unknown.begin(), unknown.size() > 1 ? ", ..." : "", worst->detail);
    }
    --m_unfinished;
  }

  void wait_and_process() {
    std::vector<pollfd> fds;
    fds.reserve(m_sockets.size());
    for (const auto& [fd, events] : m_sockets) fds.push_back({fd, events, 0});
    long wait_ms = 1000;
    for (const auto& channel : m_channels) {
      timeval tv{};
      if (!channel) continue;
      if (const timeval* next = ares_timeout(channel.get(), nullptr, &tv)) {
        wait_ms = std::min<long>(wait_ms, next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
      }
    }
    if (!m_deadlines.empty()) {
      const auto until = std::chrono::ceil<std::chrono::milliseconds>(m_deadlines.begin()->first - Clock::now());
      wait_ms = std::clamp<long>(static_cast<long>(until.count()), 0, wait_ms);
    }
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    if (n < 0) {
      if (errno == EINTR) return;
      throw Error(fmt::format("waiting for DNS answers: {}", std::strerror(errno)));
    }
    // A channel ignores sockets that are not its own; each also handles its timeouts here.
    for (const auto& channel : m_channels) {
      if (!channel) continue;
      if (n == 0) ares_process_fd(channel.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      for (const auto& p : fds) {
        if (p.revents == 0) continue;
        const bool in = (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
        const bool out = (p.revents & POLLOUT) != 0;
        ares_process_fd(channel.get(), in ? p.fd : ARES_SOCKET_BAD, out ? p.fd : ARES_SOCKET_BAD);
      }
    }
  }

  const DnsOptions& m_options;
  std::string m_server;
  std::vector<Answer> m_answers;
  std::vector<std::vector<Srv>> m_srv;
  std::vector<std::size_t> m_waiting;  // SRV targets each answer still waits for
  std::map<std::string, Target> m_targets;
  std::map<ares_socket_t, short> m_sockets;
  std::deque<Job> m_queue;
  std::deque<Call> m_calls;  // stable addresses for c-ares callback arguments
  std::multimap<Clock::time_point, Call*> m_deadlines;  // the calls on the wire
  std::size_t m_in_flight = 0;
  std::size_t m_unfinished;
  bool m_launching = false;
  bool m_connection_refused = false;  // some query found nothing listening on the server
  bool m_server_answered = false;     // some query got an answer: the server is listening
  // Last member: destroyed first, while the callbacks' state still exists. [0] first tries,
  // [1] TCP for queries asked again (opened when first needed).
  std::array<Channel, 2> m_channels;
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
