#include "images/build_context.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/strings.hpp"
#include "images/tar.hpp"

namespace mctl::images {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> clean_segments(std::string_view pattern) {
  std::vector<std::string> out;
  for (auto& part : core::split(pattern, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !out.empty()) {
      out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  return out;
}

bool match_segments(const std::vector<std::string>& pat, std::size_t pi, const std::vector<std::string>& path,
                    std::size_t si) {
  if (pi == pat.size()) return si == path.size();
  if (pat[pi] == "**") {
    return match_segments(pat, pi + 1, path, si) || (si < path.size() && match_segments(pat, pi, path, si + 1));
  }
  if (si == path.size()) return false;
  return fnmatch(pat[pi].c_str(), path[si].c_str(), 0) == 0 && match_segments(pat, pi + 1, path, si + 1);
}

// The tar type of each file type; a socket has none.
std::optional<TarEntry::Type> tar_type(mode_t mode) {
  using T = TarEntry::Type;
  static constexpr std::pair<mode_t, T> k_types[] = {
      {S_IFREG, T::file}, {S_IFDIR, T::directory},   {S_IFLNK, T::symlink},
      {S_IFIFO, T::fifo}, {S_IFCHR, T::char_device}, {S_IFBLK, T::block_device}};
  for (const auto& [type, tar] : k_types) {
    if ((mode & S_IFMT) == type) return tar;
  }
  return std::nullopt;
}

// The tar entry of one file as lstat() sees it (symlinks go in as links, not followed).
TarEntry disk_entry(const fs::path& full, const std::string& rel) {
  struct stat st {};
  if (::lstat(full.c_str(), &st) != 0) {
    throw Error(fmt::format("building the image context: cannot read {}: {}", full.string(),
                            std::strerror(errno)));
  }
  const auto type = tar_type(st.st_mode);
  if (!type)
    throw Error(fmt::format("building the image context: {} is a socket, which tar cannot hold",
                            full.string()));
  TarEntry e{.path = rel, .type = *type, .mode = st.st_mode & 07777U, .mtime = st.st_mtim.tv_sec};
  if (e.type == TarEntry::Type::directory) e.path += '/';
  if (e.type == TarEntry::Type::symlink) e.link = fs::read_symlink(full).string();
  e.dev_major = major(st.st_rdev);
  e.dev_minor = minor(st.st_rdev);
  return e;
}

}  // namespace

DockerIgnore DockerIgnore::parse(const std::string& text) {
  DockerIgnore ignore;
  for (const auto& raw : core::split(text, '\n')) {
    std::string line = core::trim(raw);
    if (line.empty() || line.front() == '#') continue;
    Rule rule;
    if (line.front() == '!') {
      rule.exception = true;
      line = core::trim(line.substr(1));
      ignore.m_has_exceptions = true;
    }
    rule.segments = clean_segments(line);
    if (!rule.segments.empty()) ignore.m_rules.push_back(std::move(rule));
  }
  return ignore;
}

bool DockerIgnore::excluded(const std::string& path) const {
  const auto parts = clean_segments(path);
  bool result = false;
  for (const auto& rule : m_rules) {
    // The rule matches the path itself or one of its parent directories.
    std::vector<std::string> prefix;
    bool matched = false;
    for (const auto& part : parts) {
      prefix.push_back(part);
      if (match_segments(rule.segments, 0, prefix, 0)) {
        matched = true;
        break;
      }
    }
    if (matched) result = !rule.exception;
  }
  return result;
}

std::vector<std::string> build_context_files(const fs::path& dir, const std::string& dockerfile) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(fmt::format("building the image: the context {} is not a directory", dir.string()), Exit::usage);
  }
  DockerIgnore ignore;
  if (fs::exists(dir / ".dockerignore", ec)) ignore = DockerIgnore::parse(core::read_file(dir / ".dockerignore"));
  const std::string always_dockerfile = fs::path(dockerfile).lexically_normal().generic_string();
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) throw Error(fmt::format("building the image: cannot read {}: {}", dir.string(), ec.message()));
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(fmt::format("building the image: cannot read {}: {}", dir.string(), ec.message()));
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    const bool keep = rel == always_dockerfile || rel == ".dockerignore" || !ignore.excluded(rel);
    if (!keep) {
      // Below an excluded directory only an exception ('!') can bring a file back.
      if (it->is_directory(ec) && !it->is_symlink(ec) && !ignore.has_exceptions()) it.disable_recursion_pending();
      continue;
    }
    files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string build_context_tar(const fs::path& dir, const std::string& dockerfile) {
  TarWriter tar;
  for (const auto& rel : build_context_files(dir, dockerfile)) {
    const fs::path full = dir / rel;
    TarEntry entry = disk_entry(full, rel);
    // The size comes from the bytes read, so a file that changes meanwhile still gives a valid
    // stream.
    const std::string data =
        entry.type == TarEntry::Type::file ? core::read_file(full) : std::string();
    tar.add(std::move(entry), data);
  }
  return std::move(tar).finish();
}

std::map<std::string, std::string> parse_build_args(const std::vector<std::string>& args, const EnvLookup& env) {
  std::map<std::string, std::string> out;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (name.empty()) throw Error(fmt::format("--build-arg '{}': the name before '=' is empty", arg), Exit::usage);
    if (eq != std::string::npos) {
      out[name] = arg.substr(eq + 1);
    } else if (auto value = env(name)) {
      out[name] = std::move(*value);
    } else {
      out.erase(name);  // unset: the Dockerfile's default, as with docker build
    }
  }
  return out;
}

}  // namespace mctl::images
