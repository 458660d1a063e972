// mctl dns lookup | app: Mesos-DNS over DNS (c-ares) or its HTTP API.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <tuple>

#include "cli/commands.hpp"
#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/http.hpp"
#include "core/service_http.hpp"
#include "core/strings.hpp"
#include "dns/app.hpp"
#include "dns/resolver.hpp"

namespace mctl::cli {
namespace {

constexpr const char* k_no_tasks_hint = "no running tasks? (0 instances, tasks not yet TASK_RUNNING, or a wrong name)";

struct DnsFlags {
  std::optional<std::string> server;
  std::optional<std::string> http;
  bool tcp = false;
  std::string timeout = "5s";
  // lookup
  std::string name;
  std::string type = "auto";
  std::optional<std::string> batch;
  bool short_output = false;
  // app
  std::string app_id;
  std::vector<std::string> port_names;
  dns::NameRules rules;
};

// The resolver and what keeps it alive (the HTTP client).
struct Backend {
  std::unique_ptr<core::http::HttpClient> client;
  std::unique_ptr<dns::Resolver> resolver;
  std::string http_base;
};

void add_server_options(CLI::App* cmd, DnsFlags& f) {
  cmd->add_option("--server", f.server, "Mesos-DNS server HOST[:PORT] (overrides mesos_dns, --mesos-dns)");
  cmd->add_option("--http", f.http, "Use the Mesos-DNS HTTP API at URL instead of DNS (mesos_dns_http)");
  cmd->add_flag("--tcp", f.tcp, "Query over TCP (truncated UDP answers are retried over TCP anyway)");
  cmd->add_option("--timeout", f.timeout, "Per-name deadline, retries included")->capture_default_str();
}

Backend make_backend(Context& ctx, const DnsFlags& f) {
  if (f.server) ctx.set_flag("mesos_dns", *f.server, "--server");
  if (f.http) ctx.set_flag("mesos_dns_http", *f.http, "--http");
  const auto& config = ctx.config();
  const auto timeout = core::parse_duration(f.timeout, "flag --timeout");
  const auto& dns_server = *config.settings().dns.server;
  const auto& http_url = *config.settings().dns.http_url;
  Backend b;
  if (f.http || (!dns_server && http_url)) {
    auto options = core::service_http_options(config.settings().dns.http);
    options.total_timeout = timeout;  // --timeout is the deadline per name
    options.connect_timeout = std::min(timeout, options.connect_timeout);
    b.client = core::http::make_curl_client(options);
    b.http_base = *http_url;
    b.resolver = dns::make_http_resolver(*b.client, *http_url);
    return b;
  }
  if (!dns_server) {
    throw Error("no Mesos-DNS server configured: set mesos_dns (host[:port]) or mesos_dns_http in mctl.yaml, "
                "MCTL_MESOS_DNS, --mesos-dns, or the command's --server/--http",
                Exit::usage);
  }
  dns::DnsOptions options;
  options.server = *dns_server;
  options.tcp = f.tcp;
  options.timeout = timeout;
  b.resolver = dns::make_dns_resolver(options);
  return b;
}

// Questions for one name: --type auto asks SRV for "_service._proto..." names, else A.
std::vector<dns::Question> questions_for(const std::string& name, std::string type) {
  if (name.empty()) throw Error("an empty name cannot be looked up", Exit::usage);
  if (name.find('/') != std::string::npos) {
    throw Error(fmt::format("'{}' is a Marathon app id, not a DNS name: use 'mctl dns app {}'", name, name), Exit::usage);
  }
  dns::check_name(name);
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (type == "AUTO") type = name.front() == '_' ? "SRV" : "A";
  if (type == "A") return {{name, dns::RecordType::a}};
  if (type == "SRV") return {{name, dns::RecordType::srv}};
  if (type == "ANY") return {{name, dns::RecordType::a}, {name, dns::RecordType::srv}};
  throw Error(fmt::format("record type '{}' for {}: use A, SRV or ANY", type, name), Exit::usage);
}

std::vector<dns::Question> read_batch(const std::string& source, const std::string& default_type) {
  std::string text;
  if (source == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    try {
      text = core::read_file(source);
    } catch (const Error& e) {  // the list of names is the command's input: bad input, not a failure
      throw Error(fmt::format("reading the --batch file: {}", e.what()), Exit::usage);
    }
  }
  std::vector<dns::Question> questions;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::istringstream words(core::trim(line));
    std::string name, type, extra;
    if (!(words >> name) || name.front() == '#') continue;
    if (!(words >> type)) type = default_type;
    if (words >> extra) {
      throw Error(fmt::format("{}:{}: expected 'NAME [TYPE]', got '{}'", source == "-" ? "stdin" : source, number, core::trim(line)),
                  Exit::usage);
    }
    try {
      for (auto& q : questions_for(name, type)) questions.push_back(std::move(q));
    } catch (const Error& e) {
      throw Error(fmt::format("{}:{}: {}", source == "-" ? "stdin" : source, number, e.what()), Exit::usage);
    }
  }
  if (questions.empty()) throw Error(fmt::format("{}: no names to look up", source == "-" ? "stdin" : source), Exit::usage);
  return questions;
}

nlohmann::json record_json(const dns::Answer& a, const dns::Record& r) {
  if (a.type == dns::RecordType::a) return {{"ip", r.ip}};
  return {{"host", r.host}, {"ip", r.ip}, {"port", r.port}, {"priority", r.priority}, {"weight", r.weight}};
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
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

void print_answers(Context& ctx, const dns::Resolver& resolver, const std::vector<dns::Answer>& answers, bool short_output) {
  if (ctx.json()) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& a : answers) {
      nlohmann::json records = nlohmann::json::array();
      for (const auto& r : a.records) records.push_back(record_json(a, r));
      nlohmann::json item = {{"name", a.name}, {"type", dns::to_string(a.type)}, {"status", dns::to_string(a.status)}, {"records", records}};
      if (a.status != dns::Status::ok) item["detail"] = a.detail;
      results.push_back(item);
    }
    ctx.print_json({{"server", resolver.describe()}, {"results", results}});
    return;
  }
  std::vector<std::vector<std::string>> rows;
  std::string short_text;
  if (!short_output) rows.push_back({"NAME", "TYPE", "IP", "PORT", "TARGET"});
  auto sorted = answers;
  std::stable_sort(sorted.begin(), sorted.end(), [](const dns::Answer& x, const dns::Answer& y) {
    return std::tie(x.name, x.type) < std::tie(y.name, y.type);
  });
  for (const auto& a : sorted) {
    for (const auto& r : a.records) {
      const bool srv = a.type == dns::RecordType::srv;
      if (short_output) {
        short_text += srv ? fmt::format("{}:{}\n", r.ip.empty() ? r.host : r.ip, r.port) : r.ip + "\n";
        continue;
      }
      rows.push_back({a.name, dns::to_string(a.type), r.ip.empty() ? "-" : r.ip, srv ? std::to_string(r.port) : "",
                      srv ? r.host : ""});
    }
  }
  if (short_output) {
    if (!short_text.empty()) ctx.print(short_text);
  } else if (rows.size() > 1) {
    ctx.print(table(rows));
  }
}

