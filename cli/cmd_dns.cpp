// mctl dns lookup | app: Mesos-DNS over DNS (c-ares) or its HTTP API.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "core/duration.hpp"
#include "core/error.hpp"
#include "dns/app.hpp"
#include "dns/lookup.hpp"
#include "dns/resolver.hpp"

namespace mctl::cli {
namespace {

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

void add_server_options(CLI::App* cmd, DnsFlags& f) {
  cmd->add_option("--server", f.server, "Mesos-DNS server HOST[:PORT] (overrides mesos_dns, --mesos-dns)");
  cmd->add_option("--http", f.http, "Use the Mesos-DNS HTTP API at URL instead of DNS (mesos_dns_http)");
  cmd->add_flag("--tcp", f.tcp, "Query over TCP (truncated UDP answers are retried over TCP anyway)");
  cmd->add_option("--timeout", f.timeout, "Per-name deadline, retries included")->capture_default_str();
}

dns::Backend make_backend(Context& ctx, const DnsFlags& f) {
  if (f.server) ctx.set_flag("mesos_dns", *f.server, "--server");
  if (f.http) ctx.set_flag("mesos_dns_http", *f.http, "--http");
  const auto timeout = core::parse_duration(f.timeout, "flag --timeout");
  return dns::connect(ctx.config().settings().dns, f.http.has_value(), f.tcp, timeout);
}

void print_answers(Context& ctx, const dns::Resolver& resolver, const std::vector<dns::Answer>& answers, bool short_output) {
  if (ctx.json()) return ctx.print_json(dns::answers_json(resolver, answers));
  if (const auto text = dns::answers_text(answers, short_output); !text.empty()) ctx.print(text);
}

void run_lookup(Context& ctx, const DnsFlags& f) {
  if (f.batch && !f.name.empty()) throw Error("give either NAME or --batch, not both", Exit::usage);
  if (!f.batch && f.name.empty()) throw Error("mctl dns lookup: NAME or --batch FILE is required", Exit::usage);
  const auto questions = f.batch ? dns::read_batch(*f.batch, ctx.in(), f.type) : dns::questions_for(f.name, f.type);
  auto backend = make_backend(ctx, f);
  const auto answers = backend.resolver->resolve(questions);
  if (!f.batch) {
    // One name: a failure is the command's error; "no records" only when every type found none.
    // Records already known (an SRV answer missing some targets' addresses) are printed first.
    if (std::all_of(answers.begin(), answers.end(), [](const auto& a) { return a.status == dns::Status::no_records; })) {
      throw Error(dns::no_records_message(answers.front().name, answers.front().detail), Exit::no_records);
    }
    const auto bad = std::find_if(answers.begin(), answers.end(), [](const auto& a) {
      return a.status != dns::Status::ok && a.status != dns::Status::no_records;
    });
    print_answers(ctx, *backend.resolver, answers, f.short_output);
    if (bad != answers.end()) {
      throw Error(fmt::format("looking up {} {}: {}{}", bad->name, dns::to_string(bad->type), bad->detail,
                              dns::naming_hint(bad->name)),
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
  dns::check_app_found(*backend.resolver, report);
  if (ctx.json()) ctx.print_json(dns::app_json(*backend.resolver, report));
  else ctx.print(dns::app_text(*backend.resolver, report));
  // Some names failed: what was found is printed, each failure is named, the exit code says so.
  const auto failed = dns::failures(report);
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
