#include "images/build_context.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <memory>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/strings.hpp"

namespace mctl::images {
namespace {

namespace fs = std::filesystem;

struct WriteDeleter {
  void operator()(archive* a) const noexcept { archive_write_free(a); }
};
struct ReadDeleter {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
};
using WriteArchive = std::unique_ptr<archive, WriteDeleter>;
using ReadArchive = std::unique_ptr<archive, ReadDeleter>;
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

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

ssize_t append_to_string(archive*, void* data, const void* buffer, size_t length) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), length);
  return static_cast<ssize_t>(length);
}

[[noreturn]] void archive_fail(archive* a, const std::string& doing) {
  const char* why = archive_error_string(a);
  throw Error(fmt::format("building the image context: {}: {}", doing, why ? why : "unknown error"));
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
  const auto files = build_context_files(dir, dockerfile);
  std::string out;
  WriteArchive writer(archive_write_new());
  ReadArchive disk(archive_read_disk_new());
  if (!writer || !disk) throw Error("building the image context: libarchive could not start");
  archive_write_set_format_pax_restricted(writer.get());
  archive_read_disk_set_symlink_physical(disk.get());  // symlinks go in as links
  if (archive_write_open(writer.get(), &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK) {
    archive_fail(writer.get(), "opening the archive");
  }
  for (const auto& rel : files) {
    const fs::path full = dir / rel;
    Entry entry(archive_entry_new());
    archive_entry_copy_sourcepath(entry.get(), full.c_str());
    archive_entry_copy_pathname(entry.get(), rel.c_str());
    if (archive_read_disk_entry_from_file(disk.get(), entry.get(), -1, nullptr) != ARCHIVE_OK) {
      archive_fail(disk.get(), fmt::format("reading {}", full.string()));
    }
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_uname(entry.get(), "");
    archive_entry_set_gname(entry.get(), "");
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK) {
      archive_fail(writer.get(), fmt::format("adding {}", rel));
    }
    if (archive_entry_filetype(entry.get()) == AE_IFREG) {
      const std::string data = core::read_file(full);
      if (archive_write_data(writer.get(), data.data(), data.size()) < 0) {
        archive_fail(writer.get(), fmt::format("adding {}", rel));
      }
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) archive_fail(writer.get(), "finishing the archive");
  return out;
}

}  // namespace mctl::images
