// The live progress display's pure parts: lines fitted to the terminal, the bytes that redraw
// the region (also after a resize), and the text of one app's state (new and old tasks apart).
#include <doctest/doctest.h>

#include "core/screen.hpp"
#include "deploy/report.hpp"

using namespace mctl;
using core::fit_width;
using core::redraw_region;

TEST_CASE("fit_width: a line never takes more cells than the terminal has") {
  CHECK(fit_width("short", 80) == "short");
  CHECK(fit_width("0123456789", 10) == "0123456789");
  CHECK(fit_width("0123456789abc", 10) == "012345678~");
  // Cells, not bytes: a UTF-8 character takes one cell and is never cut in half.
  const std::string cut = fit_width("ééééééééééé", 5);
  CHECK(cut == "éééé~");
}

TEST_CASE("redraw_region: up over the rows drawn, clear to the end, the new lines") {
  CHECK(redraw_region({}, {"a", "b"}, 80) == "\r\033[J" "a\nb\n");
  CHECK(redraw_region({"x", "y"}, {"a", "b"}, 80) == "\r\033[2A\r\033[J" "a\nb\n");
  CHECK(redraw_region({"x", "y"}, {}, 80) == "\r\033[2A\r\033[J");
}

TEST_CASE("redraw_region after a resize to fewer columns counts the rows the old lines wrap to") {
  const std::string wide(81, 'x');  // drawn at 100 columns, now 40: three rows
  CHECK(redraw_region({wide, "y"}, {"a"}, 40) == "\r\033[4A\r\033[J" "a\n");
}

TEST_CASE("progress_text: tasks of the new version apart from older ones") {
  deploy::Progress p;
  p.deployment_listed = true;
  p.step = 1;
  p.total_steps = 1;
  p.action = "RestartApplication";
  p.instances = 3;
  p.running = 3;  // Marathon's tasksRunning counts the old tasks too
  p.healthy = 3;
  p.new_running = 1;
  p.new_healthy = 0;
  p.old_tasks = 2;
  p.has_health = true;
  const deploy::DeployEvent e{"/web", "deploying", p, "", std::chrono::milliseconds(2500)};
  CHECK(deploy::progress_text(e) == "deploying  step 1/1 (RestartApplication)  new 1/3 running, 0/3 healthy  old 2 running");
}

TEST_CASE("progress_text: a message naming the state is not preceded by the state again") {
  const deploy::DeployEvent e{"/web", "deployed", std::nullopt, "deployed version 2026-01-01T00:00:00.000Z", {}};
  CHECK(deploy::progress_text(e) == "deployed version 2026-01-01T00:00:00.000Z");
  const deploy::DeployEvent r{"/web", "rolling-back", std::nullopt, "3 tasks failed -> rolling back", {}};
  CHECK(deploy::progress_text(r) == "rolling-back  3 tasks failed -> rolling back");
}

TEST_CASE("live_seconds: whole seconds, minutes past 60") {
  CHECK(deploy::live_seconds(std::chrono::milliseconds(2999)) == "2s");
  CHECK(deploy::live_seconds(std::chrono::milliseconds(65'000)) == "1m05s");
}
