// mctl logs --local APP: the output of the app's local containers (mctl up).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/deploy_output.hpp"
#include "cli/local_target.hpp"
#include "core/duration.hpp"
#include "local/up.hpp"

namespace mctl::cli {
namespace {

struct LogsFlags {
  std::string app;
  bool local = false;
  int lines = -1;  // -n: all when not given
  bool follow = false;
  bool stdout_only = false;
  bool stderr_only = false;
  std::string since;
};

void run_local_logs(Context& ctx, const LogsFlags& f) {
  local::LogQuery q;
  if (f.lines >= 0) q.tail = f.lines;
  q.follow = f.follow;
  q.stdout_lines = !f.stderr_only;
  q.stderr_lines = !f.stdout_only;
  if (!f.since.empty()) {
    const auto back = core::parse_duration(f.since, "flag --since");
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    q.since = std::chrono::duration_cast<std::chrono::seconds>(now - back).count();
  }
  const std::string id = deploying::app_id(ctx, f.app);
  auto docker = local_docker(ctx);
  local::app_logs(*docker, local_project(ctx), id, q,
                  [&](const std::string& name, bool err, const std::string& line) {
                    std::FILE* out = err ? stderr : stdout;
                    std::fprintf(out, "%s | %s\n", name.c_str(), line.c_str());
                    std::fflush(out);
                  });
}

}  // namespace

void add_logs_command(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<LogsFlags>();
  auto* logs =
      app.add_subcommand("logs", "Show an app's output (--local: its containers from mctl up)");
  logs->add_option("app", f->app, "App spec name or /id")->required();
  logs->add_flag("--local", f->local, "The local containers started by mctl up");
  logs->add_option("-n", f->lines, "Last N lines (default: all)")->check(whole_number_at_least(0));
  logs->add_flag("-f", f->follow, "Keep following new output");
  auto* out = logs->add_flag("--stdout", f->stdout_only, "Only the standard output");
  logs->add_flag("--stderr", f->stderr_only, "Only the standard error")->excludes(out);
  logs->add_option("--since", f->since, "Only output newer than DUR (e.g. 10m)");
  logs->callback(command(ctx, [&ctx, f] {
    if (!f->local) {
      throw Error(
          "logs: reading Mesos task logs is not in this build; use --local for the containers of "
          "mctl up",
          Exit::usage);
    }
    run_local_logs(ctx, *f);
  }));
}

}  // namespace mctl::cli
