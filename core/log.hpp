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

// Formats and writes one line at `level`, only when that level is enabled.
template <typename... Args>
void at(Level level, fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(level)) write(level, fmt::format(f, std::forward<Args>(args)...));
}
// clang-format off
template <typename... Args> void info(fmt::format_string<Args...> f, Args&&... args) { at(Level::info, f, std::forward<Args>(args)...); }
template <typename... Args> void debug(fmt::format_string<Args...> f, Args&&... args) { at(Level::debug, f, std::forward<Args>(args)...); }
template <typename... Args> void trace(fmt::format_string<Args...> f, Args&&... args) { at(Level::trace, f, std::forward<Args>(args)...); }
// Warnings show unless -q.
template <typename... Args> void warn(fmt::format_string<Args...> f, Args&&... args) { at(Level::warn, f, std::forward<Args>(args)...); }
// clang-format on

}  // namespace mctl::core::log
