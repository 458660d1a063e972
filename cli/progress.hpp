#pragma once
// The progress display of deploy and the operating commands (DeployEvents on stderr or as
// NDJSON); the text fitting is core/screen.hpp's.
#include <csignal>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/context.hpp"
#include "deploy/deployer.hpp"

namespace mctl::cli::deploying {

using Clock = std::chrono::steady_clock;

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
  std::size_t terminal_columns() const;
  Context& m_ctx;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<Row> m_rows;
  std::size_t m_app_width = 0;
  std::vector<std::string> m_drawn;  // TTY: the lines of the region on screen
  bool m_tty = false;
  bool m_text = false;  // text progress on stderr at all (not --json, not -q)
  bool m_closed = false;
  std::chrono::milliseconds m_heartbeat{30'000};
  std::thread m_ticker;
  std::optional<struct sigaction> m_previous_winch;  // TTY: the SIGWINCH action to put back
};

}  // namespace mctl::cli::deploying
