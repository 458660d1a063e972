#pragma once
// Asking Mesos-DNS for A and SRV records, over DNS (c-ares) or its HTTP API. A Resolver
// answers a whole batch of questions at once so many names can be in flight together.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/names.hpp"

namespace mctl::core::http {
class HttpClient;
}

namespace mctl::dns {

struct Question {
  std::string name;  // as the user wrote it; a trailing dot is allowed
  RecordType type = RecordType::a;
};

// One record of an answer. A: `ip` only. SRV: the target `host` (no trailing dot), its `ip`
// (resolved by the resolver; "" when the target has no address) and `port`; a target with
// several addresses gives one record per address.
struct Record {
  std::string host;
  std::string ip;
  int port = 0;
  int priority = 0;
  int weight = 0;
};

enum class Status {
  ok,           // at least one record
  no_records,   // NXDOMAIN or NOERROR without answers (Mesos-DNS gives both)
  timeout,      // no answer within the timeout
  refused,      // the server answered REFUSED (e.g. a name outside its domain)
  unreachable,  // nothing listening (ICMP port unreachable / connection refused)
  error,        // SERVFAIL, malformed answer, HTTP error ...
};
std::string to_string(Status status);

struct Answer {
  std::string name;            // normalised: lower case, no trailing dot
  RecordType type = RecordType::a;
  Status status = Status::ok;
  std::string detail;          // for a failure: why, for people (no secrets)
  std::vector<Record> records; // sorted: by ip (numerically), port, host
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Answers every question, in the order asked. Per-name failures are in Answer::status;
  // throws Error only when nothing can be asked at all (bad server address, ...).
  virtual std::vector<Answer> resolve(const std::vector<Question>& questions) = 0;
  // Where the answers come from, for messages ("127.0.0.1:8600", "http://host:8123").
  virtual std::string describe() const = 0;
};

struct DnsOptions {
  std::string server;   // "host", "host:port", "[v6]:port"; port 53 by default
  bool tcp = false;     // every query over TCP (a truncated UDP answer is always retried on TCP)
  std::chrono::milliseconds timeout{5000};  // per name, all retries included
  // Queries on the wire at once: enough to hide the round trips, few enough that a
  // single-threaded server's socket buffer does not overflow (measured against dnsmasq).
  int max_in_flight = 32;
};

// A c-ares resolver. Throws Error(Exit::usage) for an unparsable server, Error(Exit::remote)
// when its host name does not resolve.
std::unique_ptr<Resolver> make_dns_resolver(const DnsOptions& options);

// The Mesos-DNS HTTP API at `base_url` (e.g. http://10.10.0.11:8123): /v1/hosts/ and
// /v1/services/, whose "unknown name" answer (one empty record) means no records and whose
// ports are strings. `parallel` requests at once.
std::unique_ptr<Resolver> make_http_resolver(core::http::HttpClient& client, std::string base_url,
                                             int parallel = 8);

// GET /v1/version of the HTTP API: "Mesos-DNS v0.7.0-rc2". Throws Error(Exit::remote) when the
// server does not answer like Mesos-DNS.
std::string http_server_version(core::http::HttpClient& client, const std::string& base_url);

// Splits "host[:port]" / "[v6]:port" with a default port. Throws Error(Exit::usage).
struct HostPort {
  std::string host;
  int port = 53;
};
HostPort parse_server(const std::string& text, int default_port = 53);

// Sorts records as every output of mctl dns shows them: ip (numerically), port, host.
void sort_records(std::vector<Record>& records);
// Orders addresses numerically (IPv4 before IPv6 before anything else).
bool ip_less(const std::string& a, const std::string& b);
// Lower case, no trailing dot.
std::string normalize_name(const std::string& name);

}  // namespace mctl::dns
