#include "images/tagging.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace mctl::images {

std::size_t parse_tag_length(const std::string& setting) {
  if (setting == "full") return 40;
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(setting, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != setting.size() || setting.empty() || n < 7 || n > 40) {
    throw Error(fmt::format("images.tag_length '{}': expected a number from 7 to 40, or 'full'", setting),
                Exit::usage);
  }
  return static_cast<std::size_t>(n);
}

std::string commit_tag(const core::GitInfo& info, std::size_t length, bool strict, const std::string& dir) {
  if (info.dirty && strict) {
    throw Error(fmt::format("the git work tree {} has uncommitted changes or untracked files, so no commit "
                            "describes this image (--strict; default when CI is set): commit or stash them, "
                            "or add them to .gitignore ('git status' lists them)",
                            dir),
                Exit::usage);
  }
  if (!info.dirty_known && strict) {
    throw Error(fmt::format("cannot tell whether the git work tree {} has uncommitted changes (git is not installed), "
                            "so no commit is known to describe this image (--strict; default when CI is set): "
                            "install git, or set MCTL_GIT_SHA to the commit that was checked out",
                            dir),
                Exit::usage);
  }
  return core::git_tag(info, length);
}

}  // namespace mctl::images
