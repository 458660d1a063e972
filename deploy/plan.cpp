#include "deploy/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "deploy/diff.hpp"

namespace mctl::deploy {
namespace {

void visit(const std::string& id, const std::map<std::string, std::vector<std::string>>& deps,
           std::map<std::string, int>& mark, std::vector<std::string>& stack) {
  if (mark[id] == 2) return;
  if (mark[id] == 1) {
    auto start = std::find(stack.begin(), stack.end(), id);
    std::vector<std::string> cycle(start, stack.end());
    cycle.push_back(id);
    throw Error(fmt::format("the apps' dependencies form a cycle: {}", fmt::join(cycle, " -> ")), Exit::usage);
  }
  mark[id] = 1;
  stack.push_back(id);
  for (const auto& d : deps.at(id)) visit(d, deps, mark, stack);
  stack.pop_back();
  mark[id] = 2;
}

}  // namespace

std::map<std::string, std::vector<std::string>> dependencies_within(const std::map<std::string, nlohmann::json>& definitions) {
  std::map<std::string, std::vector<std::string>> deps;
  for (const auto& [id, definition] : definitions) {
    auto& mine = deps[id];
    json with_id = definition.is_object() ? definition : json::object();
    with_id["id"] = id;  // relative dependencies resolve against the app's own group
    const json normalized = normalize_app(with_id);
    for (const auto& d : normalized.value("dependencies", json::array())) {
      const auto dep = d.get<std::string>();
      if (dep != id && definitions.count(dep) && std::find(mine.begin(), mine.end(), dep) == mine.end()) mine.push_back(dep);
    }
  }
  std::map<std::string, int> mark;
  std::vector<std::string> stack;
  for (const auto& [id, _] : deps) visit(id, deps, mark, stack);
  return deps;
}

}  // namespace mctl::deploy
