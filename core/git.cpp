#include "core/git.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"

namespace fs = std::filesystem;

namespace mctl::core {
namespace {

// git's own limit on chains of symbolic refs (refs/files-backend.c SYMREF_MAXDEPTH).
constexpr int k_max_symref_depth = 5;

Error git_error(const fs::path& dir, const std::string& why) {
  return Error(fmt::format("cannot read git state of {}: {}", dir.string(), why));
}

bool is_commit_id(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<std::string> read_if_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return read_file(file);
}

// The repository's directories: `git` holds HEAD (per work tree), `common` the shared refs.
struct Repository {
  fs::path git;
  fs::path common;
};

// "gitdir: PATH" in a .git file (worktrees, submodules), PATH relative to the file's folder.
fs::path gitdir_of_file(const fs::path& dot_git) {
  const std::string text = trim(read_file(dot_git));
  constexpr std::string_view prefix = "gitdir:";
  if (!starts_with(text, prefix))
    throw git_error(dot_git.parent_path(),
                    fmt::format("{} has no 'gitdir:' line", dot_git.string()));
  const fs::path target = trim(std::string_view(text).substr(prefix.size()));
  return target.is_absolute() ? target : dot_git.parent_path() / target;
}

Repository find_repository(const fs::path& dir) {
  std::error_code ec;
  fs::path at = fs::absolute(dir, ec);
  if (ec) throw git_error(dir, ec.message());
  for (;; at = at.parent_path()) {
    const auto dot_git = at / ".git";
    Repository repo;
    if (fs::is_directory(dot_git, ec))
      repo.git = dot_git;
    else if (fs::is_regular_file(dot_git, ec))
      repo.git = gitdir_of_file(dot_git);
    if (!repo.git.empty()) {
      const auto common = read_if_file(repo.git / "commondir");
      repo.common = !common                                 ? repo.git
                    : fs::path(trim(*common)).is_absolute() ? fs::path(trim(*common))
                                                            : repo.git / trim(*common);
      if (!fs::is_regular_file(repo.git / "HEAD", ec))
        throw git_error(dir, fmt::format("{} has no HEAD", repo.git.string()));
      if (fs::exists(repo.common / "reftable", ec)) {
        throw git_error(dir,
                        "its refs are in the reftable format, which mctl reads only through git; "
                        "set MCTL_GIT_SHA");
      }
      return repo;
    }
    if (at == at.parent_path()) break;
  }
  throw git_error(dir, "not inside a git work tree (no .git in it or above it)");
}

// A ref name git could have written (refs/..., or HEAD): no way out of the repository.
bool valid_ref_name(std::string_view name) {
  if (name != "HEAD" && !starts_with(name, "refs/")) return false;
  return name.find("..") == std::string_view::npos && name.find('\\') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

// Refs of one work tree live in its own git dir; the rest in the common dir.
fs::path ref_file(const Repository& repo, std::string_view name) {
  const bool own = name == "HEAD" || starts_with(name, "refs/worktree/") ||
                   starts_with(name, "refs/bisect/") || starts_with(name, "refs/rewritten/");
  return (own ? repo.git : repo.common) / std::string(name);
}

// packed-refs: "# pack-refs with: ..." header, "<id> <name>" lines, "^<id>" peeled tags.
std::optional<std::string> packed_ref(const Repository& repo, std::string_view name) {
  const auto text = read_if_file(repo.common / "packed-refs");
  if (!text) return std::nullopt;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto end = std::min(rest.find('\n'), rest.size());
    const auto line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    const auto space = line.find(' ');
    if (line.empty() || line[0] == '#' || line[0] == '^' || space == std::string_view::npos)
      continue;
    if (line.substr(space + 1) == name) return std::string(line.substr(0, space));
  }
  return std::nullopt;
}

// The commit a ref names (following "ref: " links), or nullopt for a branch with no commit yet.
std::optional<std::string> resolve(const Repository& repo, const fs::path& dir,
                                   std::string_view name, int depth) {
  if (depth > k_max_symref_depth)
    throw git_error(dir, fmt::format("the symbolic ref chain at {} is too long", name));
  if (!valid_ref_name(name)) throw git_error(dir, fmt::format("'{}' is not a ref name", name));
  std::optional<std::string> id;
  if (const auto loose = read_if_file(ref_file(repo, name))) {
    const std::string text = trim(*loose);
    if (starts_with(text, "ref:"))
      return resolve(repo, dir, trim(std::string_view(text).substr(4)), depth + 1);
    id = text;
  } else {
    id = packed_ref(repo, name);
  }
  if (id && !is_commit_id(*id))
    throw git_error(dir, fmt::format("{} does not hold a commit id", name));
  return id;
}

// git status --porcelain when git is installed; nullopt when it is not.
std::optional<bool> dirty_by_git(const fs::path& dir) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(30);
  const auto r = run_process(
      {"git", "-C", dir.string(), "status", "--porcelain", "--untracked-files=normal"}, options);
  // 127 with nothing said: the program could not be started (core/process.cpp).
  if (r.exit_code == 127 && r.err.empty()) return std::nullopt;
  if (r.exit_code != 0) throw git_error(dir, fmt::format("git status failed: {}", trim(r.err)));
  // --porcelain lists tracked changes and untracked files that are not ignored.
  return !trim(r.out).empty();
}

}  // namespace

GitHead read_git_head(const fs::path& dir) {
  const auto repo = find_repository(dir);
  const std::string head = trim(read_file(repo.git / "HEAD"));
  GitHead out;
  out.branch = "HEAD";
  if (starts_with(head, "ref:")) {
    const std::string target = trim(std::string_view(head).substr(4));
    if (starts_with(target, "refs/heads/"))
      out.branch = target.substr(11);
    else
      out.branch = target;
  }
  const auto id = resolve(repo, dir, "HEAD", 0);
  if (!id) throw git_error(dir, fmt::format("branch '{}' has no commit yet", out.branch));
  out.sha = *id;
  return out;
}

GitInfo git_info(const fs::path& dir, const std::optional<std::string>& explicit_sha) {
  GitInfo info;
  if (explicit_sha) {
    if (!is_commit_id(*explicit_sha)) {
      throw Error(
          fmt::format("MCTL_GIT_SHA '{}' is not a full commit id (40 or 64 lowercase hex digits)",
                      *explicit_sha),
          Exit::usage);
    }
    info.sha = *explicit_sha;
    info.branch = "HEAD";
    try {
      info.branch = read_git_head(dir).branch;
    } catch (const Error&) {
      // No repository needed when the commit is given: the branch stays "HEAD".
    }
    return info;
  }
  const auto head = read_git_head(dir);
  info.sha = head.sha;
  info.branch = head.branch;
  const auto dirty = dirty_by_git(dir);
  info.dirty = dirty.value_or(false);
  info.dirty_known = dirty.has_value();
  if (!dirty) {
    log::warn(
        "git is not installed: whether {} has uncommitted changes is unknown, so tags are the "
        "commit's "
        "without -dirty (set MCTL_GIT_SHA to name the commit explicitly)",
        dir.string());
  }
  return info;
}

std::string git_tag(const GitInfo& info, std::size_t length) {
  std::string tag =
      (length == 0 || length >= info.sha.size()) ? info.sha : info.sha.substr(0, length);
  if (info.dirty) tag += "-dirty";
  return tag;
}

}  // namespace mctl::core
