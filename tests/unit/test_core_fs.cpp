#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/fs.hpp"

using namespace mctl::core;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mctl-fs-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};
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

TEST_CASE("reading a missing file names it") {
  CHECK_THROWS_WITH_AS(read_file("/nonexistent/mctl.yaml"),
                       "cannot read /nonexistent/mctl.yaml: No such file or directory", mctl::Error);
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
