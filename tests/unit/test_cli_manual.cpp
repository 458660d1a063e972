// The man page lists every command, option, exit code and example of the tree it is made from.
#include <doctest/doctest.h>

#include "cli/app.hpp"
#include "cli/examples.hpp"
#include "cli/manual.hpp"

namespace {

std::string roff_dashes(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

}  // namespace

TEST_CASE("the man page has every command with its options, the exit codes and the examples") {
  mctl::cli::Context ctx({});
  const auto app = mctl::cli::build_app(ctx);
  const auto tree = mctl::cli::command_tree(*app);
  const std::string page = mctl::cli::man_page(tree, "9.9.9");
  CHECK(page.rfind(".TH MCTL 1 \"\" \"mctl 9.9.9\"", 0) == 0);
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH GLOBAL OPTIONS", ".SH COMMANDS",
                              ".SH EXIT STATUS", ".SH ENVIRONMENT"}) {
    CHECK(page.find(section) != std::string::npos);
  }
  for (const auto& c : tree) {
    if (c.path.empty()) continue;
    CAPTURE(c.path);
    const auto at = page.find(".SS \"" + roff_dashes("mctl " + c.path));
    REQUIRE(at != std::string::npos);
    const auto end = page.find(".SS ", at + 1);
    const std::string section = page.substr(at, end - at);
    for (const auto& o : c.options) {
      for (const auto& n : o.names)
        CHECK(section.find("\\fB" + roff_dashes(n) + "\\fR") != std::string::npos);
    }
  }
  for (const auto& e : mctl::cli::exit_codes())
    CHECK(page.find(".B " + std::to_string(e.code) + "\n") != std::string::npos);
  for (const auto& ex : mctl::cli::command_examples()) {
    if (mctl::cli::find_command(*app, ex.command)->get_group().empty()) continue;  // hidden helpers
    for (const auto& line : ex.lines) CHECK(page.find(roff_dashes(line)) != std::string::npos);
  }
  // No text line starts with a roff control character (it would be read as a request).
  std::size_t pos = 0;
  while ((pos = page.find("\n'", pos)) != std::string::npos)
    FAIL("a line starts with ': " << page.substr(pos, 40));
}
