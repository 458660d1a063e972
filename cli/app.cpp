#include "cli/app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <string_view>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "cli/examples.hpp"
#include "cli/manual.hpp"
#include "cli/project_commands.hpp"
#include "cli/version.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"

namespace mctl::cli {
namespace {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--config", g.config_file, "Project file (default: mctl.yaml found upward)");
  app.add_option("-e,--env", g.env, "Environment from mctl.yaml");
  auto* verbose =
      app.add_flag("-v,--verbose", g.verbosity, "More diagnostics on stderr (-vv: HTTP requests)");
  app.add_flag("-q,--quiet", g.quiet, "Only errors on stderr")->excludes(verbose);
  app.add_flag("--json", g.json, "Results and errors as JSON on stdout (also MCTL_OUTPUT=json)");
  app.add_option("--color", g.color, "Colour: auto (on a terminal unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("--no-color", g.no_color, "The same as --color never");
  app.add_option("-C", g.chdir, "Run as if started in DIR");
  app.add_option("--marathon", g.marathon, "Marathon URL (repeatable; overrides config)");
  app.add_option("--mesos-dns", g.mesos_dns, "Mesos-DNS server host[:port]");
  app.add_option("--registry", g.registry, "Docker registry");
  app.add_option("--mesos", g.mesos, "Mesos master URL (repeatable; overrides config)");
  app.set_version_flag("--version", version_line(), "Print mctl's version and exit");
}

// "Exit codes: 0 ok, 1 failure, ..." from the table the man page prints too.
std::string footer() {
  std::string text = "Exit codes:", line = text;
  for (std::size_t i = 0; i < exit_codes().size(); ++i) {
    const auto& e = exit_codes()[i];
    const char* end = i + 1 < exit_codes().size() ? "," : ".";
    const std::string item = fmt::format(" {} {}{}", e.code, e.brief, end);
    if (line.size() + item.size() > 80) {
      text += "\n" + item.substr(1);
      line = item.substr(1);
    } else {
      text += item;
      line += item;
    }
  }
  return text +
         "\n'mctl help COMMAND' or 'mctl COMMAND --help' shows a command's options and examples.";
}

// The commands given so far: mctl, then each parsed subcommand. An error about the global
// options (-q with -v) belongs to mctl itself.
std::vector<const CLI::App*> parsed_chain(const CLI::App& root,
                                          const CLI::ParseError* e = nullptr) {
  std::vector<const CLI::App*> chain{&root};
  if (dynamic_cast<const CLI::ExcludesError*>(e)) return chain;
  while (!chain.back()->get_subcommands().empty())
    chain.push_back(chain.back()->get_subcommands().front());
  return chain;
}

std::string path_of(const std::vector<const CLI::App*>& chain) {
  std::string path;
  for (const auto* app : chain) path += (path.empty() ? "" : " ") + app->get_name();
  return path;
}

// The subcommands' names (with their aliases, for suggestions).
std::vector<std::string> command_names(const CLI::App& app, bool aliases = true) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{})) {
    names.push_back(sub->get_name());
    if (aliases) names.insert(names.end(), sub->get_aliases().begin(), sub->get_aliases().end());
  }
  return names;
}

std::vector<std::string> option_names(const std::vector<const CLI::App*>& chain) {
  std::vector<std::string> names;
  for (const auto* app : chain) {
    for (const auto* o : app->get_options()) {
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    }
  }
  return names;
}

std::string unknown_option(const std::vector<const CLI::App*>& chain, const std::string& arg) {
  const std::string name = arg.substr(0, arg.find('='));
  if (name == "--output") {
    return "unknown option '--output': the result format is '--json' (--output FILE is vault "
           "decrypt's)";
  }
  return fmt::format("unknown option '{}' for '{}'{}", name, path_of(chain),
                     core::suggestion_suffix(name, option_names(chain)));
}

// CLI11's message, or a better one naming what was not understood and the closest match.
std::string explain(const CLI::App& root, const CLI::ParseError& e) {
  const auto chain = parsed_chain(root, &e);
  const CLI::App& at = *chain.back();
  const bool wants_command = !command_names(at).empty() && at.get_subcommands().empty();
  const auto unknown = root.remaining(true);
  for (const auto& arg : unknown) {
    if (arg.size() > 1 && arg[0] == '-' && arg != "--") return unknown_option(chain, arg);
  }
  if (wants_command && !unknown.empty()) {
    return fmt::format("'{}' is not a command of '{}'{}", unknown.front(), path_of(chain),
                       core::suggestion_suffix(unknown.front(), command_names(at)));
  }
  if (wants_command) {
    return fmt::format("'{}' needs a command: {}", path_of(chain),
                       fmt::join(command_names(at, false), ", "));
  }
  return e.what();
}

