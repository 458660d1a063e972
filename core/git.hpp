#pragma once
// Facts about the git work tree a command runs in (for image tags and render built-ins).
#include <filesystem>
#include <optional>
#include <string>

namespace mctl::core {

struct GitInfo {
  std::string sha;          // full commit id of HEAD (40 hex, or 64 in a SHA-256 repository)
  std::string branch;       // current branch, or "HEAD" when detached
  bool dirty = false;       // tracked changes, or untracked files git does not ignore
  bool dirty_known = true;  // false: git is not installed, so changes could not be looked for
};

// HEAD of the repository that contains `dir`, read from its files without running git: .git
// (a directory, or a file "gitdir: PATH" as in worktrees and submodules), HEAD, loose refs, and
// packed-refs in the common directory. Throws Error when there is no repository, HEAD names a
// branch with no commit yet, or the files are not what git writes.
struct GitHead {
  std::string sha;
  std::string branch;  // "HEAD" when detached
};
GitHead read_git_head(const std::filesystem::path& dir);

// HEAD's commit and branch, and whether the tree is dirty. `explicit_sha` (MCTL_GIT_SHA, the CI
// convention) names the commit instead of HEAD and is taken as clean; else the commit comes
// from read_git_head and dirtiness from `git status` (unknown, with a warning, when git is not
// installed). Throws Error when neither names a commit, or git fails.
GitInfo git_info(const std::filesystem::path& dir, const std::optional<std::string>& explicit_sha);

// The tag for a commit: the first `length` hex digits (length 0 or >= the id's length: all),
// with "-dirty" appended for a dirty tree.
std::string git_tag(const GitInfo& info, std::size_t length);

}  // namespace mctl::core
