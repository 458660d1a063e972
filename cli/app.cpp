#include "cli/app.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "cli/commands.hpp"
#include "core/error.hpp"

extern char** environ;

namespace mctl::cli {
namespace {

std::map<std::string, std::string> read_environment() {
  std::map<std::string, std::string> env;
  for (char** e = ::environ; e && *e; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--config", g.config_file, "Project file (default: mctl.yaml found upward)");
  app.add_option("-e,--env", g.env, "Environment from mctl.yaml");
  app.add_flag("-v,--verbose", g.verbosity, "More diagnostics on stderr (-vv: HTTP requests)");
  app.add_flag("-q,--quiet", g.quiet, "Only errors on stderr");
  app.add_flag("--json", g.json, "Results and errors as JSON on stdout (also MCTL_OUTPUT=json)");
  app.add_flag("--no-color", g.no_color, "No colours (also NO_COLOR)");
  app.add_option("-C", g.chdir, "Run as if started in DIR");
  app.add_option("--marathon", g.marathon, "Marathon URL (repeatable; overrides config)");
  app.add_option("--mesos-dns", g.mesos_dns, "Mesos-DNS server host[:port]");
  app.add_option("--registry", g.registry, "Docker registry");
}

constexpr const char* k_footer = R"(Exit codes: 0 ok, 1 failure, 2 usage or bad input, 3 remote service error,
4 timeout, 5 wrong password or access denied, 6 deploy failed and rolled back,
7 deploy failed and rollback failed too, 8 nothing found, 130 interrupted.)";

void report(const Context& ctx, const std::string& message, Exit code) {
  std::fprintf(stderr, "mctl: error: %s\n", message.c_str());
  if (ctx.json()) {
    // One line, so it also ends an NDJSON stream (deploy progress) as one more object.
    ctx.print(nlohmann::json{{"error", {{"message", message}, {"exit_code", static_cast<int>(code)}}}}.dump());
  }
}

}  // namespace

void add_not_implemented(CLI::App& app, Context& ctx, const std::string& name,
                         const std::string& description, const std::string& issue) {
  auto* sub = app.add_subcommand(name, description + " [not implemented yet]");
  sub->allow_extras();
  sub->fallthrough(false);
  sub->callback(command(ctx, [name, issue] {
    throw Error(fmt::format("'mctl {}' is not implemented yet (issue {})", name, issue), Exit::usage);
  }));
}

std::unique_ptr<CLI::App> build_app(Context& ctx) {
  auto owned = std::make_unique<CLI::App>(
      "mctl: deploy Docker apps to Mesos + Marathon (vault, render, image, deploy, dns)", "mctl");
  auto& app = *owned;
  app.footer(k_footer);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command: mctl config show -e prod
  add_global_options(app, ctx.globals);

  // The command table, in the order --help shows it.
  add_vault_command(app, ctx);
  add_render_commands(app, ctx);
  add_image_commands(app, ctx);
  add_deploy_commands(app, ctx);
  add_operate_commands(app, ctx);
  add_dns_command(app, ctx);
  add_config_command(app, ctx);
  add_version_command(app, ctx);
  return owned;
}

int run(int argc, char** argv) {
  Context ctx(read_environment());
  auto owned = build_app(ctx);
  auto& app = *owned;
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "mctl: error: %s (see 'mctl --help')\n", e.what());
    return static_cast<int>(Exit::usage);
  } catch (const Error& e) {
    report(ctx, e.what(), e.exit_code());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    report(ctx, fmt::format("internal error: {}", e.what()), Exit::failure);
    return static_cast<int>(Exit::failure);
  }
}

}  // namespace mctl::cli