// A bare app name ("flask-hello") is the most common wrong guess: say what the names look like.
std::string naming_hint(const std::string& name) {
  if (name.find('.') != std::string::npos) return "";
  return fmt::format("; Mesos-DNS names look like {}.marathon.mesos ('mctl dns app /{}' derives them)", name, name);
}

std::string no_records_message(const std::string& name, const std::string& detail) {
  return fmt::format("no records for {} ({}): {}{}", name, detail, k_no_tasks_hint, naming_hint(name));
}

void run_lookup(Context& ctx, const DnsFlags& f) {
  if (f.batch && !f.name.empty()) throw Error("give either NAME or --batch, not both", Exit::usage);
  if (!f.batch && f.name.empty()) throw Error("mctl dns lookup: NAME or --batch FILE is required", Exit::usage);
  const auto questions = f.batch ? read_batch(*f.batch, f.type) : questions_for(f.name, f.type);
  auto backend = make_backend(ctx, f);
  const auto answers = backend.resolver->resolve(questions);
  if (!f.batch) {
    // One name: a failure is the command's error; "no records" only when every type found none.
    // Records already known (an SRV answer missing some targets' addresses) are printed first.
    if (std::all_of(answers.begin(), answers.end(), [](const auto& a) { return a.status == dns::Status::no_records; })) {
      throw Error(no_records_message(answers.front().name, answers.front().detail), Exit::no_records);
    }
    const auto bad = std::find_if(answers.begin(), answers.end(), [](const auto& a) {
      return a.status != dns::Status::ok && a.status != dns::Status::no_records;
    });
    print_answers(ctx, *backend.resolver, answers, f.short_output);
    if (bad != answers.end()) {
      throw Error(fmt::format("looking up {} {}: {}{}", bad->name, dns::to_string(bad->type), bad->detail,
                              naming_hint(bad->name)),
                  dns::exit_code(bad->status));
    }
    return;
  }
  print_answers(ctx, *backend.resolver, answers, f.short_output);
  // Batch: every name is reported; the exit code is the most serious failure.
  Exit worst = Exit::ok;
  std::size_t failed = 0;
  for (const auto& a : answers) {
    if (a.status == dns::Status::ok) continue;
    ++failed;
    if (!ctx.json()) ctx.print_err(fmt::format("mctl: {} {}: {}", a.name, dns::to_string(a.type), a.detail));
    worst = dns::worse(worst, dns::exit_code(a.status));
  }
  if (failed == 0) return;
  // With JSON output the error object is merged into the document, which holds every status.
  throw Error(fmt::format("{} of {} lookups failed or found no records", failed, answers.size()), worst);
}

