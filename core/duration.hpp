#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace mctl::core {

// Parses "90s", "10m", "1h30m", "500ms", "2d" or a bare number of seconds.
// Throws Error(Exit::usage) naming the text on anything else.
std::chrono::milliseconds parse_duration(std::string_view text);

// The same for a value with a known origin, the one way a configured or flagged duration is
// read: errors start with the origin as `config show` prints it, e.g. "flag --timeout:
// deploy.timeout: invalid duration 'soon': ..." (`key` may be empty for a flag of its own).
std::chrono::milliseconds parse_duration(std::string_view text, const std::string& origin,
                                         const std::string& key = "");

// The shortest "1h30m" / "90s" / "250ms" form of a duration.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace mctl::core
