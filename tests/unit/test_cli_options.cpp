// The command tree as a user meets it: no option name may mean two things on one command line.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "cli/app.hpp"

namespace {

using mctl::cli::Context;

// "-x" / "--name" -> the command (path) that declares it.
using Declared = std::map<std::string, std::string>;

std::vector<std::string> names_of(const CLI::Option* o) {
  std::vector<std::string> names;
  for (const auto& s : o->get_snames()) names.push_back("-" + s);
  for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  return names;
}

// Every option of app and its ancestors can be given on a command line that reaches app (the
// ancestors' before the subcommand's name, and after it through fallthrough), so a name may be
// declared once per path. -h/--help means "help for the command at hand" everywhere and is exempt.
void walk(const CLI::App* app, const std::string& path, Declared declared,
          std::vector<std::string>& clashes, std::size_t& options_seen) {
  for (const auto* o : app->get_options()) {
    if (o == app->get_help_ptr() || o == app->get_help_all_ptr()) continue;
    ++options_seen;
    for (const auto& name : names_of(o)) {
      const auto [it, fresh] = declared.emplace(name, path);
      if (!fresh)
        clashes.push_back(fmt::format("'{}': {} is also declared by '{}'", path, name, it->second));
    }
  }
  for (const auto* sub : app->get_subcommands(std::function<bool(const CLI::App*)>{})) {
    const std::string sub_path = sub->get_name().empty() ? path : path + " " + sub->get_name();
    walk(sub, sub_path, declared, clashes, options_seen);
  }
}

std::vector<std::string> clashes_in(const CLI::App& app, std::size_t& options_seen) {
  std::vector<std::string> clashes;
  walk(&app, app.get_name(), {}, clashes, options_seen);
  return clashes;
}

// The subcommand at path, or nullptr.
const CLI::App* find(const CLI::App& app, const std::vector<std::string>& path) {
  const CLI::App* at = &app;
  for (const auto& name : path) {
    const auto found =
        at->get_subcommands([&](const CLI::App* s) { return s->get_name() == name; });
    if (found.empty()) return nullptr;
    at = found.front();
  }
  return at;
}

}  // namespace

TEST_CASE("the walk finds an option that means two things on one command line") {
  CLI::App app{"t", "t"};
  app.fallthrough();
  std::string global, local;
  app.add_option("--output", global);
  auto* sub = app.add_subcommand("sub");
  sub->add_subcommand("leaf")->add_option("-o,--output", local);
  std::size_t seen = 0;
  const auto clashes = clashes_in(app, seen);
  REQUIRE(clashes.size() == 1);
  CHECK(clashes[0] == "'t sub leaf': --output is also declared by 't'");
}

TEST_CASE("no option of mctl's command tree shares a name with one on the same command line") {
  Context ctx({});
  const auto app = mctl::cli::build_app(ctx);
  std::size_t seen = 0;
  const auto clashes = clashes_in(*app, seen);
  for (const auto& c : clashes) FAIL_CHECK(c);
  CHECK(clashes.empty());
  // The walk reached the real tree: vault's ansible-vault --output FILE and the global --json.
  CHECK(seen > 80);
  REQUIRE(find(*app, {"vault", "decrypt"}) != nullptr);
  CHECK(find(*app, {"vault", "decrypt"})->get_option_no_throw("--output") != nullptr);
  CHECK(app->get_option_no_throw("--json") != nullptr);
  CHECK(app->get_option_no_throw("--registry") != nullptr);
}

TEST_CASE(
    "images gc chooses what to clean by subcommand, not by a flag named like the global "
    "--registry") {
  Context ctx({});
  const auto app = mctl::cli::build_app(ctx);
  const auto* gc = find(*app, {"images", "gc"});
  REQUIRE(gc != nullptr);
  CHECK(find(*gc, {"local"}) != nullptr);
  CHECK(find(*gc, {"registry"}) != nullptr);
  CHECK(gc->get_option_no_throw("--registry") == nullptr);
  CHECK(gc->get_option_no_throw("--local") == nullptr);
}
