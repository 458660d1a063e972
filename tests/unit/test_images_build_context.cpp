#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "images/build_context.hpp"
#include "temp_dir.hpp"

using namespace mctl::images;
namespace fs = std::filesystem;

namespace {

struct ContextDir : mctl::test::TempDir {
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    mctl::core::write_file_atomic(path / rel, text, 0644);
  }
};

// The member names as GNU tar lists them.
std::set<std::string> tar_names(const std::string& tar) {
  const auto r = mctl::core::run_process({"tar", "-tf", "-"}, {.input = tar});
  REQUIRE(r.exit_code == 0);
  std::set<std::string> names;
  for (std::size_t start = 0, end; (end = r.out.find('\n', start)) != std::string::npos; start = end + 1) {
    names.insert(r.out.substr(start, end - start));
  }
  return names;
}

}  // namespace

TEST_CASE(".dockerignore patterns follow Docker's rules") {
  const auto ignore = DockerIgnore::parse("# comment\n*.log\n/build\nnode_modules\n**/*.tmp\n!keep.log\ndocs/*.md\n");
  CHECK(ignore.excluded("app.log"));
  CHECK_FALSE(ignore.excluded("keep.log"));
  CHECK_FALSE(ignore.excluded("src/app.log"));  // '*' does not cross '/'
  CHECK(ignore.excluded("build/out/x.o"));       // a matched directory excludes all below
  CHECK(ignore.excluded("node_modules"));
  CHECK(ignore.excluded("a/b/c.tmp"));
  CHECK(ignore.excluded("c.tmp"));              // '**' matches zero directories too
  CHECK(ignore.excluded("docs/readme.md"));
  CHECK_FALSE(ignore.excluded("docs/sub/readme.md"));
  CHECK_FALSE(ignore.excluded("src/main.cpp"));
}

TEST_CASE("the build context leaves out ignored files but always holds the Dockerfile") {
  ContextDir dir;
  dir.write("Dockerfile", "FROM scratch\n");
  dir.write(".dockerignore", "secrets\n*.log\nDockerfile\n.git\n");
  dir.write("app/main.py", "print(1)\n");
  dir.write("app/debug.log", "x\n");
  dir.write("top.log", "x\n");
  dir.write("secrets/prod.key", "KEY\n");
  dir.write(".git/HEAD", "ref\n");
  const auto names = tar_names(build_context_tar(dir.path, "Dockerfile"));
  CHECK(names.count("Dockerfile") == 1);
  CHECK(names.count(".dockerignore") == 1);
  CHECK(names.count("app/main.py") == 1);
  CHECK(names.count("app/debug.log") == 1);  // as in Docker: "*.log" names the root only
  CHECK(names.count("top.log") == 0);
  CHECK(names.count("secrets/prod.key") == 0);
  CHECK(names.count("secrets/") == 0);
  CHECK(names.count("app/") == 1);  // directories carry their trailing slash, as tar writes them
  CHECK(names.count(".git/HEAD") == 0);
}

TEST_CASE("an exception brings a file back from an excluded directory") {
  ContextDir dir;
  dir.write("Dockerfile", "FROM scratch\n");
  dir.write(".dockerignore", "assets\n!assets/logo.png\n");
  dir.write("assets/logo.png", "png");
  dir.write("assets/big.psd", "psd");
  const auto files = build_context_files(dir.path, "Dockerfile");
  CHECK(std::find(files.begin(), files.end(), std::string("assets/logo.png")) != files.end());
  CHECK(std::find(files.begin(), files.end(), std::string("assets/big.psd")) == files.end());
}

TEST_CASE("a missing context directory is a usage error naming it") {
  CHECK_THROWS_WITH_AS(build_context_tar("/nonexistent/ctx", "Dockerfile"),
                       "building the image: the context /nonexistent/ctx is not a directory", mctl::Error);
}

TEST_CASE("--build-arg takes NAME=VALUE, or NAME alone from the environment, as docker build does") {
  const EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HTTP_PROXY") return std::string("http://proxy:3128");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  const auto args = parse_build_args({"VERSION=2", "EQ=a=b", "BLANK=", "HTTP_PROXY", "EMPTY", "UNSET"}, env);
  const std::map<std::string, std::string> want{{"VERSION", "2"}, {"EQ", "a=b"}, {"BLANK", ""},
                                                {"HTTP_PROXY", "http://proxy:3128"}, {"EMPTY", ""}};
  CHECK(args == want);
  // The last of a name wins, also when it is unset there.
  CHECK(parse_build_args({"V=1", "V=2"}, env).at("V") == "2");
  CHECK(parse_build_args({"UNSET=1", "UNSET"}, env).count("UNSET") == 0);
  try {
    parse_build_args({"=value"}, env);
    FAIL("an empty name was accepted");
  } catch (const mctl::Error& e) {
    CHECK(e.exit_code() == mctl::Exit::usage);
    CHECK(std::string(e.what()).find("'=value'") != std::string::npos);
  }
}
