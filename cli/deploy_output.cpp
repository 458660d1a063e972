// What the deploy and operating commands share: Ctrl-C, the Marathon client, progress and
// the final report (declared in deploy_output.hpp).
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>

#include "cli/deploy_output.hpp"
#include "core/duration.hpp"
#include "core/log.hpp"
#include "core/terminal.hpp"
#include "deploy/diff.hpp"
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

namespace {

std::atomic<bool> g_resized{false};
extern "C" void on_sigwinch(int) { g_resized = true; }

// Terminal cells of a UTF-8 string (one per code point; no wide characters in mctl's text).
std::size_t cells(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool final_phase(const std::string& phase) {
  return phase != "pending" && phase != "locked" && phase != "deploying" && phase != "rolling-back";
}

}  // namespace

std::string fit_width(const std::string& line, std::size_t columns) {
  if (columns == 0 || cells(line) <= columns) return line;
  std::string out;
  std::size_t n = 0;
  for (const unsigned char c : line) {
    const bool starts = (c & 0xC0) != 0x80;
    if (starts && ++n > columns - 1) break;
    out.push_back(static_cast<char>(c));
  }
  return out + "~";
}

std::string redraw_region(const std::vector<std::string>& previous, const std::vector<std::string>& next,
                          std::size_t columns) {
  // Rows the previous lines take now: after a resize to fewer columns the terminal wraps them.
  std::size_t rows = 0;
  for (const auto& l : previous) rows += std::max<std::size_t>(1, (cells(l) + columns - 1) / std::max<std::size_t>(columns, 1));
  std::string out = rows > 0 ? fmt::format("\r\033[{}A\r\033[J", rows) : "\r\033[J";
  for (const auto& l : next) out += l + "\n";
  return out;
}

namespace {

// The width of the terminal behind the error sink, asked at every redraw (a resize takes effect
// at once).
std::size_t terminal_columns(const Context& ctx) {
  winsize ws{};
  const int fd = ctx.err().fd();
  if (fd >= 0 && ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (auto c = ctx.environ("COLUMNS")) {
    const long n = std::strtol(c->c_str(), nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 80;
}

}  // namespace

Progress::Progress(Context& ctx, const std::vector<std::string>& apps)
    : m_ctx(ctx), m_tty(ctx.stderr_is_tty() && !ctx.json()), m_text(!ctx.json() && !ctx.globals.quiet) {
  for (const auto& a : apps) {
    m_rows.push_back(Row{a, "pending", "pending", "", Clock::now(), Clock::now(), std::chrono::milliseconds(-1), false});
    m_app_width = std::max(m_app_width, a.size());
  }
  if (auto h = ctx.environ("MCTL_PROGRESS_HEARTBEAT")) {
    m_heartbeat = core::parse_duration(*h, "env MCTL_PROGRESS_HEARTBEAT", "progress heartbeat");
  }
  if (!m_text) return;
  if (m_tty) {
    struct sigaction sa {};
    sa.sa_handler = on_sigwinch;
    sigemptyset(&sa.sa_mask);
    struct sigaction previous {};
    sigaction(SIGWINCH, &sa, &previous);
    m_previous_winch = previous;
  }
  m_ticker = std::thread([this] { tick(); });
}

Progress::~Progress() { close(); }

std::chrono::milliseconds Progress::elapsed(const Row& r, Clock::time_point now) const {
  if (r.frozen.count() >= 0) return r.frozen;
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - r.started);
}

void Progress::on_event(const deploy::DeployEvent& e) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return;
  if (m_ctx.json()) {
    json j = deploy::event_json(e);
    j["time"] = utc_now(true);
    m_ctx.print_event(j);
    return;
  }
  if (!m_text) return;
  const auto now = Clock::now();
  if (std::none_of(m_rows.begin(), m_rows.end(), [&](const Row& r) { return r.app == e.app; })) {
    // An app known only once Marathon answered (the apps of a deployment id).
    m_rows.push_back(Row{e.app, e.phase, "", "", now, now, std::chrono::milliseconds(-1), false});
    m_app_width = std::max(m_app_width, e.app.size());
  }
  for (auto& r : m_rows) {
    if (r.app != e.app) continue;
    r.phase = e.phase;
    r.text = deploy::progress_text(e);
    r.started = now - e.elapsed;
    r.frozen = final_phase(e.phase) ? e.elapsed : std::chrono::milliseconds(-1);
    r.seen = true;
    // The summary says "up to date"; a line for it in a pipe would say it twice.
    if (!m_tty && r.text != r.printed && e.phase != "up-to-date") print_line_locked(r, false);
  }
  if (m_tty) redraw_locked();
}

void Progress::on_changes(const std::string& app, const std::vector<deploy::FieldChange>& changes, bool new_app) {
  std::lock_guard lock(m_mutex);
  if (m_closed || !m_text) return;
  constexpr std::size_t k_shown = 8;
  std::vector<std::string> lines{fmt::format("{}: {}", app, new_app ? "creating the app"
                                                                     : fmt::format("sending {} change{}", changes.size(),
                                                                                   changes.size() == 1 ? "" : "s"))};
  if (!new_app) {
    const auto shown = std::vector<deploy::FieldChange>(changes.begin(), changes.begin() + static_cast<long>(std::min(changes.size(), k_shown)));
    std::string text = deploy::format_changes(shown);
    for (std::size_t at = 0, nl; at < text.size(); at = nl + 1) {
      nl = text.find('\n', at);
      if (nl == std::string::npos) nl = text.size();
      lines.push_back("  " + text.substr(at, nl - at));
    }
    if (changes.size() > k_shown) lines.push_back(fmt::format("  ... and {} more (mctl diff {})", changes.size() - k_shown, app));
  }
  above_locked(lines);
}

void Progress::print_line_locked(Row& r, bool heartbeat) {
  const auto now = Clock::now();
  m_ctx.print_err(fmt::format("{} {} {}{} ({})", utc_now(false), r.app, heartbeat ? "still " : "", r.text,
                              deploy::live_seconds(elapsed(r, now))));
  r.printed = r.text;
  r.printed_at = now;
}

void Progress::above_locked(const std::vector<std::string>& lines) {
  if (!m_tty) {
    for (const auto& l : lines) m_ctx.print_err(l);
    return;
  }
  const std::size_t columns = terminal_columns(m_ctx);
  std::vector<std::string> fitted;
  for (const auto& l : lines) fitted.push_back(fit_width(l, columns - 1));
  m_ctx.err().write(redraw_region(m_drawn, fitted, columns));
  m_drawn.clear();  // the lines above are permanent; the region starts below them
  redraw_locked();
}

void Progress::redraw_locked() {
  const std::size_t columns = terminal_columns(m_ctx);
  const auto now = Clock::now();
  std::vector<std::string> lines;
  for (const auto& r : m_rows) {
    const std::string line = fmt::format("{:<{}}  {:>5}  {}", r.app, m_app_width, r.seen ? deploy::live_seconds(elapsed(r, now)) : "",
                                         r.text);
    lines.push_back(fit_width(line, columns - 1));  // the last column would wrap on some terminals
  }
  m_ctx.err().write(redraw_region(m_drawn, lines, columns));
  m_drawn = std::move(lines);
}

void Progress::tick() {
  std::unique_lock lock(m_mutex);
  auto next_redraw = Clock::now() + std::chrono::seconds(1);
  while (!m_closed) {
    m_wake.wait_for(lock, std::chrono::milliseconds(100));
    if (m_closed) break;
    const auto now = Clock::now();
    if (m_tty) {
      if (g_resized.exchange(false) || now >= next_redraw) {
        redraw_locked();
        next_redraw = next_second_locked(now);
      }
      continue;
    }
    for (auto& r : m_rows) {
      if (r.seen && !final_phase(r.phase) && now - r.printed_at >= m_heartbeat) print_line_locked(r, true);
    }
  }
}

// When the first live clock turns to its next second (each clock counts from its own start).
Clock::time_point Progress::next_second_locked(Clock::time_point now) const {
  auto next = now + std::chrono::seconds(1);
  for (const auto& r : m_rows) {
    if (!r.seen || r.frozen.count() >= 0) continue;
    const auto whole = std::chrono::duration_cast<std::chrono::seconds>(now - r.started) + std::chrono::seconds(1);
    next = std::min(next, r.started + whole + std::chrono::milliseconds(5));
  }
  return next;
}

void Progress::close() {
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return;
    m_closed = true;
    if (m_tty && !m_drawn.empty()) {
      // The summary follows on stdout: no progress line may stay above or inside it.
      m_ctx.err().write(redraw_region(m_drawn, {}, terminal_columns(m_ctx)));
      m_drawn.clear();
    }
  }
  m_wake.notify_all();
  if (m_ticker.joinable()) m_ticker.join();
  if (m_previous_winch) {  // the process is left as it was found
    sigaction(SIGWINCH, &*m_previous_winch, nullptr);
    m_previous_winch.reset();
    g_resized = false;
  }
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
  const auto& config = ctx.config();
  deploy::DeployOptions o;
  const auto& s = config.settings().deploy;
  o.timeout = timeout_flag.empty() ? *s.timeout : core::parse_duration(timeout_flag, "flag --timeout", "deploy.timeout");
  o.parallel = *s.parallel;
  o.rollback = *s.rollback;
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