void print_app(Context& ctx, const dns::Resolver& resolver, const dns::AppReport& report) {
  if (ctx.json()) {
    nlohmann::json tasks = nlohmann::json::array(), names = nlohmann::json::array();
    for (const auto& t : report.tasks) {
      tasks.push_back({{"host", t.host}, {"ip", t.ip}, {"port", t.port}, {"protocol", t.protocol}, {"port_names", t.port_names}});
    }
    for (const auto& n : report.names) {
      nlohmann::json records = nlohmann::json::array();
      for (const auto& r : n.answer.records) records.push_back(record_json(n.answer, r));
      nlohmann::json item = {{"name", n.name.name}, {"type", dns::to_string(n.name.type)}, {"form", n.name.form},
                             {"status", dns::to_string(n.answer.status)}, {"records", records}};
      if (n.answer.status != dns::Status::ok) item["detail"] = n.answer.detail;
      names.push_back(std::move(item));
    }
    ctx.print_json({{"app", report.app_id}, {"server", resolver.describe()}, {"tasks", tasks}, {"names", names}});
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"HOST", "IP", "PORT", "PROTO", "PORT NAME"}};
  for (const auto& t : report.tasks) {
    std::string port_names;
    for (const auto& p : t.port_names) port_names += (port_names.empty() ? "" : ",") + p;
    rows.push_back({t.host.empty() ? "-" : t.host, t.ip.empty() ? "-" : t.ip, t.port ? std::to_string(t.port) : "-",
                    t.protocol.empty() ? "-" : t.protocol, port_names.empty() ? "-" : port_names});
  }
  std::string out = fmt::format("app {}: {} task endpoint(s) from Mesos-DNS at {}\n", report.app_id, report.tasks.size(),
                                resolver.describe());
  out += table(rows) + "\nnames:\n";
  std::vector<std::vector<std::string>> names;
  for (const auto& n : report.names) {
    const auto count = n.answer.records.size();
    std::string state = count ? fmt::format("{} record(s)", count) : "none";
    if (!n.name.problem.empty()) state = "not asked: " + n.name.problem;
    else if (n.answer.status != dns::Status::ok && n.answer.status != dns::Status::no_records)
      state += fmt::format(" ({})", dns::to_string(n.answer.status));
    names.push_back({"  " + n.name.name, dns::to_string(n.name.type), state});
  }
  ctx.print(out + table(names));
}

// One line per name that failed; the exit code of the most serious one.
Exit report_failures(Context& ctx, const std::vector<const dns::NameResult*>& failed) {
  Exit worst = Exit::ok;
  for (const auto* nr : failed) {
    if (!ctx.json()) {
      ctx.print_err(fmt::format("mctl: {} {}: {}", nr->name.name, dns::to_string(nr->name.type), nr->answer.detail));
    }
    worst = dns::worse(worst, dns::exit_code(nr->answer.status));
  }
  return worst;
}

