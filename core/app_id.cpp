#include "core/app_id.hpp"

#include <fmt/format.h>

#include <regex>
#include <vector>

#include "core/strings.hpp"

namespace mctl::core {

std::optional<std::string> app_id_problem(const std::string& id, bool relative) {
  static const std::regex segment_re(
      R"((([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9]))");
  std::vector<std::string> segments;
  for (const auto& s : split(id, '/')) {
    if (!s.empty()) segments.push_back(s);
  }
  if (segments.empty()) return fmt::format("app id '{}' names the root group, not an app", id);
  for (const auto& s : segments) {
    if ((s == "." || s == "..") && relative) continue;
    if (!std::regex_match(s, segment_re)) {
      return fmt::format(
          "app id '{}': segment '{}' may only hold lowercase letters, digits, '-' and '.', and "
          "must "
          "start and end with a letter or digit",
          id, s);
    }
  }
  const std::string& last = segments.back();
  if (last == "restart" || last == "tasks" || last == "versions") {
    return fmt::format(
        "app id '{}' ends in '{}', a name Marathon reserves (restart, tasks, versions)", id, last);
  }
  if (id.find("//") != std::string::npos)
    return fmt::format("app id '{}' has an empty segment ('//')", id);
  return std::nullopt;
}

}  // namespace mctl::core
