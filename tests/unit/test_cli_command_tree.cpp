// The command tree the completions and the man page are generated from.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <span>

#include "cli/app.hpp"
#include "cli/command_tree.hpp"
#include "cli/completion.hpp"
#include "cli/examples.hpp"

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

namespace {

// The visible top-level commands of a tree, in --help order.
std::vector<std::string> top_level(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{})) names.push_back(sub->get_name());
  return names;
}

std::unique_ptr<CLI::App> tree_for(Context& ctx, const std::vector<const char*>& args) {
  return build_app_for(ctx, std::span<const char* const>(args.data(), args.size()));
}

}  // namespace

TEST_CASE("the tree built for a command word has that command exactly as the whole tree does") {
  Context whole_ctx({});
  const auto whole = build_app(whole_ctx);
  const auto whole_tree = command_tree(*whole);
  for (const auto& name : top_level(*whole)) {
    CAPTURE(name);
    Context ctx({});
    const auto partial = tree_for(ctx, {name.c_str(), "--json"});
    // Every command at or below `name`, with the same options, positionals and examples.
    for (const auto& c : whole_tree) {
      if (c.path != name && c.path.rfind(name + " ", 0) != 0) continue;
      CAPTURE(c.path);
      auto* mine = find_command(*partial, c.path);
      REQUIRE(mine != nullptr);
      CHECK(mine->help() == find_command(*whole, c.path)->help());
    }
  }
}

TEST_CASE("only the named commands are built; help, completion and man, or no command word, get the whole tree") {
  Context whole_ctx({});
  const auto all = top_level(*build_app(whole_ctx));
  Context ctx({});
  CHECK(top_level(*tree_for(ctx, {"version"})) == std::vector<std::string>{"version"});
  CHECK(top_level(*tree_for(ctx, {"-e", "prod", "vault", "view", "f.yml"})) == std::vector<std::string>{"vault"});
  // A word that is an option's value may add a command; the parse is the same.
  CHECK(top_level(*tree_for(ctx, {"-C", "deploy", "status", "web"})) ==
        std::vector<std::string>{"deploy", "diff", "deployments", "cancel", "status", "apps", "versions", "rollback",
                                 "restart", "scale", "stop", "destroy"});
  for (const std::vector<const char*>& args :
       {std::vector<const char*>{}, {"--version"}, {"--help"}, {"help", "vault"}, {"completion", "bash"},
        {"man"}, {"deplyo"}}) {
    CHECK(top_level(*tree_for(ctx, args)) == all);
  }
}
