#include <doctest/doctest.h>

#include "core/strings.hpp"

using namespace mctl::core;

TEST_CASE("edit distance counts insertions, deletions and substitutions") {
  CHECK(edit_distance("instances", "instances") == 0);
  CHECK(edit_distance("instanses", "instances") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("vualt", "vault") == 1);  // a transposition is one edit
}

TEST_CASE("did you mean picks the closest plausible candidate") {
  const std::vector<std::string> keys = {"marathon", "mesos_dns", "registry", "vault"};
  CHECK(did_you_mean("marathn", keys) == std::optional<std::string>("marathon"));
  CHECK(did_you_mean("regsitry", keys) == std::optional<std::string>("registry"));
  CHECK_FALSE(did_you_mean("completely_else", keys).has_value());
  CHECK(suggestion_suffix("vualt", keys) == " (did you mean 'vault'?)");
  CHECK(suggestion_suffix("zzz", keys).empty());
}

TEST_CASE("split and trim") {
  CHECK(split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(split("", ',') == std::vector<std::string>{""});
  CHECK(trim("  x y \n") == "x y");
  CHECK(trim(" \t ").empty());
}

TEST_CASE("printable: text from another service is safe for a terminal and for JSON") {
  using mctl::core::printable;
  CHECK(printable("plain text, é ü 日本 🙂\n\tnext") == "plain text, é ü 日本 🙂\n\tnext");
  CHECK(printable("bad \x1b[2J\x1b]0;title\x07 end\r") == "bad \\x1b[2J\\x1b]0;title\\x07 end\\x0d");
  CHECK(printable("Erreur \xe9\xe8 interne") == "Erreur \\xe9\\xe8 interne");  // ISO-8859-1, not UTF-8
  CHECK(printable("csi \xc2\x9b del \x7f") == "csi \\x9b del \\x7f");        // C1 control, DEL
  CHECK(printable("overlong \xc0\xaf surrogate \xed\xa0\x80 cut \xe6\x97") ==
        "overlong \\xc0\\xaf surrogate \\xed\\xa0\\x80 cut \\xe6\\x97");
}
