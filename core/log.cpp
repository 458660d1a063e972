#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace mctl::core::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::warn)};
std::atomic<bool> g_color{false};
std::mutex g_mutex;
}  // namespace

void set_level(Level l) { g_level = static_cast<int>(l); }
Level level() { return static_cast<Level>(g_level.load()); }
bool enabled(Level l) { return static_cast<int>(l) <= g_level.load(); }
void set_color(bool on) { g_color = on; }

void write(Level l, std::string_view message) {
  const char* prefix = l == Level::warn ? "warning: " : "";
  const char* color = "";
  if (g_color) color = l == Level::warn ? "\033[33m" : "\033[2m";
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "%s%s%.*s%s\n", color, prefix, static_cast<int>(message.size()),
               message.data(), g_color ? "\033[0m" : "");
}

}  // namespace mctl::core::log
