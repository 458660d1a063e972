// The live display of deploy and the operating commands (declared in progress.hpp).
#include "cli/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

#include "cli/deploy_output.hpp"
#include "core/duration.hpp"
#include "core/screen.hpp"
#include "deploy/diff.hpp"
#include "deploy/report.hpp"

namespace mctl::cli::deploying {
using nlohmann::json;
namespace {

std::atomic<bool> g_resized{false};
extern "C" void on_sigwinch(int) { g_resized = true; }

bool final_phase(const std::string& phase) {
  return phase != "pending" && phase != "locked" && phase != "deploying" && phase != "rolling-back";
}

}  // namespace

std::size_t Progress::terminal_columns() const {
  return core::terminal_columns(m_ctx.err().fd(), m_ctx.environ("COLUMNS"));
}

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
  const std::size_t columns = terminal_columns();
  std::vector<std::string> fitted;
  fitted.reserve(lines.size());
  for (const auto& l : lines) fitted.push_back(core::fit_width(l, columns - 1));
  m_ctx.err().write(core::redraw_region(m_drawn, fitted, columns));
  m_drawn.clear();  // the lines above are permanent; the region starts below them
  redraw_locked();
}

void Progress::redraw_locked() {
  const std::size_t columns = terminal_columns();
  const auto now = Clock::now();
  std::vector<std::string> lines;
  for (const auto& r : m_rows) {
    const std::string line = fmt::format("{:<{}}  {:>5}  {}", r.app, m_app_width, r.seen ? deploy::live_seconds(elapsed(r, now)) : "",
                                         r.text);
    lines.push_back(core::fit_width(line, columns - 1));  // the last column would wrap on some terminals
  }
  m_ctx.err().write(core::redraw_region(m_drawn, lines, columns));
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
      m_ctx.err().write(core::redraw_region(m_drawn, {}, terminal_columns()));
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

}  // namespace mctl::cli::deploying
