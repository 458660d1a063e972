#include "dns/lookup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <sstream>
#include <tuple>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/service_http.hpp"
#include "core/strings.hpp"

namespace mctl::dns {
namespace {

constexpr const char* k_no_tasks_hint = "no running tasks? (0 instances, tasks not yet TASK_RUNNING, or a wrong name)";

std::string read_source(const std::string& source, std::istream& in) {
  if (source == "-") return {std::istreambuf_iterator<char>(in), {}};
  try {
    return core::read_file(source);
  } catch (const Error& e) {  // the list of names is the command's input: bad input, not a failure
    throw Error(fmt::format("reading the --batch file: {}", e.what()), Exit::usage);
  }
}

nlohmann::json record_json(const Answer& a, const Record& r) {
  if (a.type == RecordType::a) return {{"ip", r.ip}};
  return {{"host", r.host}, {"ip", r.ip}, {"port", r.port}, {"priority", r.priority}, {"weight", r.weight}};
}

nlohmann::json records_json(const Answer& a) {
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : a.records) records.push_back(record_json(a, r));
  return records;
}

std::string task_ports(const AppTask& t) {
  std::string port_names;
  for (const auto& p : t.port_names) port_names += (port_names.empty() ? "" : ",") + p;
  return port_names;
}

std::string name_state(const NameResult& n) {
  if (!n.name.problem.empty()) return "not asked: " + n.name.problem;
  const auto count = n.answer.records.size();
  std::string state = count ? fmt::format("{} record(s)", count) : "none";
  if (n.answer.status != Status::ok && n.answer.status != Status::no_records) {
    state += fmt::format(" ({})", to_string(n.answer.status));
  }
  return state;
}

bool asked(const NameResult& n) { return n.name.problem.empty(); }

}  // namespace

Backend connect(const core::DnsSettings& settings, bool http, bool tcp, std::chrono::milliseconds timeout) {
  const auto& dns_server = *settings.server;
  const auto& http_url = *settings.http_url;
  Backend b;
  if (http || (!dns_server && http_url)) {
    auto options = core::service_http_options(settings.http);
    options.total_timeout = timeout;  // --timeout is the deadline per name
    options.connect_timeout = std::min(timeout, options.connect_timeout);
    b.client = core::http::make_curl_client(options);
    b.resolver = make_http_resolver(*b.client, *http_url);
    return b;
  }
  if (!dns_server) {
    throw Error("no Mesos-DNS server configured: set mesos_dns (host[:port]) or mesos_dns_http in mctl.yaml, "
                "MCTL_MESOS_DNS, --mesos-dns, or the command's --server/--http",
                Exit::usage);
  }
  DnsOptions options;
  options.server = *dns_server;
  options.tcp = tcp;
  options.timeout = timeout;
  b.resolver = make_dns_resolver(options);
  return b;
}

std::vector<Question> questions_for(const std::string& name, std::string type) {
  if (name.empty()) throw Error("an empty name cannot be looked up", Exit::usage);
  if (name.find('/') != std::string::npos) {
    throw Error(fmt::format("'{}' is a Marathon app id, not a DNS name: use 'mctl dns app {}'", name, name), Exit::usage);
  }
  check_name(name);
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (type == "AUTO") type = name.front() == '_' ? "SRV" : "A";
  if (type == "A") return {{name, RecordType::a}};
  if (type == "SRV") return {{name, RecordType::srv}};
  if (type == "ANY") return {{name, RecordType::a}, {name, RecordType::srv}};
  throw Error(fmt::format("record type '{}' for {}: use A, SRV or ANY", type, name), Exit::usage);
}

std::vector<Question> read_batch(const std::string& source, std::istream& in, const std::string& default_type) {
  const std::string shown = source == "-" ? "stdin" : source;
  std::istringstream lines(read_source(source, in));
  std::vector<Question> questions;
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::istringstream words(core::trim(line));
    std::string name, type, extra;
    if (!(words >> name) || name.front() == '#') continue;
    if (!(words >> type)) type = default_type;
    if (words >> extra) {
      throw Error(fmt::format("{}:{}: expected 'NAME [TYPE]', got '{}'", shown, number, core::trim(line)), Exit::usage);
    }
    try {
      for (auto& q : questions_for(name, type)) questions.push_back(std::move(q));
    } catch (const Error& e) {
      throw Error(fmt::format("{}:{}: {}", shown, number, e.what()), Exit::usage);
    }
  }
  if (questions.empty()) throw Error(fmt::format("{}: no names to look up", shown), Exit::usage);
  return questions;
}

std::string naming_hint(const std::string& name) {
  // A bare app name ("flask-hello") is the most common wrong guess: say what the names look like.
  if (name.find('.') != std::string::npos) return "";
  return fmt::format("; Mesos-DNS names look like {}.marathon.mesos ('mctl dns app /{}' derives them)", name, name);
}

