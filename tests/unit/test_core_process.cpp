#include <doctest/doctest.h>
#include <pthread.h>

#include <csignal>
#include <string>

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

TEST_CASE("a child that exits without reading its input: no SIGPIPE, and the process-wide action is left alone") {
  struct sigaction before {};
  sigaction(SIGPIPE, nullptr, &before);
  REQUIRE(bool(before.sa_handler == SIG_DFL));  // the test binary's default: a stray SIGPIPE would kill it
  ProcessOptions o;
  o.input = std::string(4'000'000, 'z');  // more than a pipe holds: the writer meets the closed end
  const auto r = run_process({"true"}, o);
  CHECK(r.exit_code == 0);
  struct sigaction after {};
  sigaction(SIGPIPE, nullptr, &after);
  CHECK(bool(after.sa_handler == SIG_DFL));  // was SIG_IGN for the rest of the process
  sigset_t pending;
  sigpending(&pending);
  CHECK(sigismember(&pending, SIGPIPE) == 0);  // the one the write raised was consumed
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  CHECK(sigismember(&mask, SIGPIPE) == 0);  // and the thread's mask is back
}

TEST_CASE("a working directory that cannot be entered is an error naming it, not 'program not found'") {
  ProcessOptions o;
  o.cwd = "/nonexistent/dir";
  try {
    run_process({"pwd"}, o);
    FAIL("ran in a directory that does not exist");
  } catch (const mctl::Error& e) {
    CHECK(std::string(e.what()).find("/nonexistent/dir") != std::string::npos);
  }
}

TEST_CASE("a program not in PATH is exit code 127 with nothing said, as a shell reports it") {
  const auto r = run_process({"mctl-test-no-such-program"});
  CHECK(r.exit_code == 127);
  CHECK(r.out.empty());
}

TEST_CASE("a child starts with no signal blocked, whatever the calling thread blocks") {
  // A child that inherited a blocked SIGINT would outlive the user's Ctrl-C.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  const auto r = run_process({"grep", "^SigBlk:", "/proc/self/status"});
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "SigBlk:\t0000000000000000\n");
}
