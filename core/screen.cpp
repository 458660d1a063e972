#include "core/screen.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cstdlib>

namespace mctl::core {

std::size_t cells(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string fit_width(const std::string& line, std::size_t columns) {
  if (columns == 0 || cells(line) <= columns) return line;
  std::string out;
  std::size_t n = 0;
  for (const unsigned char c : line) {
    const bool starts = (c & 0xC0) != 0x80;
    if (starts && ++n > columns - 1) break;
    out.push_back(static_cast<char>(c));
  }
  return out + "~";
}

std::string redraw_region(const std::vector<std::string>& previous, const std::vector<std::string>& next,
                          std::size_t columns) {
  // Rows the previous lines take now: after a resize to fewer columns the terminal wraps them.
  std::size_t rows = 0;
  for (const auto& l : previous) rows += std::max<std::size_t>(1, (cells(l) + columns - 1) / std::max<std::size_t>(columns, 1));
  std::string out = rows > 0 ? fmt::format("\r\033[{}A\r\033[J", rows) : "\r\033[J";
  for (const auto& l : next) out += l + "\n";
  return out;
}

std::size_t terminal_columns(int fd, const std::optional<std::string>& columns_env) {
  winsize ws{};
  if (fd >= 0 && ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (columns_env) {
    const long n = std::strtol(columns_env->c_str(), nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 80;
}

}  // namespace mctl::core
