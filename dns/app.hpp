#pragma once
// "Where does my app run?": every Mesos-DNS name of a Marathon app, asked in one batch, and the
// answers folded into a table of tasks.
#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.hpp"
#include "dns/names.hpp"
#include "dns/resolver.hpp"

namespace mctl::dns {

// One task endpoint: the task host name (T-H-S.F.dom), its IP, a port and the names of that
// port (from the named-port SRV records).
struct AppTask {
  std::string host;
  std::string ip;
  int port = 0;                         // 0: the app has no ports (A records only)
  std::string protocol;                 // "tcp", "udp" or "tcp+udp"
  std::vector<std::string> port_names;  // sorted
};

struct NameResult {
  AppName name;
  Answer answer;  // a name with a problem (not asked): Status::invalid, the problem as detail
};

struct AppReport {
  std::string app_id;
  std::vector<NameResult> names;  // every name asked, in app_names() order
  std::vector<AppTask> tasks;     // sorted by ip, port, host; empty: no running tasks
};

// Asks every name of `app_id` that DNS can carry (the others are listed, not asked) and builds
// the task table from the task SRV names (the mangled form, or the dotted one when the mangled
// SRV name cannot exist), or from the A names when the app has no ports. A name that fails
// does not stop the others: its status is in `names`, see failures(). Throws only for a bad
// app id (Exit::usage) or when nothing can be asked at all.
AppReport lookup_app(Resolver& resolver, std::string_view app_id, const NameRules& rules,
                     const std::vector<std::string>& port_names = {});

// The names that were asked and failed (timeout, refused, unreachable, error), in report order.
std::vector<const NameResult*> failures(const AppReport& report);

// Folds answers into tasks (the pure part of lookup_app, for tests).
std::vector<AppTask> tasks_from(const std::vector<NameResult>& names);

// For `mctl deploy --verify-dns`: the "ip:port" endpoints Mesos-DNS lists for an app: agent IP
// and host port from the .slave SRV names when the app has host ports, else task IP and port
// from the task SRV names, else the task IPs alone ("ip"). Empty when there are no records.
// Throws Error with exit_code() of the status when a name it relies on failed, naming it.
std::set<std::string> app_tasks(Resolver& resolver, std::string_view app_id, const NameRules& rules = {});
// The same against a server given as "host[:port]" (DNS) or an http(s):// URL (HTTP API).
// `http` is used for an http(s):// server (build it with core::service_http_options); its total
// timeout is capped at `timeout`.
std::set<std::string> app_tasks(std::string_view app_id, const std::string& server,
                                std::chrono::milliseconds timeout, const NameRules& rules = {},
                                const core::http::ClientOptions& http = {});

}  // namespace mctl::dns
