// What the deploy and operating commands share: the Marathon client, the options, following a
// change, and the final report (declared in deploy_output.hpp).
#include "cli/deploy_output.hpp"

#include <fmt/format.h>

#include <array>
#include <ctime>

#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/options.hpp"
#include "deploy/report.hpp"

namespace mctl::cli::deploying {
using nlohmann::json;

std::string utc_now(bool millis) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  const std::string seconds(buf.data(), std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm));
  if (!millis) return seconds + "Z";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{}.{:03}Z", seconds, ms);
}

std::shared_ptr<deploy::MarathonClient> marathon(Context& ctx) {
  auto client = deploy::connect(ctx.config());
  core::log::info("Marathon {} (environment {})", client->current_url(),
                  ctx.config().env_name().empty() ? "-" : ctx.config().env_name());
  return client;
}

std::string env_suffix(Context& ctx) {
  const auto& env = ctx.config().env_name();
  return env.empty() ? "" : " -e " + env;
}

std::vector<deploy::AppResult> followed(Context& ctx, const std::vector<std::string>& apps, deploy::DeployOptions o,
                                        const std::function<std::vector<deploy::AppResult>(const deploy::DeployOptions&)>& body) {
  Progress progress(ctx, apps);
  o.on_event = [&progress](const deploy::DeployEvent& e) { progress.on_event(e); };
  o.on_changes = [&progress](const std::string& app, const std::vector<deploy::FieldChange>& changes, bool new_app) {
    progress.on_changes(app, changes, new_app);
  };
  auto results = body(o);
  progress.close();
  return results;
}

deploy::DeployOptions options(Context& ctx, const std::string& timeout_flag) {
  auto o = deploy::options_from(ctx.config().settings().deploy, timeout_flag);
  o.interrupted = &catch_interrupts();
  return o;
}

void report(Context& ctx, const std::vector<deploy::AppResult>& results, const std::string& what) {
  const Exit exit = deploy::overall_exit(results);
  const std::string suffix = env_suffix(ctx);
  if (ctx.json()) {
    json apps = json::array();
    for (const auto& r : results) {
      json j = deploy::result_json(r);
      j["next"] = deploy::next_steps(r, suffix);
      apps.push_back(j);
    }
    ctx.print_stream_result({{"event", "result"}, {"command", what}, {"apps", apps}, {"exit_code", static_cast<int>(exit)}});
  } else {
    std::string out;
    for (const auto& r : results) {
      const bool good = r.status == deploy::AppStatus::deployed || r.status == deploy::AppStatus::up_to_date;
      out += fmt::format("{}: {}{}\n", ctx.paint(core::Style::heading, r.id),
                         ctx.paint(good ? core::Style::good : core::Style::bad, r.message),
                         r.elapsed.count() > 0 ? fmt::format(" ({:.1f}s)", static_cast<double>(r.elapsed.count()) / 1000.0) : "");
      for (const auto& d : r.details) out += "    " + d + "\n";
      const auto next = deploy::next_steps(r, suffix);
      if (!next.empty()) out += ctx.paint(core::Style::heading, "  next:") + "\n";
      for (const auto& n : next) out += "    " + n + "\n";
    }
    ctx.print(out);
  }
  // The one error boundary (cli::run) prints the error line, and with JSON output merges the
  // error object into the result line (Context::finish).
  if (exit != Exit::ok) throw Error(deploy::failure_summary(results, what, exit, !ctx.json()), exit);
}

}  // namespace mctl::cli::deploying
