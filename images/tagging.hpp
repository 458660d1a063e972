#pragma once
// Image tags from git commits: the commit hash of HEAD, "-dirty" for a dirty tree.
#include <cstddef>
#include <string>

#include "core/git.hpp"

namespace mctl::images {

// Parses images.tag_length: a number from 7 to 40, or "full" (40). Throws Error(Exit::usage)
// naming the value otherwise.
std::size_t parse_tag_length(const std::string& setting);

// The tag for the work tree: git_tag(info, length). With `strict`, a dirty tree, or one whose
// dirtiness is unknown (no git program), is an Error(Exit::usage) naming `dir` instead of a
// "-dirty" tag (a CI build must never publish an image that no commit describes).
std::string commit_tag(const core::GitInfo& info, std::size_t length, bool strict, const std::string& dir);

}  // namespace mctl::images
