#pragma once
// "Where does my app run?": every Mesos-DNS name of a Marathon app, asked in one batch, and the
// answers folded into a table of tasks.
#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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
  Answer answer;
};

struct AppReport {
  std::string app_id;
  std::vector<NameResult> names;  // every name asked, in app_names() order
  std::vector<AppTask> tasks;     // sorted by ip, port, host; empty: no running tasks
};

// Asks every name of `app_id` and builds the task table from the task SRV names (the mangled
// form), or from the A names when the app has no ports. Throws Error(Exit::timeout) when a
// name timed out and Error(Exit::remote) when one was refused or failed, naming it.
AppReport lookup_app(Resolver& resolver, std::string_view app_id, const NameRules& rules,
                     const std::vector<std::string>& port_names = {});

// Folds answers into tasks (the pure part of lookup_app, for tests).
std::vector<AppTask> tasks_from(const std::vector<NameResult>& names);

// For `mctl deploy --verify-dns`: the "ip:port" endpoints Mesos-DNS lists for an app: agent IP
// and host port from the .slave SRV names when the app has host ports, else task IP and port
// from the task SRV names, else the task IPs alone ("ip"). Empty when there are no records.
// Throws as lookup_app does.
std::set<std::string> app_tasks(Resolver& resolver, std::string_view app_id, const NameRules& rules = {});
// The same against a server given as "host[:port]" (DNS) or an http(s):// URL (HTTP API).
std::set<std::string> app_tasks(std::string_view app_id, const std::string& server,
                                std::chrono::milliseconds timeout, const NameRules& rules = {});

}  // namespace mctl::dns
