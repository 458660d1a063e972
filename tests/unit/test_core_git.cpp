// The .git reader: HEAD's commit and branch from the files git writes, without the git program
// (loose and packed refs, detached HEAD, worktrees and submodules' "gitdir:" files). The
// layouts are git's on-disk format (gitrepository-layout(5)); tests/integration/test_render_git.sh
// checks the same against repositories made by real git.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/git.hpp"
#include "temp_dir.hpp"

using namespace mctl::core;
namespace fs = std::filesystem;

namespace {

const std::string k_sha1 = "0123456789abcdef0123456789abcdef01234567";
const std::string k_sha2 = "89abcdef0123456789abcdef0123456789abcdef";

using mctl::test::TempDir;

void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// A repository at `top` whose HEAD file holds `head`.
fs::path repo(const fs::path& top, const std::string& head) {
  put(top / ".git" / "HEAD", head);
  fs::create_directories(top / ".git" / "refs" / "heads");
  return top / ".git";
}

std::string error_of(const fs::path& dir) {
  try {
    read_git_head(dir);
  } catch (const mctl::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a branch in a loose ref, read from a folder deep inside the work tree") {
  TempDir t;
  const auto git = repo(t.path, "ref: refs/heads/main\n");
  put(git / "refs/heads/main", k_sha1 + "\n");
  fs::create_directories(t.path / "apps" / "deep");
  const auto head = read_git_head(t.path / "apps" / "deep");
  CHECK(head.sha == k_sha1);
  CHECK(head.branch == "main");
}

TEST_CASE("a packed ref (after git pack-refs or a clone); a loose ref beats the packed one") {
  TempDir t;
  const auto git = repo(t.path, "ref: refs/heads/feature/x\n");
  put(git / "packed-refs", "# pack-refs with: peeled fully-peeled sorted \n" + k_sha2 +
                               " refs/heads/feature\n" + k_sha1 + " refs/heads/feature/x\n" +
                               k_sha2 + " refs/tags/v1\n^" + k_sha1 + "\n");
  auto head = read_git_head(t.path);
  CHECK(head.sha == k_sha1);
  CHECK(head.branch == "feature/x");
  put(git / "refs/heads/feature/x", k_sha2 + "\n");  // a commit made after the refs were packed
  CHECK(read_git_head(t.path).sha == k_sha2);
}

TEST_CASE("a detached HEAD holds the commit itself; the branch is HEAD") {
  TempDir t;
  repo(t.path, k_sha1 + "\n");
  const auto head = read_git_head(t.path);
  CHECK(head.sha == k_sha1);
  CHECK(head.branch == "HEAD");
}

TEST_CASE("a SHA-256 repository's 64-digit ids, and a chain of symbolic refs") {
  TempDir t;
  const auto git = repo(t.path, "ref: refs/heads/alias\n");
  put(git / "refs/heads/alias", "ref: refs/heads/main\n");
  put(git / "refs/heads/main", k_sha1 + k_sha2.substr(0, 24) + "\n");
  CHECK(read_git_head(t.path).sha == k_sha1 + k_sha2.substr(0, 24));
}

TEST_CASE("a worktree: .git is a file naming its git dir, whose commondir holds the branches") {
  TempDir t;
  const auto main_git = repo(t.path / "main", "ref: refs/heads/main\n");
  put(main_git / "refs/heads/main", k_sha1 + "\n");
  put(main_git / "packed-refs", k_sha2 + " refs/heads/topic\n");
  const auto wt_git = main_git / "worktrees" / "topic";
  put(wt_git / "HEAD", "ref: refs/heads/topic\n");
  put(wt_git / "commondir", "../..\n");
  put(t.path / "topic" / ".git", "gitdir: " + wt_git.string() + "\n");
  const auto head = read_git_head(t.path / "topic");
  CHECK(head.sha == k_sha2);
  CHECK(head.branch == "topic");
  CHECK(read_git_head(t.path / "main").branch == "main");  // the main work tree keeps its own HEAD
}

TEST_CASE("a submodule: a relative gitdir: path, from the .git file's folder") {
  TempDir t;
  const auto modules = t.path / ".git" / "modules" / "lib";
  put(modules / "HEAD", k_sha2 + "\n");
  put(t.path / "lib" / ".git", "gitdir: ../.git/modules/lib\n");
  CHECK(read_git_head(t.path / "lib").sha == k_sha2);
}

TEST_CASE("no repository, a branch with no commit, and refs git never writes are clear errors") {
  TempDir t;
  fs::create_directories(t.path / "plain");
  CHECK(error_of(t.path / "plain").find("not inside a git work tree (no .git in it or above it)") !=
        std::string::npos);

  const auto git = repo(t.path / "new", "ref: refs/heads/main\n");
  CHECK(error_of(t.path / "new") == "cannot read git state of " + (t.path / "new").string() +
                                        ": branch 'main' has no commit yet");

  put(git / "HEAD", "ref: refs/heads/../../../../etc/passwd\n");
  CHECK(error_of(t.path / "new").find("is not a ref name") != std::string::npos);
  put(git / "HEAD", "ref: refs/heads/main\n");
  put(git / "refs/heads/main", "not a commit\n");
  CHECK(error_of(t.path / "new").find("refs/heads/main does not hold a commit id") !=
        std::string::npos);
  put(git / "refs/heads/main", "ref: refs/heads/main\n");
  CHECK(error_of(t.path / "new").find("chain at refs/heads/main is too long") != std::string::npos);
  put(t.path / "bad" / ".git", "not a gitdir line\n");
  CHECK(error_of(t.path / "bad").find("has no 'gitdir:' line") != std::string::npos);
}

TEST_CASE(
    "MCTL_GIT_SHA names the commit without a repository; anything but a full id is bad input") {
  TempDir t;
  auto info = git_info(t.path, k_sha1);
  CHECK(info.sha == k_sha1);
  CHECK(info.branch == "HEAD");
  CHECK_FALSE(info.dirty);
  CHECK(info.dirty_known);
  const auto git = repo(t.path, "ref: refs/heads/release\n");
  put(git / "refs/heads/release", k_sha2 + "\n");
  info = git_info(t.path, k_sha1);
  CHECK(info.sha == k_sha1);  // the explicit commit wins over HEAD
  CHECK(info.branch == "release");
  for (const std::string bad :
       {"0123456", "0123456789ABCDEF0123456789ABCDEF01234567", "", "main"}) {
    CAPTURE(bad);
    try {
      git_info(t.path, bad);
      FAIL("expected an error");
    } catch (const mctl::Error& e) {
      CHECK(e.exit_code() == mctl::Exit::usage);
      CHECK(std::string(e.what()).find("MCTL_GIT_SHA '" + bad + "' is not a full commit id") !=
            std::string::npos);
    }
  }
}
