#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace mctl::core::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::warn)};
std::atomic<bool> g_color{false};
std::mutex g_mutex;
std::function<void(Level, std::string_view)> g_sink;
}  // namespace

void set_level(Level l) { g_level = static_cast<int>(l); }
Level level() { return static_cast<Level>(g_level.load()); }
bool enabled(Level l) { return static_cast<int>(l) <= g_level.load(); }
void set_color(bool on) { g_color = on; }
bool color() { return g_color; }

std::function<void(Level, std::string_view)> set_sink(std::function<void(Level, std::string_view)> sink) {
  const std::lock_guard lock(g_mutex);
  std::swap(g_sink, sink);
  return sink;
}

std::string format_line(Level l, std::string_view message, bool color) {
  const char* prefix = l == Level::warn ? "warning: " : "";
  const char* start = "";
  if (color) start = l == Level::warn ? "\033[33m" : "\033[2m";
  return fmt::format("{}{}{}{}\n", start, prefix, message, color ? "\033[0m" : "");
}

void write(Level l, std::string_view message) {
  {
    std::lock_guard lock(g_mutex);
    if (g_sink) {
      g_sink(l, message);
      return;
    }
  }
  const std::string line = format_line(l, message, g_color);
  const std::lock_guard lock(g_mutex);
  // A log line that cannot be written has nowhere else to go: the result is not checked.
  (void)std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace mctl::core::log
