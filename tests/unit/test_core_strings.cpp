#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
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

namespace {

// RFC 3629 written the other way round from core's rule (decode the code point, then reject
// overlong forms, surrogates and anything above U+10FFFF): the two must agree on every input.
std::size_t decoded_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned lead = byte(i);
  if (lead < 0x80) return 1;
  const std::size_t n = (lead & 0xe0U) == 0xc0U ? 2 : (lead & 0xf0U) == 0xe0U ? 3 : (lead & 0xf8U) == 0xf0U ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  unsigned code = lead & (0x7fU >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0U) != 0x80U) return 0;
    code = (code << 6U) | (byte(i + k) & 0x3fU);
  }
  const unsigned smallest = n == 2 ? 0x80U : n == 3 ? 0x800U : 0x10000U;
  const bool surrogate = code >= 0xd800U && code <= 0xdfffU;
  return code < smallest || code > 0x10ffffU || surrogate ? 0 : n;
}

}  // namespace

TEST_CASE("utf8_sequence_length: every sequence of one to three bytes, and four-byte edges") {
  std::size_t mismatches = 0;
  std::string text(3, '\0');
  for (unsigned a = 0; a < 256; ++a) {
    for (unsigned b = 0; b < 256; ++b) {
      for (unsigned c = 0; c < 256; ++c) {
        text = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        mismatches += utf8_sequence_length(text, 0) != decoded_length(text, 0) ? 1 : 0;
      }
      const std::string two{static_cast<char>(a), static_cast<char>(b)};
      mismatches += utf8_sequence_length(two, 0) != decoded_length(two, 0) ? 1 : 0;
    }
  }
  CHECK(mismatches == 0);
  CHECK(utf8_sequence_length("\xf0\x90\x80\x80", 0) == 4);  // U+10000
  CHECK(utf8_sequence_length("\xf4\x8f\xbf\xbf", 0) == 4);  // U+10FFFF
  CHECK(utf8_sequence_length("\xf0\x8f\xbf\xbf", 0) == 0);  // overlong U+FFFF
  CHECK(utf8_sequence_length("\xf4\x90\x80\x80", 0) == 0);  // U+110000
  CHECK(utf8_sequence_length("\xf0\x90\x80", 0) == 0);      // truncated
  CHECK(find_invalid_utf8("ok \xe2\x82\xac \xed\xa0\x80") == 7);
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");
}

TEST_CASE("an error message quoting a NUL byte keeps the text after it") {
  using namespace std::string_literals;
  const mctl::Error e("app id '/x\0y' is not valid"s, mctl::Exit::usage);
  CHECK(std::string(e.what()) == "app id '/x\\x00y' is not valid");
  CHECK(std::string(mctl::Error("\0\0"s).what()) == "\\x00\\x00");
}

TEST_CASE("excerpt: another service's page quoted on one line, cut at a character boundary") {
  using mctl::core::excerpt;
  CHECK(excerpt("  <html>\r\n  <body>\n\t<h1>503 Service Unavailable</h1>\n</body>\n</html>\n") ==
        "<html> <body> <h1>503 Service Unavailable</h1> </body> </html>");
  CHECK(excerpt("abcdef", 6) == "abcdef");
  CHECK(excerpt("abcdefg", 6) == "abcdef...");
  CHECK(excerpt("abcde\xc3\xa9", 6) == "abcde...");  // not half of the two-byte 'é'
  CHECK(excerpt("") == "");
}