// --json anywhere before a "--": a parse error is JSON on stdout too.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

// mctl help [COMMAND...]: that command's --help, like git help.
void add_help_command(CLI::App& root, Context& ctx) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto* help =
      root.add_subcommand("help", "Show a command's options and examples (like COMMAND --help)");
  help->add_option("command", *words, "Command, e.g. deploy or images gc registry");
  help->callback(command(ctx, [&root, &ctx, words] {
    const CLI::App* at = &root;
    std::string path = root.get_name();
    for (const auto& word : *words) {
      const auto found =
          at->get_subcommands([&](const CLI::App* s) { return s->check_name(word); });
      if (found.empty()) {
        throw Error(fmt::format("help: '{}' is not a command of '{}'{}", word, path,
                                core::suggestion_suffix(word, command_names(*at))),
                    Exit::usage);
      }
      at = found.front();
      path += " " + at->get_name();
    }
    // The formatter, not at->help(): that shows the help of the parsed subcommand (help itself).
    const std::string text = at->get_formatter()->make_help(at, path, CLI::AppFormatMode::Normal);
    if (ctx.json()) ctx.print_json({{"command", path}, {"help", text}});
    else ctx.print(text);
  }));
}

}  // namespace

CLI::Validator whole_number_at_least(long long min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        long long value = 0;
        const auto* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec == std::errc() && ptr == end && value >= min) return {};
        return fmt::format("must be a whole number >= {}, not '{}'", min, text);
      },
      fmt::format("INT>={}", min));
}

namespace {

// The command table, in the order --help shows it: the top-level commands each add_* function
// adds (tests/unit/test_cli_command_tree.cpp checks the names against what it adds).
struct CommandGroup {
  std::string_view names;  // space-separated
  void (*add)(CLI::App&, Context&);
  bool reads_tree = false;  // help, completion, man: read the whole tree
};
constexpr std::array<CommandGroup, 21> command_groups{{
    {"vault", add_vault_command},
    {"init", add_init_command},
    {"render lint", add_render_commands},
    {"schema", add_schema_command},
    {"image", add_image_commands},
    {"images", add_images_command},
    {"deploy diff deployments cancel", add_deploy_commands},
    {"status apps versions rollback restart scale stop destroy", add_operate_commands},
    {"tasks", add_tasks_command},
    {"kill", add_kill_command},
    {"queue", add_queue_command},
    {"wait", add_wait_command},
    {"dns", add_dns_command},
    {"config", add_config_command},
    {"up ps down", add_up_commands},
    {"version", add_version_command},
    {"help", add_help_command, true},
    {"logs", add_logs_command},
    {"top", add_top_command},
    {"completion", add_completion_command, true},  // after the tree its script is generated from
    {"man", add_man_command, true},
}};

bool names(const CommandGroup& group, std::string_view word) {
  for (std::string_view rest = group.names; !rest.empty();) {
    const auto end = std::min(rest.find(' '), rest.size());
    if (rest.substr(0, end) == word) return true;
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return false;
}

// Which groups to build: those a word of args names; all when none is named or a named one
// reads the whole tree. Extra groups are harmless (a word may be an option's value).
std::array<bool, command_groups.size()> groups_named(std::span<const char* const> args) {
  std::array<bool, command_groups.size()> wanted{};
  bool any = false;
  bool whole = false;
  for (std::size_t i = 0; i < command_groups.size(); ++i) {
    for (const char* word : args) {
      if (!names(command_groups[i], word)) continue;
      wanted[i] = any = true;
      whole = whole || command_groups[i].reads_tree;
    }
  }
  if (!any || whole) wanted.fill(true);
  return wanted;
}

std::unique_ptr<CLI::App> build(Context& ctx,
                                const std::array<bool, command_groups.size()>& wanted) {
  auto owned = std::make_unique<CLI::App>(
      "mctl: deploy Docker apps to Mesos + Marathon (vault, render, image, deploy, dns)", "mctl");
  auto& app = *owned;
  app.footer(footer());
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command: mctl config show -e prod
  add_global_options(app, ctx.globals);
  bool whole = true;
  for (std::size_t i = 0; i < command_groups.size(); ++i) {
    if (wanted[i]) command_groups[i].add(app, ctx);
    whole = whole && wanted[i];
  }
  add_examples(app, whole);
  return owned;
}

}  // namespace

std::unique_ptr<CLI::App> build_app(Context& ctx) {
  std::array<bool, command_groups.size()> all{};
  all.fill(true);
  return build(ctx, all);
}

std::unique_ptr<CLI::App> build_app_for(Context& ctx, std::span<const char* const> args) {
  return build(ctx, groups_named(args));
}

namespace {

// What a run changes in the process and puts back on every path: the log's level, colour and
// sink (pointed at the run's error sink), and the SIGINT action of deploy's Ctrl-C handling.
class RunScope {
 public:
  explicit RunScope(Sink& err)
      : m_level(core::log::level()),
        m_color(core::log::color()),
        m_sink(core::log::set_sink([&err](core::log::Level l, std::string_view message) {
          err.write(core::log::format_line(l, message, core::log::color()));
        })) {}
  ~RunScope() {
    deploying::restore_interrupts();
    core::log::set_sink(std::move(m_sink));
    core::log::set_color(m_color);
    core::log::set_level(m_level);
  }
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;
  RunScope(RunScope&&) = delete;
  RunScope& operator=(RunScope&&) = delete;