std::string no_records_message(const std::string& name, const std::string& detail) {
  return fmt::format("no records for {} ({}): {}{}", name, detail, k_no_tasks_hint, naming_hint(name));
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) line += fmt::format("{:<{}}  ", row[i], width[i]);
    line.erase(line.find_last_not_of(' ') + 1);  // keep the indentation, drop the padding
    out += line + "\n";
  }
  return out;
}

std::string answers_text(const std::vector<Answer>& answers, bool short_output) {
  std::vector<std::vector<std::string>> rows;
  std::string short_text;
  if (!short_output) rows.push_back({"NAME", "TYPE", "IP", "PORT", "TARGET"});
  auto sorted = answers;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Answer& x, const Answer& y) { return std::tie(x.name, x.type) < std::tie(y.name, y.type); });
  for (const auto& a : sorted) {
    const bool srv = a.type == RecordType::srv;
    for (const auto& r : a.records) {
      if (short_output) {
        short_text += srv ? fmt::format("{}:{}\n", r.ip.empty() ? r.host : r.ip, r.port) : r.ip + "\n";
        continue;
      }
      rows.push_back({a.name, to_string(a.type), r.ip.empty() ? "-" : r.ip, srv ? std::to_string(r.port) : "",
                      srv ? r.host : ""});
    }
  }
  if (short_output) return short_text;
  return rows.size() > 1 ? table(rows) : "";
}

nlohmann::json answers_json(const Resolver& resolver, const std::vector<Answer>& answers) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& a : answers) {
    nlohmann::json item = {{"name", a.name}, {"type", to_string(a.type)}, {"status", to_string(a.status)},
                           {"records", records_json(a)}};
    if (a.status != Status::ok) item["detail"] = a.detail;
    results.push_back(item);
  }
  return {{"server", resolver.describe()}, {"results", results}};
}

std::string app_text(const Resolver& resolver, const AppReport& report) {
  std::vector<std::vector<std::string>> rows = {{"HOST", "IP", "PORT", "PROTO", "PORT NAME"}};
  for (const auto& t : report.tasks) {
    const std::string port_names = task_ports(t);
    rows.push_back({t.host.empty() ? "-" : t.host, t.ip.empty() ? "-" : t.ip, t.port ? std::to_string(t.port) : "-",
                    t.protocol.empty() ? "-" : t.protocol, port_names.empty() ? "-" : port_names});
  }
  std::string out = fmt::format("app {}: {} task endpoint(s) from Mesos-DNS at {}\n", report.app_id, report.tasks.size(),
                                resolver.describe());
  out += table(rows) + "\nnames:\n";
  std::vector<std::vector<std::string>> names;
  for (const auto& n : report.names) names.push_back({"  " + n.name.name, to_string(n.name.type), name_state(n)});
  return out + table(names);
}

nlohmann::json app_json(const Resolver& resolver, const AppReport& report) {
  nlohmann::json tasks = nlohmann::json::array(), names = nlohmann::json::array();
  for (const auto& t : report.tasks) {
    tasks.push_back({{"host", t.host}, {"ip", t.ip}, {"port", t.port}, {"protocol", t.protocol}, {"port_names", t.port_names}});
  }
  for (const auto& n : report.names) {
    nlohmann::json item = {{"name", n.name.name}, {"type", to_string(n.name.type)}, {"form", n.name.form},
                           {"status", to_string(n.answer.status)}, {"records", records_json(n.answer)}};
    if (n.answer.status != Status::ok) item["detail"] = n.answer.detail;
    names.push_back(std::move(item));
  }
  return {{"app", report.app_id}, {"server", resolver.describe()}, {"tasks", tasks}, {"names", names}};
}

void check_app_found(const Resolver& resolver, const AppReport& report) {
  if (!report.tasks.empty()) return;
  const auto failed = failures(report);
  const auto asked_count = static_cast<std::size_t>(std::count_if(report.names.begin(), report.names.end(), asked));
  if (!failed.empty() && failed.size() == asked_count) {
    // Not one name answered: the server's error is the command's error, as for one lookup.
    Exit worst = Exit::ok;
    const NameResult* shown = nullptr;
    for (const auto* nr : failed) {
      const Exit e = exit_code(nr->answer.status);
      if (!shown || worse(worst, e) != worst) shown = nr;
      worst = worse(worst, e);
    }
    throw Error(fmt::format("looking up app {} at {}: {} {}: {}", report.app_id, resolver.describe(), shown->name.name,
                            to_string(shown->name.type), shown->answer.detail),
                worst);
  }
  if (!failed.empty()) return;
  const auto first = std::find_if(report.names.begin(), report.names.end(), asked);
  const auto srv = std::find_if(report.names.begin(), report.names.end(),
                                [](const auto& n) { return asked(n) && n.name.type == RecordType::srv; });
  throw Error(fmt::format("app {}: no records for {}{} ({}): {}", report.app_id, first->name.name,
                          srv == report.names.end() ? "" : " or " + srv->name.name, first->answer.detail,
                          k_no_tasks_hint),
              Exit::no_records);
}

}  // namespace mctl::dns
