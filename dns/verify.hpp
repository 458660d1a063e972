#pragma once
// `mctl deploy --verify-dns`: the rule that Mesos-DNS lists every running task of an app, and
// the wait for it (Mesos-DNS reads Mesos state every refreshSeconds).
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"
#include "dns/names.hpp"

namespace mctl::dns {

// A running task as Marathon reports it: its agent's host name and its host ports.
struct RunningTask {
  std::string host;
  std::vector<long long> ports;
};

struct VerifyOptions {
  std::string server;                           // "host[:port]" (DNS) or an http(s):// URL
  std::chrono::milliseconds timeout{60'000};    // the whole wait
  std::chrono::milliseconds per_lookup{5'000};  // one round of lookups
  std::chrono::milliseconds interval{500};      // between rounds
  core::http::ClientOptions http;               // for the HTTP API (service_http_options)
  NameRules rules;
};

struct Verification {
  bool ok = false;
  std::size_t endpoints = 0;  // expected endpoints (agent IP:host port, or agent IP without ports)
  std::string problem;        // why not, for people: what is missing, or the lookup error
};

// Asks Marathon (`running_tasks`) and Mesos-DNS (app_tasks) in rounds until Mesos-DNS lists
// every endpoint of every running task, the deadline passes, or `stop` returns true. Agent host
// names are resolved with the system resolver; a host that does not resolve is a problem.
Verification wait_until_listed(std::string_view app_id,
                               const std::function<std::vector<RunningTask>()>& running_tasks,
                               const VerifyOptions& options, const std::function<bool()>& stop);

}  // namespace mctl::dns