 private:
  core::log::Level m_level;
  bool m_color;
  std::function<void(core::log::Level, std::string_view)> m_sink;
};

// A std::filesystem call that threw on a path the user or the configuration named (a name
// too long, a loop of symlinks, no permission, not a directory): which path and why, as bad
// input; any other file system failure (I/O error, disk full) is a failure. The one place for
// the whole class: a check like is_regular_file(path) anywhere below may throw it.
Error filesystem_failure(const std::filesystem::filesystem_error& e) {
  static constexpr std::array k_bad_path{ENAMETOOLONG, ELOOP, EACCES, EPERM, ENOENT, ENOTDIR, EISDIR, EEXIST, EINVAL};
  const bool bad_path = std::find(k_bad_path.begin(), k_bad_path.end(), e.code().value()) != k_bad_path.end();
  const std::string path = e.path1().empty() ? std::string("a path") : core::printable(e.path1().string());
  return Error(fmt::format("cannot use {}: {}", path, e.code().message()), bad_path ? Exit::usage : Exit::failure);
}

// --help, --help-all and --version: CLI11's text, to the run's sinks.
int print_exit_text(const CLI::App& app, const CLI::ParseError& e, Sink& out, Sink& err) {
  SinkStream o(out), x(err);
  return app.exit(e, o, x);
}

// Builds only the commands argv names (start-up time: mctl version builds 1 of 20 groups); a
// usage error is parsed again with the whole tree, so its message lists every command.
int run_tree(int argc, char** argv, const std::map<std::string, std::string>& env, Source& in, Sink& out,
             Sink& err, bool whole) {
  Context ctx(env, in, out, err);
  auto owned = whole ? build_app(ctx) : build_app_for(ctx, {argv + 1, argv + argc});
  auto& app = *owned;
  // The one error boundary: Context::finish prints the result and the error (docs/output.md).
  try {
    app.parse(argc, argv);
    return ctx.finish(nullptr);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return print_exit_text(app, e, out, err);  // --help, --help-all, --version
    if (!whole) return run_tree(argc, argv, env, in, out, err, true);
    if (json_requested(argc, argv)) ctx.globals.json = true;
    const Error usage(fmt::format("{}; see '{} --help'", explain(app, e), path_of(parsed_chain(app, &e))),
                      Exit::usage);
    return ctx.finish(&usage);
  } catch (const Error& e) {
    return ctx.finish(&e);
  } catch (const std::filesystem::filesystem_error& e) {
    const Error failure = filesystem_failure(e);
    return ctx.finish(&failure);
  } catch (const std::exception& e) {
    const Error internal(fmt::format("internal error: {}", e.what()), Exit::failure);
    return ctx.finish(&internal);
  }
}

}  // namespace

int run(int argc, char** argv, const std::map<std::string, std::string>& env, Source& in, Sink& out, Sink& err) {
  const RunScope scope(err);
  return run_tree(argc, argv, env, in, out, err, false);
}

int run(int argc, char** argv, const std::map<std::string, std::string>& env, Sink& out, Sink& err) {
  StringSource none;
  return run(argc, argv, env, none, out, err);
}

}  // namespace mctl::cli
