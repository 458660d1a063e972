#pragma once
// Diagnostics to stderr, enabled by -v (info) and -vv (debug). Formatting happens only when
// the level is enabled. Results go to stdout and are written by cli/ only.
#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace mctl::core::log {

enum class Level : int { quiet = -1, warn = 0, info = 1, debug = 2, trace = 3 };

void set_level(Level level);
Level level();
bool enabled(Level level);
void set_color(bool on);
bool color();
void write(Level level, std::string_view message);
// A log line as it is printed: "warning: " before a warning, colour when set, a newline.
std::string format_line(Level level, std::string_view message, bool color);
// Redirects log lines (cli::run: to its error sink; tests); an empty function restores
// stderr. Returns the sink it replaced, for putting it back.
std::function<void(Level, std::string_view)> set_sink(std::function<void(Level, std::string_view)> sink);

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void trace(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::trace)) write(Level::trace, fmt::format(f, std::forward<Args>(args)...));
}
// Warnings show unless -q.
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::warn)) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace mctl::core::log
