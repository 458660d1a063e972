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

bool is_task_srv(const AppName& n) {
  return n.type == RecordType::srv && n.form == "mangled" && !n.agent && n.port_name.empty();
}

void throw_on_failure(const std::vector<NameResult>& names, std::string_view app_id, const std::string& where) {
  for (const auto& nr : names) {
    const auto status = nr.answer.status;
    if (status == Status::ok || status == Status::no_records) continue;
    throw Error(fmt::format("looking up app {} at {}: {} {}: {}", app_id, where, nr.name.name,
                            to_string(nr.name.type), nr.answer.detail),
                status == Status::timeout ? Exit::timeout : Exit::remote);
  }
}

}  // namespace

std::vector<AppTask> tasks_from(const std::vector<NameResult>& names) {
  using Key = std::tuple<std::string, std::string, int>;  // host, ip, port
  std::map<Key, AppTask> rows;
  for (const auto& nr : names) {
    if (!is_task_srv(nr.name)) continue;
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
    if (nr.name.port_name.empty() || nr.name.form != "mangled") continue;
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
      if (nr.name.type != RecordType::a || nr.name.agent || nr.name.form != "mangled") continue;
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
  const auto names = app_names(app_id, rules, port_names);
  std::vector<Question> questions;
  for (const auto& n : names) questions.push_back({n.name, n.type});
  auto answers = resolver.resolve(questions);
  for (std::size_t i = 0; i < names.size(); ++i) report.names.push_back({names[i], std::move(answers[i])});
  throw_on_failure(report.names, app_id, resolver.describe());
  report.tasks = tasks_from(report.names);
  return report;
}

std::set<std::string> app_tasks(Resolver& resolver, std::string_view app_id, const NameRules& rules) {
  const auto report = lookup_app(resolver, app_id, rules);
  std::set<std::string> agent, task, ips;
  for (const auto& nr : report.names) {
    if (nr.name.form != "mangled") continue;
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
                                std::chrono::milliseconds timeout, const NameRules& rules) {
  if (core::starts_with(server, "http://") || core::starts_with(server, "https://")) {
    core::http::ClientOptions options;
    options.total_timeout = timeout;
    options.connect_timeout = std::min(timeout, options.connect_timeout);
    options.max_retries = 0;
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
