#pragma once
// Mesos-DNS naming rules (Mesos-DNS's documentation, naming section; tests/fixtures/mesos-dns): how a Marathon app id
// becomes the DNS names Mesos-DNS serves. Pure functions, no I/O.
#include <string>
#include <string_view>
#include <vector>

namespace mctl::dns {

// The parts of a Mesos-DNS name that come from the server's configuration.
struct NameRules {
  std::string domain = "mesos";        // Mesos-DNS "Domain"
  std::string framework = "marathon";  // the framework that runs the app
  bool rfc952 = false;                 // Mesos-DNS "EnforceRFC952" (24-character labels)
};

// Mesos-DNS's label function: lower-cases, turns '-', '.', '_' into '-', drops other
// characters, strips leading '-' (and digits with RFC 952), cuts to 63 (24) characters,
// strips trailing '-' and refills from the cut-off rest. May return "".
std::string label(std::string_view text, bool rfc952 = false);

// A framework name: each dot-separated piece goes through label(), empty pieces are dropped,
// the dots survive ("marathon-0.7.5" stays as is).
std::string framework_label(std::string_view name, bool rfc952 = false);

// Marathon's task name for an app id (PathId.toHostname): the path segments reversed and
// joined with '.': "/prod/api/web" -> "web.api.prod". A relative id is taken from the root.
// Throws Error(Exit::usage) for an empty id or a character Marathon does not allow.
std::string marathon_task_name(std::string_view app_id);

enum class RecordType { a, srv };
std::string to_string(RecordType type);

// Why `name` cannot be asked over DNS, for people; "" when it can. The rule of RFC 1035 as
// every resolver applies it: at most 253 characters (a trailing dot allowed), no empty label,
// labels of 1 to 63 characters, only letters, digits, '-' and '_' (SRV names). The one check
// behind every entry point: lookup, --batch, and the names `dns app` derives.
std::string name_problem(std::string_view name);
// The same as an Error(Exit::usage): "'NAME' is not a valid DNS name: WHY".
void check_name(std::string_view name);

// One name Mesos-DNS serves for an app, with why it exists.
struct AppName {
  std::string name;          // fully qualified, no trailing dot, lower case
  RecordType type = RecordType::a;
  std::string form;          // "mangled" or "dotted" (the raw DiscoveryInfo name)
  std::string protocol;      // SRV: "tcp" or "udp"; "" for A
  std::string port_name;     // SRV of a named port: "http"; else ""
  bool agent = false;        // a ".slave." name (agent IPs and host ports)
  // Non-empty: Mesos-DNS generates this name but no DNS query can carry it (name_problem()),
  // e.g. the SRV label "_" + a 63-character task label; it is listed, not asked.
  std::string problem;
};

// Every name Mesos-DNS generates for an app: the mangled A and SRV names (task IP and .slave
// forms), the dotted form when it differs, and the named-port SRV names for each of
// `port_names` (which DNS cannot enumerate). Mangled names come first. Each is built exactly
// as Mesos-DNS builds it (the task label cut by label(), the dotted form not cut, "_" added
// to the SRV labels); a result no DNS query can carry has `problem` set.
std::vector<AppName> app_names(std::string_view app_id, const NameRules& rules,
                               const std::vector<std::string>& port_names = {});

}  // namespace mctl::dns
