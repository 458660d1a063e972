#pragma once
// Facts about the git work tree a command runs in (for image tags and render built-ins).
#include <filesystem>
#include <optional>
#include <string>

namespace mctl::core {

struct GitInfo {
  std::string sha;        // full 40-hex commit of HEAD
  std::string branch;     // current branch, or "HEAD" when detached
  bool dirty = false;     // tracked changes, or untracked files git does not ignore
};

// Reads HEAD's commit, branch and dirtiness by running git in `dir`. Throws Error when `dir`
// is not inside a git work tree or git is missing.
GitInfo git_info(const std::filesystem::path& dir);

// The tag for a commit: the first `length` hex digits (length 0 or >= 40: all), with
// "-dirty" appended for a dirty tree.
std::string git_tag(const GitInfo& info, std::size_t length);

}  // namespace mctl::core
