// What the deploy and operating commands share: Ctrl-C, the Marathon client, progress and
// the final report (declared in deploy_output.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>

#include "cli/deploy_output.hpp"
#include "core/duration.hpp"
#include "core/terminal.hpp"
#include "deploy/report.hpp"

namespace mctl::cli::deploying {
using nlohmann::json;
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }
std::mutex g_sigint_mutex;
std::optional<struct sigaction> g_previous_sigint;  // set while catch_interrupts' handler is installed

}  // namespace

std::string utc_now(bool millis) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!millis) return std::string(buf) + "Z";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{}.{:03}Z", buf, ms);
}

const std::atomic<bool>& catch_interrupts() {
  std::lock_guard lock(g_sigint_mutex);
  if (!g_previous_sigint) {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
    struct sigaction previous {};
    sigaction(SIGINT, &sa, &previous);
    g_previous_sigint = previous;
  }
  return g_interrupted;
}

void restore_interrupts() {
  std::lock_guard lock(g_sigint_mutex);
  if (!g_previous_sigint) return;
  sigaction(SIGINT, &*g_previous_sigint, nullptr);
  g_previous_sigint.reset();
  g_interrupted = false;
}

std::shared_ptr<deploy::MarathonClient> marathon(Context& ctx) { return deploy::connect(ctx.config()); }

std::string env_suffix(Context& ctx) {
  const auto& env = ctx.config().env_name();
  return env.empty() ? "" : " -e " + env;
}

Progress::Progress(Context& ctx, const std::vector<std::string>& apps)
    : m_ctx(ctx), m_apps(apps), m_lines(apps.size()), m_tty(core::is_terminal(STDERR_FILENO) && !ctx.json()) {}

Progress::~Progress() { close(); }

void Progress::on_event(const deploy::DeployEvent& e) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return;
  if (m_ctx.json()) {
    json j = deploy::event_json(e);
    j["time"] = utc_now(true);
    m_ctx.print(j.dump());
    return;
  }
  if (m_ctx.globals.quiet) return;
  if (m_tty) {
    for (std::size_t i = 0; i < m_apps.size(); ++i) {
      if (m_apps[i] == e.app) m_lines[i] = deploy::progress_text(e);
    }
    redraw_locked();
  } else if (e.phase != "pending") {
    std::fprintf(stderr, "%s %s %s\n", utc_now(false).c_str(), e.app.c_str(), deploy::progress_text(e).c_str());
    std::fflush(stderr);
  }
}

void Progress::redraw_locked() {
  std::string out;
  if (m_drawn) out += fmt::format("\033[{}A", m_apps.size());
  std::size_t width = 0;
  for (const auto& a : m_apps) width = std::max(width, a.size());
  for (std::size_t i = 0; i < m_apps.size(); ++i) out += fmt::format("\r\033[2K{:<{}}  {}\n", m_apps[i], width, m_lines[i]);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
  m_drawn = true;
}

void Progress::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
}

deploy::DeployOptions options(Context& ctx, const std::string& timeout_flag) {
  const auto& config = ctx.config();
  deploy::DeployOptions o;
  o.timeout = timeout_flag.empty() ? config.get_duration("deploy.timeout") : core::parse_duration(timeout_flag, "flag --timeout", "deploy.timeout");
  o.parallel = static_cast<int>(config.get_int("deploy.parallel"));
  o.rollback = config.get_bool("deploy.rollback");
  o.interrupted = &catch_interrupts();
  return o;
}

// The one-line summary of a failed command, as `mctl: error:` prints it.
std::string failure_summary(const std::vector<deploy::AppResult>& results, const std::string& what, Exit exit) {
  int bad = 0;
  std::string first;
  for (const auto& r : results) {
    if (r.status == deploy::AppStatus::deployed || r.status == deploy::AppStatus::up_to_date) continue;
    if (++bad == 1) first = fmt::format("{}: {}", r.id, r.message.substr(0, r.message.find('\n')));
  }
  if (exit == Exit::interrupted) return fmt::format("{}: interrupted; stopped following without touching Marathon", what);
  return fmt::format("{}: {} of {} app(s) not done{}", what, bad, results.size(), first.empty() ? "" : " (" + first + ")");
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
    ctx.print(json{{"event", "result"}, {"command", what}, {"apps", apps}, {"exit_code", static_cast<int>(exit)}}.dump());
  } else {
    std::string out;
    for (const auto& r : results) {
      out += fmt::format("{}: {}{}\n", r.id, r.message,
                         r.elapsed.count() > 0 ? fmt::format(" ({:.1f}s)", static_cast<double>(r.elapsed.count()) / 1000.0) : "");
      for (const auto& d : r.details) out += "    " + d + "\n";
      const auto next = deploy::next_steps(r, suffix);
      if (!next.empty()) out += "  next:\n";
      for (const auto& n : next) out += "    " + n + "\n";
    }
    ctx.print(out);
  }
  // The one error boundary (cli::run) prints the error line, and with JSON output the error
  // object as one more line of the stream.
  if (exit != Exit::ok) throw Error(failure_summary(results, what, exit), exit);
}

}  // namespace mctl::cli::deploying