void run_app(Context& ctx, const DnsFlags& f) {
  auto backend = make_backend(ctx, f);
  const auto report = dns::lookup_app(*backend.resolver, f.app_id, f.rules, f.port_names);
  const auto failed = dns::failures(report);
  const auto asked = [](const dns::NameResult& n) { return n.name.problem.empty(); };
  const auto asked_count = static_cast<std::size_t>(std::count_if(report.names.begin(), report.names.end(), asked));
  if (report.tasks.empty() && !failed.empty() && failed.size() == asked_count) {
    // Not one name answered: the server's error is the command's error, as for one lookup.
    Exit worst = Exit::ok;
    const dns::NameResult* shown = nullptr;
    for (const auto* nr : failed) {
      const Exit e = dns::exit_code(nr->answer.status);
      if (!shown || dns::worse(worst, e) != worst) shown = nr;
      worst = dns::worse(worst, e);
    }
    throw Error(fmt::format("looking up app {} at {}: {} {}: {}", f.app_id, backend.resolver->describe(),
                            shown->name.name, dns::to_string(shown->name.type), shown->answer.detail),
                worst);
  }
  if (report.tasks.empty() && failed.empty()) {
    const auto first = std::find_if(report.names.begin(), report.names.end(), asked);
    const auto srv = std::find_if(report.names.begin(), report.names.end(),
                                  [&](const auto& n) { return asked(n) && n.name.type == dns::RecordType::srv; });
    throw Error(fmt::format("app {}: no records for {}{} ({}): {}", f.app_id, first->name.name,
                            srv == report.names.end() ? "" : " or " + srv->name.name, first->answer.detail,
                            k_no_tasks_hint),
                Exit::no_records);
  }
  print_app(ctx, *backend.resolver, report);
  // Some names failed: what was found is printed, each failure is named, the exit code says so.
  if (const Exit worst = report_failures(ctx, failed); worst != Exit::ok) {
    const auto message = fmt::format("app {}: {} of {} names failed; the table may be incomplete", f.app_id,
                                     failed.size(), report.names.size());
    throw Error(message, worst);  // JSON: merged into the document, which holds every status
  }
}

}  // namespace

void add_dns_command(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<DnsFlags>();
  auto* dns = app.add_subcommand("dns", "Find an app's tasks through Mesos-DNS");
  dns->require_subcommand(1);

  auto* lookup = dns->add_subcommand("lookup", "Query Mesos-DNS for a name (A, SRV or both), sorted");
  lookup->add_option("NAME", flags->name, "DNS name, e.g. _web-api-prod._tcp.marathon.mesos");
  lookup->add_option("--type", flags->type, "A, SRV or ANY (default: SRV for _service names, else A)");
  lookup->add_option("--batch", flags->batch, "Look up every 'NAME [TYPE]' line of FILE ('-': stdin) at once");
  ctx.path_option(flags->batch);
  lookup->add_flag("--short", flags->short_output, "Only IP (A) or IP:PORT (SRV), one per line");
  add_server_options(lookup, *flags);
  lookup->callback(command(ctx, [&ctx, flags] { run_lookup(ctx, *flags); }));

  auto* app_cmd = dns->add_subcommand("app", "Derive an app's Mesos-DNS names, query them, list its tasks");
  app_cmd->add_option("APP_ID", flags->app_id, "Marathon app id, e.g. /prod/api/web")->required();
  app_cmd->add_option("--port-name", flags->port_names, "Named port to ask for (repeatable; DNS cannot list them)")
      ->allow_extra_args(false);
  app_cmd->add_option("--domain", flags->rules.domain, "Mesos-DNS domain")->capture_default_str();
  app_cmd->add_option("--framework", flags->rules.framework, "Framework running the app")->capture_default_str();
  app_cmd->add_flag("--rfc952", flags->rules.rfc952, "Mesos-DNS runs with EnforceRFC952 (24-character labels)");
  add_server_options(app_cmd, *flags);
  app_cmd->callback(command(ctx, [&ctx, flags] { run_app(ctx, *flags); }));
}

}  // namespace mctl::cli
