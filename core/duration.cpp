#include "core/duration.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <limits>

#include "core/error.hpp"

namespace mctl::core {
namespace {

// Milliseconds per unit, or 0 for an unknown unit.
std::int64_t unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  return 0;
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text, const std::string& origin, const std::string& key) {
  try {
    return parse_duration(text);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}{}", origin, key.empty() ? "" : key + ": ", e.what()), Exit::usage);
  }
}

std::chrono::milliseconds parse_duration(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return Error(fmt::format("invalid duration '{}': {} (use e.g. 90s, 10m, 1h30m)", text, why),
                 Exit::usage);
  };
  if (text.empty()) throw fail("empty");
  std::int64_t total = 0;
  std::size_t i = 0;
  bool bare = true;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) throw fail("expected a number");
    std::int64_t value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + (text[i] - '0');
      if (value > std::numeric_limits<std::int32_t>::max()) throw fail("too large");
      ++i;
    }
    const std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const auto unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (i != text.size() || !bare) throw fail("missing unit");
      total += value * 1000;
      break;
    }
    bare = false;
    const auto ms = unit_ms(unit);
    if (ms == 0) throw fail(fmt::format("unknown unit '{}'", unit));
    total += value * ms;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  std::string out;
  const auto h = ms / 3'600'000;
  const auto m = (ms / 60'000) % 60;
  const auto s = (ms / 1000) % 60;
  const auto rest = ms % 1000;
  if (h) out += fmt::format("{}h", h);
  if (m) out += fmt::format("{}m", m);
  if (s || rest) out += rest ? fmt::format("{}.{:03}s", s, rest) : fmt::format("{}s", s);
  return out;
}

}  // namespace mctl::core
