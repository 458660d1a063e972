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

void set_sink(std::function<void(Level, std::string_view)> sink) {
  std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void write(Level l, std::string_view message) {
  {
    std::lock_guard lock(g_mutex);
    if (g_sink) {
      g_sink(l, message);
      return;
    }
  }
  const char* prefix = l == Level::warn ? "warning: " : "";
  const char* color = "";
  if (g_color) color = l == Level::warn ? "\033[33m" : "\033[2m";
  std::lock_guard lock(g_mutex);
  // A log line that cannot be written has nowhere else to go: the result is not checked.
  (void)std::fprintf(stderr, "%s%s%.*s%s\n", color, prefix, static_cast<int>(message.size()),
                     message.data(), g_color ? "\033[0m" : "");
}

}  // namespace mctl::core::log
