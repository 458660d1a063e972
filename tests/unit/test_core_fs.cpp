#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "temp_dir.hpp"

using namespace mctl::core;
namespace fs = std::filesystem;

namespace {
using mctl::test::TempDir;
std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}
mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}
}  // namespace

TEST_CASE("an atomic write creates a new file with mode 0600 and leaves no temp file") {
  TempDir dir;
  const auto file = dir.path / "secret.yml";
  write_file_atomic(file, "hello\n");
  CHECK(read_file(file) == "hello\n");
  CHECK(mode_of(file) == 0600);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("an atomic write keeps an existing file's mode, unless a mode is forced") {
  TempDir dir;
  const auto file = dir.path / "app.json";
  std::ofstream(file) << "old";
  fs::permissions(file, fs::perms(0640));
  write_file_atomic(file, "new");
  CHECK(read_file(file) == "new");
  CHECK(mode_of(file) == 0640);
  write_file_atomic(file, "newer", 0600, 0644);
  CHECK(mode_of(file) == 0644);
}

TEST_CASE("a failed atomic write leaves the target untouched") {
  TempDir dir;
  const auto file = dir.path / "missing-dir" / "x";
  CHECK_THROWS_AS(write_file_atomic(file, "data"), mctl::Error);
  CHECK_FALSE(fs::exists(file));
}

TEST_CASE("an atomic write through a symlink replaces the real file and keeps the link") {
  TempDir dir;
  const auto real = dir.path / "real.yml";
  std::ofstream(real) << "old";
  fs::permissions(real, fs::perms(0640));
  fs::create_symlink("real.yml", dir.path / "link.yml");
  write_file_atomic(dir.path / "link.yml", "new");
  CHECK(fs::is_symlink(dir.path / "link.yml"));
  CHECK(fs::read_symlink(dir.path / "link.yml") == "real.yml");
  CHECK(read_file(real) == "new");
  CHECK(mode_of(real) == 0640);
  CHECK(entries(dir.path) == 2);
}

TEST_CASE("a chain of relative links across directories: the temp file is beside the real file") {
  TempDir dir;
  fs::create_directories(dir.path / "secrets");
  fs::create_directories(dir.path / "env");
  std::ofstream(dir.path / "secrets" / "prod.yml") << "old";
  fs::create_symlink("../secrets/prod.yml", dir.path / "env" / "hop.yml");
  fs::create_symlink("env/hop.yml", dir.path / "vault.yml");
  AtomicFile file(dir.path / "vault.yml");
  CHECK(file.resolved() == dir.path / "env" / ".." / "secrets" / "prod.yml");
  CHECK(entries(dir.path / "secrets") == 2);  // the temp file lives beside prod.yml
  file.write("new");
  file.commit();
  CHECK(read_file(dir.path / "secrets" / "prod.yml") == "new");
  CHECK(fs::is_symlink(dir.path / "vault.yml"));
  CHECK(fs::is_symlink(dir.path / "env" / "hop.yml"));
  CHECK(entries(dir.path / "secrets") == 1);
}

TEST_CASE("a dangling link is followed: its target is created, the link stays") {
  TempDir dir;
  fs::create_symlink("made.json", dir.path / "out.json");
  write_file_atomic(dir.path / "out.json", "{}");
  CHECK(fs::is_symlink(dir.path / "out.json"));
  CHECK(read_file(dir.path / "made.json") == "{}");
  CHECK(mode_of(dir.path / "made.json") == 0600);
}

TEST_CASE("targets that cannot be replaced safely are refused with exit 2 and nothing written") {
  TempDir dir;
  auto exit_of = [](const fs::path& p) {
    try {
      write_file_atomic(p, "data");
    } catch (const mctl::Error& e) {
      return e.exit_code();
    }
    return mctl::Exit::ok;
  };
  fs::create_directories(dir.path / "adir");
  CHECK(exit_of(dir.path / "adir") == mctl::Exit::usage);
  fs::create_symlink("adir", dir.path / "dirlink");
  CHECK(exit_of(dir.path / "dirlink") == mctl::Exit::usage);
  REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
  CHECK(exit_of(dir.path / "fifo") == mctl::Exit::usage);
  fs::create_symlink("loop-b", dir.path / "loop-a");
  fs::create_symlink("loop-a", dir.path / "loop-b");
  CHECK(exit_of(dir.path / "loop-a") == mctl::Exit::usage);
  CHECK(exit_of(dir.path / "missing-dir" / "x") == mctl::Exit::usage);
  CHECK(entries(dir.path) == 5);
  CHECK(entries(dir.path / "adir") == 0);
}

TEST_CASE("an atomic file that is never committed leaves the target untouched and no temp file") {
  TempDir dir;
  const auto file = dir.path / "app.json";
  std::ofstream(file) << "old";
  {
    AtomicFile out(file);
    out.write("half of the new con");
    CHECK(entries(dir.path) == 2);
  }
  CHECK(read_file(file) == "old");
  CHECK(entries(dir.path) == 1);
}

TEST_CASE(
    "temp files of a writer that died are removed at the next write; a live writer's are kept") {
  TempDir dir;
  const auto file = dir.path / "app.json";
  std::ofstream(file) << "old";
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  REQUIRE(dead > 0);
  int status = 0;
  ::waitpid(dead, &status, 0);
  std::ofstream(dir.path / (".app.json.mctl-tmp." + std::to_string(dead) + ".abcdef")) << "stale";
  const auto live = dir.path / (".app.json.mctl-tmp." + std::to_string(::getpid()) + ".zzzzzz");
  std::ofstream(live) << "in progress";
  write_file_atomic(file, "new");
  CHECK(read_file(file) == "new");
  CHECK(fs::exists(live));
  CHECK(entries(dir.path) == 2);
}

TEST_CASE("an atomic write keeps the owner and group (when running as root)") {
  TempDir dir;
  const auto file = dir.path / "owned.yml";
  std::ofstream(file) << "old";
  const bool root = ::geteuid() == 0;
  const uid_t uid = root ? 65534 : ::geteuid();
  const gid_t gid = root ? 65534 : ::getegid();
  REQUIRE(::chown(file.c_str(), uid, gid) == 0);
  write_file_atomic(file, "new");
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK(st.st_uid == uid);
  CHECK(st.st_gid == gid);
}

TEST_CASE("reading a missing file names it") {
  CHECK_THROWS_WITH_AS(read_file("/nonexistent/mctl.yaml"),
                       "cannot read /nonexistent/mctl.yaml: No such file or directory",
                       mctl::Error);
}

TEST_CASE("a missing or unreadable input file is bad input (exit 2)") {
  TempDir dir;
  for (const auto& path : {dir.path / "missing.yaml", dir.path}) {  // a directory cannot be read
    try {
      read_file(path);
      FAIL("expected an error for " << path);
    } catch (const mctl::Error& e) {
      CHECK(e.exit_code() == mctl::Exit::usage);
    }
  }
}

TEST_CASE("find_upward walks parent directories") {
  TempDir dir;
  fs::create_directories(dir.path / "a" / "b");
  std::ofstream(dir.path / "mctl.yaml") << "";
  CHECK(find_upward(dir.path / "a" / "b", "mctl.yaml") == dir.path / "mctl.yaml");
  CHECK_FALSE(find_upward(dir.path / "a", "nothing-here.yaml").has_value());
}
