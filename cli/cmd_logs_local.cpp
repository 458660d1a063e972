// mctl logs --local APP: the output of the app's local containers (mctl up). The options are
// the ones `mctl logs` reads from Mesos sandboxes (cmd_logs.cpp); this is their local target.
#include "cli/cmd_logs_local.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/deploy_output.hpp"
#include "cli/local_target.hpp"
#include "cli/sink.hpp"
#include "core/duration.hpp"
#include "local/up.hpp"

namespace mctl::cli {

void run_local_logs(Context& ctx, const LocalLogsQuery& f) {
  local_environment(ctx);
  local::LogQuery q;
  if (f.tail >= 0) q.tail = static_cast<int>(f.tail);
  q.follow = f.follow;
  q.stdout_lines = f.out;
  q.stderr_lines = f.err;
  if (!f.since.empty()) {
    const auto back = core::parse_duration(f.since, "flag --since");
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    q.since = std::chrono::duration_cast<std::chrono::seconds>(now - back).count();
  }
  const std::string id = deploying::app_id(ctx, f.app);
  auto docker = local_docker(ctx);
  local::app_logs(*docker, local_project(ctx), id, q,
                  [&](const std::string& name, bool err, const std::string& line) {
                    if (ctx.json()) {  // NDJSON like the Mesos logs (docs/output.md)
                      const nlohmann::json j = {{"event", "line"},
                                                {"container", name},
                                                {"stream", err ? "stderr" : "stdout"},
                                                {"text", line}};
                      ctx.print(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
                      return;
                    }
                    auto& sink = err ? ctx.err() : ctx.out();
                    sink.write(fmt::format("{} | {}\n", name, program_output(sink, line)));
                  });
  if (ctx.json()) ctx.print_stream_result({{"event", "result"}, {"command", "logs"}, {"app", id}});
}

}  // namespace mctl::cli
