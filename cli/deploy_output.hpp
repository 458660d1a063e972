#pragma once
// What the deploy and operating commands share: the Marathon client for the environment,
// app names resolved to Marathon ids, Ctrl-C handling, progress display and the final report.
// Defined in deploy_output.cpp (app_id in cmd_deploy.cpp).
#include <csignal>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/context.hpp"
#include "templates/render.hpp"
#include "deploy/deployer.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::cli::deploying {

using Clock = std::chrono::steady_clock;

// The first Ctrl-C sets the returned flag (followers stop, Marathon is left alone); a second
// one ends the process at once.
const std::atomic<bool>& catch_interrupts();
// Puts back the SIGINT action catch_interrupts replaced and clears the flag (cli::run calls
// it when a command ends, so the process is left as it was found).
void restore_interrupts();

std::shared_ptr<deploy::MarathonClient> marathon(Context& ctx);

// The time now, UTC, ISO-8601 ("2026-12-05T08:00:00Z"; with `millis`, ".123Z").
std::string utc_now(bool millis);

// A Marathon app id for APP: "/id" as is, a rendered .json file's "id", or the spec's `id:`
// rendered for the environment (with --set `sets`; never opens the vault).
std::string app_id(Context& ctx, const std::string& app, const std::vector<std::string>& sets = {});

// APP (spec name, spec file or rendered .json) rendered for the environment with the command's
// one RenderOptions (cli/render_options.hpp; cmd_deploy.cpp).
deploy::AppJob job_for(Context& ctx, const std::string& app, const templates::RenderOptions& render);

// " -e ENV" when an environment is selected, for suggested commands.
std::string env_suffix(Context& ctx);

// A line cut to fit `columns` terminal cells (UTF-8 aware; ends with "~" when cut).
std::string fit_width(const std::string& line, std::size_t columns);

// The bytes that replace a live region of `previous` lines (drawn at `columns`, possibly
// wider before a resize) by `next`: up to its first row, clear to the end of the screen,
// the new lines. Empty `next` just clears it.
std::string redraw_region(const std::vector<std::string>& previous, const std::vector<std::string>& next,
                          std::size_t columns);

// Shows DeployEvents: on a terminal (stderr) a live region, one line per app fitted to the
// width, its clock ticking each second and cleared before the summary; in a pipe one
// timestamped line per state change and a heartbeat line per app every 30 s
// (MCTL_PROGRESS_HEARTBEAT=DURATION changes it); NDJSON on stdout with --json; nothing with -q.
class Progress {
 public:
  Progress(Context& ctx, const std::vector<std::string>& apps);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void on_event(const deploy::DeployEvent& e);
  // What is about to change, shown above the live region (text output only).
  void on_changes(const std::string& app, const std::vector<deploy::FieldChange>& changes, bool new_app);
  // Stops the clock and clears the live region; later events are ignored.
  void close();

 private:
  struct Row {
    std::string app;
    std::string phase;
    std::string text;        // without clock
    std::string printed;     // pipe: the last text printed
    Clock::time_point started{};      // for the clock
    Clock::time_point printed_at{};   // pipe: for the heartbeat
    std::chrono::milliseconds frozen{-1};  // a final state's elapsed
    bool seen = false;
  };
  std::chrono::milliseconds elapsed(const Row& r, Clock::time_point now) const;
  void redraw_locked();
  void print_line_locked(Row& r, bool heartbeat);
  void above_locked(const std::vector<std::string>& lines);
  void tick();
  Clock::time_point next_second_locked(Clock::time_point now) const;
  Context& m_ctx;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<Row> m_rows;
  std::size_t m_app_width = 0;
  std::vector<std::string> m_drawn;  // TTY: the lines of the region on screen
  std::size_t m_drawn_columns = 0;
  bool m_tty = false;
  bool m_text = false;  // text progress on stderr at all (not --json, not -q)
  bool m_closed = false;
  std::chrono::milliseconds m_heartbeat{30'000};
  std::thread m_ticker;
  std::optional<struct sigaction> m_previous_winch;  // TTY: the SIGWINCH action to put back
};

// Runs `body` (a change and its follow) with the progress display for `apps`, the same for
// deploy, rollback, restart, scale, stop, destroy, cancel and wait; the display is cleared
// before the results come back.
std::vector<deploy::AppResult> followed(Context& ctx, const std::vector<std::string>& apps, deploy::DeployOptions o,
                                        const std::function<std::vector<deploy::AppResult>(const deploy::DeployOptions&)>& body);

// Options shared by deploy and the operating commands, from config and flags.
deploy::DeployOptions options(Context& ctx, const std::string& timeout_flag);

// Prints the results (text or a JSON result line) with diagnostics and next steps, and ends
// with the right exit code (throws Error for failures).
void report(Context& ctx, const std::vector<deploy::AppResult>& results, const std::string& what);

}  // namespace mctl::cli::deploying
