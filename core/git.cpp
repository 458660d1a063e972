#include "core/git.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"

namespace mctl::core {
namespace {

std::string git(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.timeout = std::chrono::seconds(30);
  ProcessResult r;
  try {
    r = run_process(argv, options);
  } catch (const Error& e) {
    throw Error(fmt::format("cannot read git state of {}: {}", dir.string(), e.what()));
  }
  if (r.exit_code != 0) {
    throw Error(fmt::format("cannot read git state of {}: git {} failed: {}", dir.string(), args.front(),
                            trim(r.err)));
  }
  return r.out;
}

}  // namespace

GitInfo git_info(const std::filesystem::path& dir) {
  GitInfo info;
  info.sha = trim(git(dir, {"rev-parse", "--verify", "HEAD"}));
  info.branch = trim(git(dir, {"rev-parse", "--abbrev-ref", "HEAD"}));
  // --porcelain lists tracked changes and untracked files that are not ignored.
  info.dirty = !trim(git(dir, {"status", "--porcelain", "--untracked-files=normal"})).empty();
  return info;
}

std::string git_tag(const GitInfo& info, std::size_t length) {
  std::string tag = (length == 0 || length >= info.sha.size()) ? info.sha : info.sha.substr(0, length);
  if (info.dirty) tag += "-dirty";
  return tag;
}

}  // namespace mctl::core
