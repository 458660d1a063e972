#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/yaml.hpp"

using mctl::core::parse_yaml;

namespace {

// `levels` anchors, each a list of ten aliases of the one before: 10^levels nodes expanded.
std::string alias_bomb(int levels) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < levels; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

std::string message_of(const std::string& text, const mctl::core::YamlLimits& limits = {}) {
  try {
    parse_yaml(text, "f.yaml", limits);
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE(
    "an alias bomb is refused at the alias that passes the node limit, without expanding it") {
  const auto start = std::chrono::steady_clock::now();
  CHECK(message_of(alias_bomb(9)) ==
        "f.yaml:5:45: the YAML expands to more than 100000 nodes (aliases of aliases?); refusing "
        "to read it");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  // Three levels (1111 nodes) is a legitimate use of aliases.
  CHECK(parse_yaml(alias_bomb(3), "f.yaml")["a2"].size() == 10);
}

TEST_CASE("an alias of a node that contains it is refused") {
  CHECK(message_of("a: &x [1, *x]\n") ==
        "f.yaml:1:11: an alias refers to a node that contains it (recursive YAML)");
}

TEST_CASE("nesting and size limits give a position") {
  CHECK(message_of("a: [[[[1]]]]\n", {1 << 20, 100, 4}) ==
        "f.yaml:1:7: the YAML is nested more than 4 levels deep");
  CHECK(message_of("a: [[[1]]]\n", {1 << 20, 100, 4}) == "(accepted)");
  // Aliases count at the depth they are used.
  CHECK(message_of("a: &d [[1]]\nb: [[*d]]\n", {1 << 20, 100, 4}) ==
        "f.yaml:2:6: the YAML is nested more than 4 levels deep");
  CHECK(message_of(std::string(3u << 20, '#'), {2u << 20, 100, 4}) ==
        "f.yaml:1:2097153: the YAML is larger than 2 MiB; refusing to read it");
}

TEST_CASE("duplicate keys are refused in every map, with both positions") {
  CHECK(message_of("project: p\nproject: q\n") ==
        "f.yaml:2:1: duplicate key 'project' (first at line 1 column 1)");
  CHECK(message_of("envs:\n  prod: {a: 1}\n  stage: 1\n  prod:\n    b: 2\n") ==
        "f.yaml:4:3: duplicate key 'prod' (first at line 2 column 3)");
  CHECK(message_of("- a: 1\n- a: 2\n") == "(accepted)");  // same key in two maps
}

TEST_CASE("invalid UTF-8 is refused at load time with its position") {
  CHECK(message_of("id: web\nenv:\n  X: \"ab\xff\"\n") ==
        "f.yaml:3:9: invalid UTF-8 (byte 0xff); YAML input must be UTF-8");
  CHECK(message_of("a: \xc3\x28\n") ==
        "f.yaml:1:4: invalid UTF-8 (byte 0xc3); YAML input must be UTF-8");
  // An escape that decodes to a lone surrogate is not UTF-8 either (yaml-cpp refuses it).
  CHECK(message_of("a: \"\\ud800\"\n") == "f.yaml:1:11: invalid YAML: invalid unicode: 55296");
  CHECK(message_of("name: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\n") == "(accepted)");
}

TEST_CASE("find_invalid_utf8 follows RFC 3629") {
  using mctl::core::find_invalid_utf8;
  CHECK(find_invalid_utf8("plain") == std::string_view::npos);
  CHECK(find_invalid_utf8("\xc0\xaf") == 0);          // overlong
  CHECK(find_invalid_utf8("ab\xed\xa0\x80") == 2);    // surrogate
  CHECK(find_invalid_utf8("\xf4\x90\x80\x80") == 0);  // above U+10FFFF
  CHECK(find_invalid_utf8("\xe2\x82") == 0);          // truncated
  CHECK(find_invalid_utf8("\xf0\x9f\x9a\x80") == std::string_view::npos);
}
