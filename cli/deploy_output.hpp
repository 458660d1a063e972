#pragma once
// What the deploy and operating commands share: the Marathon client for the environment,
// app names resolved to Marathon ids, Ctrl-C handling, progress display and the final report.
// Defined in deploy_output.cpp (app_id in cmd_deploy.cpp).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "deploy/deployer.hpp"
#include "deploy/marathon_client.hpp"

namespace mctl::cli::deploying {

// The first Ctrl-C sets the returned flag (followers stop, Marathon is left alone); a second
// one ends the process at once.
const std::atomic<bool>& catch_interrupts();
// Puts back the SIGINT action catch_interrupts replaced and clears the flag (cli::run calls
// it when a command ends, so the process is left as it was found).
void restore_interrupts();

std::shared_ptr<deploy::MarathonClient> marathon(Context& ctx);

// The time now, UTC, ISO-8601 ("2026-12-05T08:00:00Z"; with `millis`, ".123Z").
std::string utc_now(bool millis);

// A Marathon app id for APP: "/id" as is, a rendered .json file's "id", or the spec name
// rendered for the environment.
std::string app_id(Context& ctx, const std::string& app);

// " -e ENV" when an environment is selected, for suggested commands.
std::string env_suffix(Context& ctx);

// Shows DeployEvents: a redrawn line per app on a terminal (stderr), timestamped lines
// otherwise, NDJSON on stdout with --json, nothing with -q.
class Progress {
 public:
  Progress(Context& ctx, const std::vector<std::string>& apps);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void on_event(const deploy::DeployEvent& e);
  // Final redraw; the live area is left as is.
  void close();

 private:
  void redraw_locked();
  Context& m_ctx;
  std::mutex m_mutex;
  std::vector<std::string> m_apps;
  std::vector<std::string> m_lines;
  bool m_tty = false;
  bool m_drawn = false;
  bool m_closed = false;
};

// Options shared by deploy and the operating commands, from config and flags.
deploy::DeployOptions options(Context& ctx, const std::string& timeout_flag);

// Prints the results (text or a JSON result line) with diagnostics and next steps, and ends
// with the right exit code (throws Error for failures).
void report(Context& ctx, const std::vector<deploy::AppResult>& results, const std::string& what);

}  // namespace mctl::cli::deploying
