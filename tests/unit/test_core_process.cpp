#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/process.hpp"

using namespace mctl::core;

TEST_CASE("a program's output and exit code are captured, with no shell in between") {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  // Arguments are passed as they are: no globbing, no expansion.
  auto echo = run_process({"echo", "$HOME", "*"});
  CHECK(echo.out == "$HOME *\n");
}

TEST_CASE("input is written to the child's stdin") {
  ProcessOptions o;
  o.input = std::string(200'000, 'z');
  auto r = run_process({"wc", "-c"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("200000") != std::string::npos);
}

TEST_CASE("a child that runs too long is stopped with a timeout error") {
  ProcessOptions o;
  o.timeout = std::chrono::milliseconds(200);
  try {
    run_process({"sleep", "5"}, o);
    FAIL("expected a timeout");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::timeout);
  }
}

TEST_CASE("a missing program is an error") {
  CHECK_THROWS_AS(run_process({"/nonexistent/program"}), mctl::Error);
}

TEST_CASE("the working directory can be set") {
  ProcessOptions o;
  o.cwd = "/";
  CHECK(run_process({"pwd"}, o).out == "/\n");
}
