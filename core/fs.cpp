#include "core/fs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace mctl::core {
namespace {

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  int release() { int fd = m_fd; m_fd = -1; return fd; }
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

 private:
  int m_fd;
};

Error io_error(std::string_view what, const std::filesystem::path& path, int err, Exit exit = Exit::failure) {
  return Error(fmt::format("{} {}: {}", what, path.string(), std::strerror(err)), exit);
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  // An input that is missing or unreadable is bad input (exit 2), whoever reads it.
  if (fd.get() < 0) throw io_error("cannot read", path, errno, Exit::usage);
  std::string data;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot read", path, errno, Exit::usage);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data,
                       mode_t mode_for_new, std::optional<mode_t> mode) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  mode_t final_mode = mode_for_new;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) final_mode = st.st_mode & 07777;
  if (mode) final_mode = *mode;

  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  Fd fd(::mkstemp(name.data()));
  if (fd.get() < 0) throw io_error("cannot create a temporary file for", path, errno);
  const std::string tmp(name.data());
  auto fail = [&](std::string_view what, int err) {
    fd.reset();
    ::unlink(tmp.c_str());
    return io_error(what, path, err);
  };
  if (::fchmod(fd.get(), final_mode) != 0) throw fail("cannot set the mode of", errno);
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail("cannot write", errno);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) throw fail("cannot sync", errno);
  if (::close(fd.release()) != 0) throw fail("cannot close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw fail("cannot replace", errno);
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());  // best effort: the data itself is already durable
}

std::optional<std::filesystem::path> find_upward(const std::filesystem::path& start,
                                                 std::string_view name) {
  std::error_code ec;
  auto dir = std::filesystem::absolute(start, ec);
  if (ec) return std::nullopt;
  while (true) {
    auto candidate = dir / name;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

}  // namespace mctl::core
