#pragma once
// Asking Mesos-DNS for A and SRV records, over DNS (c-ares) or its HTTP API. A Resolver
// answers a whole batch of questions at once so many names can be in flight together.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
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
  error,        // SERVFAIL, malformed answer, HTTP error, SRV targets whose address is unknown ...
  invalid,      // not a valid DNS name (name_problem()); nothing was asked
};
std::string to_string(Status status);

// The exit code of README's table for a status: the one mapping every dns command uses.
// ok 0, no_records 8, timeout 4, refused/unreachable/error 3, invalid 2.
Exit exit_code(Status status);
// The more serious of two exit codes, for a command reporting many names:
// usage > timeout > remote > no records > ok.
Exit worse(Exit a, Exit b);

struct Answer {
  std::string name;            // normalised: lower case, no trailing dot
  RecordType type = RecordType::a;
  Status status = Status::ok;
  std::string detail;          // for a failure: why, for people (no secrets)
  // Sorted: by ip (numerically), port, host. An SRV answer whose targets could not all be
  // resolved keeps its records (ip "" for those) with a failure status naming the targets.
  std::vector<Record> records;
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
  std::chrono::milliseconds timeout{5000};  // per name, all retries and its SRV targets included
  // Queries on the wire at once, SRV target queries included: enough to hide the round trips,
  // few enough that a single-threaded server's socket buffer does not overflow (dnsmasq).
  int max_in_flight = 32;
};

// How c-ares is told to spend a deadline: the first try's timeout and the number of tries
// (c-ares doubles the timeout on each try). The one place this is computed. UDP: three tries
// of 1/7, 2/7 and 4/7 of it, so a dropped datagram costs one short try. TCP: c-ares never
// re-sends a query on the connection it already used, so with one server a second try would
// never happen: one try of the whole deadline. On top of this the resolver ends every query at
// its deadline and asks again a query that timed out before it.
struct AresTiming {
  int timeout_ms = 0;
  int tries = 0;
};
AresTiming ares_timing(std::chrono::milliseconds deadline, bool tcp);

// A c-ares resolver. Throws Error(Exit::usage) for an unparsable server, Error(Exit::remote)
// when its host name does not resolve.
std::unique_ptr<Resolver> make_dns_resolver(const DnsOptions& options);

// The Mesos-DNS HTTP API at `base_url` (e.g. http://10.10.0.11:8123): /v1/hosts/ and
// /v1/services/, whose "unknown name" answer (one empty record) means no records and whose
// ports are strings. `parallel` requests at once.
std::unique_ptr<Resolver> make_http_resolver(core::http::HttpClient& client, std::string base_url,
                                             int parallel = 8);

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
