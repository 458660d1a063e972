#include <doctest/doctest.h>

#include "core/duration.hpp"
#include "core/error.hpp"

using namespace mctl::core;
using std::chrono::milliseconds;

TEST_CASE("durations parse with units and combinations") {
  CHECK(parse_duration("90s") == milliseconds(90'000));
  CHECK(parse_duration("10m") == milliseconds(600'000));
  CHECK(parse_duration("1h30m") == milliseconds(5'400'000));
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("2d") == milliseconds(172'800'000));
  CHECK(parse_duration("45") == milliseconds(45'000));
}

TEST_CASE("bad durations are usage errors naming the text") {
  CHECK_THROWS_WITH_AS(parse_duration("10x"),
                       "invalid duration '10x': unknown unit 'x' (use e.g. 90s, 10m, 1h30m)",
                       mctl::Error);
  CHECK_THROWS_WITH_AS(parse_duration(""), "invalid duration '': empty (use e.g. 90s, 10m, 1h30m)",
                       mctl::Error);
  CHECK_THROWS_WITH_AS(parse_duration("m5"),
                       "invalid duration 'm5': expected a number (use e.g. 90s, 10m, 1h30m)", mctl::Error);
  CHECK_THROWS_WITH_AS(parse_duration("1h30"),
                       "invalid duration '1h30': missing unit (use e.g. 90s, 10m, 1h30m)", mctl::Error);
  try {
    parse_duration("abc");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
  }
}

TEST_CASE("durations format back in the shortest form") {
  CHECK(format_duration(milliseconds(5'400'000)) == "1h30m");
  CHECK(format_duration(milliseconds(90'000)) == "1m30s");
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(milliseconds(1'500)) == "1.500s");
}
