#include "dns/app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/strings.hpp"

namespace mctl::dns {
namespace {

// The form whose task SRV names give the task table: the mangled one, unless Mesos-DNS's cut
// label makes its SRV name one no DNS query can carry (then the dotted form, if any).
std::string task_form(const std::vector<NameResult>& names) {
  for (const auto& nr : names) {
    if (nr.name.type == RecordType::srv && !nr.name.agent && nr.name.port_name.empty() && nr.name.problem.empty()) {
      return nr.name.form;
    }
  }
  return "mangled";
}

bool is_task_srv(const AppName& n, const std::string& form) {
  return n.type == RecordType::srv && n.form == form && !n.agent && n.port_name.empty();
}

bool failed(const NameResult& nr) { return nr.answer.status != Status::ok && nr.answer.status != Status::no_records; }

}  // namespace

std::vector<AppTask> tasks_from(const std::vector<NameResult>& names) {
  using Key = std::tuple<std::string, std::string, int>;  // host, ip, port
  std::map<Key, AppTask> rows;
  const std::string form = task_form(names);
  for (const auto& nr : names) {
    if (!is_task_srv(nr.name, form)) continue;
    for (const auto& r : nr.answer.records) {
      auto& row = rows[{r.host, r.ip, r.port}];
      row.host = r.host;
      row.ip = r.ip;
      row.port = r.port;
      if (row.protocol.empty()) row.protocol = nr.name.protocol;
      else if (row.protocol != nr.name.protocol) row.protocol = "tcp+udp";
    }
  }
  for (const auto& nr : names) {
    if (nr.name.port_name.empty() || nr.name.form != form) continue;
    for (const auto& r : nr.answer.records) {
      for (auto& [key, row] : rows) {
        if (row.host != r.host || row.port != r.port) continue;
        if (std::find(row.port_names.begin(), row.port_names.end(), nr.name.port_name) == row.port_names.end()) {
          row.port_names.push_back(nr.name.port_name);
        }
      }
    }
  }
  if (rows.empty()) {  // an app without ports: only its A records tell where it runs
    for (const auto& nr : names) {
      if (nr.name.type != RecordType::a || nr.name.agent || nr.name.form != form) continue;
      for (const auto& r : nr.answer.records) rows[{"", r.ip, 0}] = AppTask{"", r.ip, 0, "", {}};
    }
  }
  std::vector<AppTask> tasks;
  for (auto& [key, row] : rows) {
    std::sort(row.port_names.begin(), row.port_names.end());
    tasks.push_back(std::move(row));
  }
  std::sort(tasks.begin(), tasks.end(), [](const AppTask& a, const AppTask& b) {
    if (a.ip != b.ip) return ip_less(a.ip, b.ip);
    return std::tie(a.port, a.host) < std::tie(b.port, b.host);
  });
  return tasks;
}

AppReport lookup_app(Resolver& resolver, std::string_view app_id, const NameRules& rules,
                     const std::vector<std::string>& port_names) {
  AppReport report;
  report.app_id = std::string(app_id);
  std::vector<Question> questions;
  for (auto& n : app_names(app_id, rules, port_names)) {
    Answer answer{n.name, n.type, Status::invalid, "", {}};
    if (n.problem.empty()) questions.push_back({n.name, n.type});
    else answer.detail = fmt::format("not asked: Mesos-DNS generates it, but {}", n.problem);
    report.names.push_back({std::move(n), std::move(answer)});
  }
  auto answers = resolver.resolve(questions);
  std::size_t next = 0;
  for (auto& nr : report.names) {
    if (nr.name.problem.empty()) nr.answer = std::move(answers.at(next++));
  }
  report.tasks = tasks_from(report.names);
  return report;
}

std::vector<const NameResult*> failures(const AppReport& report) {
  std::vector<const NameResult*> out;
  for (const auto& nr : report.names) {
    if (nr.name.problem.empty() && failed(nr)) out.push_back(&nr);
  }
  return out;
}

std::set<std::string> app_tasks(Resolver& resolver, std::string_view app_id, const NameRules& rules) {
  const auto report = lookup_app(resolver, app_id, rules);
  const std::string form = task_form(report.names);
  for (const auto* nr : failures(report)) {
    if (nr->name.form != form) continue;  // the other form's names are not used here
    throw Error(fmt::format("looking up app {} at {}: {} {}: {}", app_id, resolver.describe(), nr->name.name,
                            to_string(nr->name.type), nr->answer.detail),
                exit_code(nr->answer.status));
  }
  std::set<std::string> agent, task, ips;
  for (const auto& nr : report.names) {
    if (nr.name.form != form) continue;
    for (const auto& r : nr.answer.records) {
      if (nr.name.type == RecordType::srv && nr.name.port_name.empty()) {
        (nr.name.agent ? agent : task).insert(fmt::format("{}:{}", r.ip, r.port));
      } else if (nr.name.type == RecordType::a && !nr.name.agent) {
        ips.insert(r.ip);
      }
    }
  }
  if (!agent.empty()) return agent;
  if (!task.empty()) return task;
  return ips;
}

std::set<std::string> app_tasks(std::string_view app_id, const std::string& server,
                                std::chrono::milliseconds timeout, const NameRules& rules,
                                const core::http::ClientOptions& http) {
  if (core::starts_with(server, "http://") || core::starts_with(server, "https://")) {
    core::http::ClientOptions options = http;
    options.total_timeout = std::min(timeout, options.total_timeout);
    options.connect_timeout = std::min(options.total_timeout, options.connect_timeout);
    auto client = core::http::make_curl_client(options);
    auto resolver = make_http_resolver(*client, server);
    return app_tasks(*resolver, app_id, rules);
  }
  DnsOptions options;
  options.server = server;
  options.timeout = timeout;
  auto resolver = make_dns_resolver(options);
  return app_tasks(*resolver, app_id, rules);
}

}  // namespace mctl::dns
