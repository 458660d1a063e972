#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.hpp"
#include "local/lock.hpp"

using mctl::local::lock_file_name;
using mctl::local::ProjectLock;
using namespace std::chrono_literals;

namespace {
std::filesystem::path temp_dir() {
  auto dir =
      std::filesystem::temp_directory_path() / ("mctl-lock-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("project lock: a second holder waits, names the first, and times out") {
  const auto dir = temp_dir();
  const auto soon = [] { return std::chrono::steady_clock::now() + 150ms; };
  long told = -1;
  {
    auto first = ProjectLock::acquire(dir, "unix:///d.sock", "web", soon(), nullptr, {});
    try {
      ProjectLock::acquire(dir, "unix:///d.sock", "web", soon(), nullptr,
                           [&](long pid) { told = pid; });
      FAIL("the second acquire did not wait");
    } catch (const mctl::Error& e) {
      CHECK(e.exit_code() == mctl::Exit::timeout);
      CHECK(std::string(e.what()).find("another mctl up (pid " + std::to_string(::getpid())) !=
            std::string::npos);
    }
    CHECK(told == ::getpid());
    // Another project, or the same project on another engine, is not held.
    ProjectLock::acquire(dir, "unix:///d.sock", "api", soon(), nullptr, {});
    ProjectLock::acquire(dir, "tcp://127.0.0.1:2375", "web", soon(), nullptr, {});
  }
  ProjectLock::acquire(dir, "unix:///d.sock", "web", soon(), nullptr, {});  // released
  std::filesystem::remove_all(dir);
}

TEST_CASE("project lock: an interrupt ends the wait") {
  const auto dir = temp_dir();
  const auto later = std::chrono::steady_clock::now() + 30s;
  auto first = ProjectLock::acquire(dir, "e", "p", later, nullptr, {});
  std::atomic<bool> interrupted{true};
  CHECK_THROWS_AS(ProjectLock::acquire(dir, "e", "p", later, &interrupted, {}), mctl::Error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("project lock: a symlink in place of the lock file is refused") {
  const auto dir = temp_dir();
  std::filesystem::create_symlink("/etc/passwd", dir / lock_file_name("e", "p"));
  CHECK_THROWS_AS(
      ProjectLock::acquire(dir, "e", "p", std::chrono::steady_clock::now(), nullptr, {}),
      mctl::Error);
  std::filesystem::remove_all(dir);
}
