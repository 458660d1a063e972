#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "core/json.hpp"

using mctl::core::parse_json;

namespace {

std::pair<std::string, mctl::Exit> failure(const std::string& text, const std::string& what,
                                           mctl::Exit exit,
                                           const mctl::core::JsonLimits& limits = {}) {
  try {
    parse_json(text, what, exit, limits);
  } catch (const mctl::Error& e) {
    return {e.what(), e.exit_code()};
  }
  return {"(accepted)", mctl::Exit::ok};
}

}  // namespace

TEST_CASE("a JSON file that is not JSON is exit 2 at file:line:col") {
  const auto [message, exit] =
      failure("{\n  \"id\": \"web\",\n  \"cpus\": x\n}\n", "app.json", mctl::Exit::usage);
  CHECK(
      message ==
      "app.json:3:11: invalid JSON: syntax error while parsing value - invalid literal; last read: "
      "'\"cpus\": x'");
  CHECK(exit == mctl::Exit::usage);
}

TEST_CASE("a remote answer nested too deep is exit 3 naming the endpoint, before it is built") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto [message, exit] =
      failure(deep, "Marathon answer from http://m:8080/v2/apps", mctl::Exit::remote);
  CHECK(
      message ==
      "Marathon answer from http://m:8080/v2/apps: JSON nested more than 128 levels deep (line 1, "
      "column 129)");
  CHECK(exit == mctl::Exit::remote);
  // Brackets inside strings do not count.
  CHECK(parse_json("{\"a\": \"[[[[[[\"}", "x", mctl::Exit::remote, {1024, 2})["a"] == "[[[[[[");
}

TEST_CASE("a remote answer larger than the limit is refused") {
  const auto [message, exit] = failure("[1, 2, 3, 4]", "registry answer from http://r/v2/_catalog",
                                       mctl::Exit::remote, {8, 128});
  CHECK(message ==
        "registry answer from http://r/v2/_catalog: JSON larger than 8 bytes; refusing to read it "
        "(line 1, "
        "column 9)");
  CHECK(exit == mctl::Exit::remote);
}

TEST_CASE("try_parse_json gives a discarded value for text that is not JSON") {
  CHECK(mctl::core::try_parse_json("<html>", "x").is_discarded());
  CHECK(mctl::core::try_parse_json("{\"a\":1}", "x")["a"] == 1);
}

TEST_CASE("invalid_utf8_pointer names the first string dump() would refuse") {
  nlohmann::json v = {{"env", {{"A", "ok"}, {"B/x", std::string("bad\xff")}}}, {"args", {"x"}}};
  CHECK(mctl::core::invalid_utf8_pointer(v) == "/env/B~1x");
  v["env"]["B/x"] = "fine";
  CHECK_FALSE(mctl::core::invalid_utf8_pointer(v).has_value());
}
