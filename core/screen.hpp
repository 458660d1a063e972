#pragma once
// Text on a terminal: how many cells a line takes, a line cut to the width, the bytes that
// redraw a live region of lines, and the terminal's width.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mctl::core {

// Terminal cells of a UTF-8 string (one per code point; no wide characters in mctl's text).
std::size_t cells(const std::string& s);

// A line cut to fit `columns` terminal cells (UTF-8 aware; ends with "~" when cut).
std::string fit_width(const std::string& line, std::size_t columns);

// The bytes that replace a live region of `previous` lines (drawn at `columns`, possibly
// wider before a resize) by `next`: up to its first row, clear to the end of the screen,
// the new lines. Empty `next` just clears it.
std::string redraw_region(const std::vector<std::string>& previous, const std::vector<std::string>& next,
                          std::size_t columns);

// The width of the terminal on `fd` (asked now, so a resize takes effect at once), else
// `columns_env` ($COLUMNS) when it is a positive number, else 80.
std::size_t terminal_columns(int fd, const std::optional<std::string>& columns_env);

}  // namespace mctl::core
