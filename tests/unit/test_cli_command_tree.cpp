// The command tree the completions and the man page are generated from.
#include <doctest/doctest.h>

#include <algorithm>

#include "cli/app.hpp"
#include "cli/command_tree.hpp"
#include "cli/completion.hpp"

namespace {

using namespace mctl::cli;

const CommandInfo* at(const std::vector<CommandInfo>& tree, const std::string& path) {
  for (const auto& c : tree) {
    if (c.path == path) return &c;
  }
  return nullptr;
}

const OptionInfo* option(const CommandInfo& c, const std::string& name) {
  for (const auto& o : c.options) {
    if (std::find(o.names.begin(), o.names.end(), name) != o.names.end()) return &o;
  }
  return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("the tree has every visible command, and no hidden helper") {
  Context ctx({});
  const auto app = build_app(ctx);
  const auto tree = command_tree(*app);
  REQUIRE(at(tree, "") != nullptr);
  CHECK(contains(at(tree, "")->subcommands, "deploy"));
  REQUIRE(at(tree, "images gc registry") != nullptr);
  CHECK(at(tree, "completion apps") == nullptr);
  CHECK(at(tree, "completion")->subcommands == std::vector<std::string>{"bash", "zsh", "fish"});
}

TEST_CASE("a flag takes no value; an option's value has a kind") {
  Context ctx({});
  const auto app = build_app(ctx);
  const auto tree = command_tree(*app);
  const auto valued = valued_option_names(tree);
  // The word after a flag is the next command or argument, never the flag's value.
  for (const char* flag : {"--json", "--dry-run", "-v", "--version", "--all", "-y"}) {
    CAPTURE(flag);
    CHECK_FALSE(contains(valued, flag));
  }
  for (const char* opt : {"-e", "--env", "--config", "-C", "--set", "--output"}) {
    CAPTURE(opt);
    CHECK(contains(valued, opt));
  }
  CHECK(option(*at(tree, ""), "--env")->kind == ValueKind::environment);
  CHECK(option(*at(tree, ""), "-C")->kind == ValueKind::directory);
  const auto* format = option(*at(tree, "vault create"), "--format");
  REQUIRE(format != nullptr);
  CHECK(format->kind == ValueKind::choice);
  CHECK(format->choices == std::vector<std::string>{"ansible", "mctl"});
  CHECK(at(tree, "deploy")->positionals.front().kind == ValueKind::app);
}

TEST_CASE("every shell's script names every command and option of the tree") {
  Context ctx({});
  const auto app = build_app(ctx);
  const auto tree = command_tree(*app);
  for (const auto& script : {bash_completion(tree), zsh_completion(tree), fish_completion(tree)}) {
    for (const auto& c : tree) {
      for (const auto& sub : c.subcommands) CHECK(script.find(sub) != std::string::npos);
      for (const auto& o : c.options) {
        const auto& name = o.names.back();
        const std::string fish_form =
            name.rfind("--", 0) == 0 ? "-l " + name.substr(2) : "-s " + name.substr(1);
        CAPTURE(name);
        CHECK((script.find(name) != std::string::npos ||
               script.find(fish_form) != std::string::npos));
      }
    }
  }
}
