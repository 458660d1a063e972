// Every command's --help ends with real examples, and every example only uses options and
// commands that exist (so the examples cannot rot when an option is renamed).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>

#include "cli/app.hpp"
#include "cli/examples.hpp"

namespace {

using mctl::cli::Context;

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The words of the mctl invocation in a shell line: from "mctl" up to a pipe or redirection.
std::vector<std::string> mctl_args(const std::string& line) {
  const auto words = words_of(line);
  std::vector<std::string> args;
  bool in = false;
  for (const auto& w : words) {
    if (w == "mctl") {
      in = true;
      continue;
    }
    if (!in) continue;
    if (w == "|" || w == "<" || w == ">") break;
    args.push_back(w);
  }
  return args;
}

bool declared_on(CLI::App& root, const std::string& path, const std::string& option) {
  const auto words = words_of(path);
  CLI::App* at = &root;
  if (at->get_option_no_throw(option)) return true;
  for (const auto& w : words) {
    at = mctl::cli::find_command(*at, w);
    if (at->get_option_no_throw(option)) return true;
  }
  return false;
}

void collect_runnable(CLI::App* app, const std::string& path, std::vector<std::string>& out) {
  const auto subs = app->get_subcommands(std::function<bool(CLI::App*)>{});
  if (subs.empty()) out.push_back(path);
  for (auto* s : subs)
    collect_runnable(s, path.empty() ? s->get_name() : path + " " + s->get_name(), out);
}

}  // namespace

TEST_CASE("every runnable command has at least two examples in its --help") {
  Context ctx({});
  auto app = mctl::cli::build_app(ctx);
  std::vector<std::string> runnable;
  collect_runnable(app.get(), "", runnable);
  CHECK(runnable.size() > 30);
  for (const auto& path : runnable) {
    CAPTURE(path);
    auto* sub = mctl::cli::find_command(*app, path);
    REQUIRE(sub != nullptr);
    const auto help = sub->help();
    const auto at = help.find("Examples:");
    CHECK(at != std::string::npos);
    std::size_t count = 0;
    for (auto pos = help.find("\n  ", at); pos != std::string::npos;
         pos = help.find("\n  ", pos + 1))
      ++count;
    CHECK(count >= 2);
  }
}

TEST_CASE("every example runs its own command and only uses declared options") {
  Context ctx({});
  auto app = mctl::cli::build_app(ctx);
  for (const auto& example : mctl::cli::command_examples()) {
    // A reference, not a structured binding: CHECK_MESSAGE's lambda cannot capture one before
    // clang 16, so clang-tidy could not compile this file.
    const std::string& path = example.command;
    for (const auto& line : example.lines) {
      CAPTURE(line);
      const auto args = mctl_args(line);
      // The command's words appear in order among the arguments.
      std::size_t next = 0;
      const auto path_words = words_of(path);
      for (const auto& a : args) {
        if (next < path_words.size() && a == path_words[next]) ++next;
        if (a.size() > 1 && a[0] == '-') {
          const auto name = a.substr(0, a.find('='));
          CHECK_MESSAGE(declared_on(*app, path, name),
                        fmt::format("{} is not an option of 'mctl {}'", name, path));
        }
      }
      CHECK_MESSAGE(next == path_words.size(),
                    fmt::format("'{}' does not run 'mctl {}'", line, path));
    }
  }
}
