#include "core/fs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace mctl::core {
namespace fs = std::filesystem;
namespace {

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

 private:
  int m_fd;
};

Error io_error(std::string_view what, const fs::path& path, int err, Exit exit = Exit::failure) {
  return Error(fmt::format("{} {}: {}", what, path.string(), std::strerror(err)), exit);
}

// Errors that say "this cannot be written here", not "the write failed on the way".
Exit exit_for(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
      return Exit::usage;
    default:
      return Exit::failure;
  }
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string temp_prefix(const fs::path& resolved) {
  return "." + resolved.filename().string() + ".mctl-tmp.";
}

// Removes temp files of `resolved` whose writer (the pid in their name) is gone.
void remove_stale_temps(const fs::path& dir, const fs::path& resolved) {
  const auto prefix = temp_prefix(resolved);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const auto pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      ::unlink(it->path().c_str());
  }
}

}  // namespace

// The temp file's stream buffer: writes to the descriptor, remembers the first error, wipes
// its memory (it may hold plaintext) when destroyed.
class AtomicFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int fd) : m_fd(fd), m_data(1 << 16) {
    setp(m_data.data(), m_data.data() + m_data.size());
  }
  ~Buffer() override {
    ::explicit_bzero(m_data.data(), m_data.size());
    close();
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  int fd() const { return m_fd; }
  int error() const { return m_error; }
  int close() {
    int rc = 0;
    if (m_fd >= 0) rc = ::close(m_fd);
    m_fd = -1;
    return rc;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    if (m_error == 0 && n > 0 && !write_all(m_fd, pbase(), n)) m_error = errno ? errno : EIO;
    ::explicit_bzero(pbase(), n);
    setp(m_data.data(), m_data.data() + m_data.size());
    return m_error == 0;
  }

  int m_fd;
  int m_error = 0;
  std::vector<char> m_data;
};

std::string read_file(const fs::path& path) {
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

fs::path resolve_for_write(const fs::path& path) {
  fs::path p = path;
  for (int hop = 0; hop < 40; ++hop) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::vector<char> buf(PATH_MAX + 1);
    const ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
    if (n < 0 || static_cast<std::size_t>(n) >= buf.size())
      throw io_error("cannot read the link", p, errno, Exit::usage);
    const fs::path next(std::string(buf.data(), static_cast<std::size_t>(n)));
    p = next.is_absolute() || !p.has_parent_path() ? next : p.parent_path() / next;
  }
  throw io_error("cannot write", path, ELOOP, Exit::usage);
}

AtomicFile::AtomicFile(const fs::path& target, mode_t mode_for_new, std::optional<mode_t> mode)
    : m_target(target), m_resolved(resolve_for_write(target)), m_mode(mode_for_new) {
  const auto shown = m_resolved == m_target
                         ? m_target.string()
                         : fmt::format("{} (link to {})", m_target.string(), m_resolved.string());
  struct stat st {};
  if (::stat(m_resolved.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      throw Error(fmt::format("cannot write {}: it is {}", shown, kind_of(st.st_mode)),
                  Exit::usage);
    m_mode = st.st_mode & 07777;
    if (::geteuid() == 0) m_owner = {st.st_uid, st.st_gid};
  } else if (errno != ENOENT) {
    throw io_error("cannot write", shown, errno, exit_for(errno));
  }
  if (mode) m_mode = *mode;
  const auto dir = m_resolved.has_parent_path() ? m_resolved.parent_path() : fs::path(".");
  remove_stale_temps(dir, m_resolved);
  std::string tmpl =
      (dir / fmt::format("{}{}.XXXXXX", temp_prefix(m_resolved), ::getpid())).string();
  const int fd = ::mkstemp(tmpl.data());  // 0600 until commit()
  if (fd < 0) throw io_error("cannot create a temporary file for", shown, errno, exit_for(errno));
  m_temp = tmpl;
  m_buffer = std::make_unique<Buffer>(fd);
  m_stream = std::make_unique<std::ostream>(m_buffer.get());
}

AtomicFile::~AtomicFile() {
  m_stream.reset();
  m_buffer.reset();
  if (!m_committed && !m_temp.empty()) ::unlink(m_temp.c_str());
}

std::ostream& AtomicFile::stream() {
  return *m_stream;
}

void AtomicFile::write(std::string_view data) {
  m_stream->write(data.data(), static_cast<std::streamsize>(data.size()));
}

void AtomicFile::commit() {
  auto fail = [&](std::string_view what, int err) { return io_error(what, m_target, err); };
  m_stream->flush();
  if (m_buffer->error() != 0) throw fail("cannot write", m_buffer->error());
  if (!*m_stream) throw fail("cannot write", EIO);
  const int fd = m_buffer->fd();
  // chown first: it clears set-id bits that fchmod then restores.
  if (m_owner && ::fchown(fd, m_owner->first, m_owner->second) != 0)
    throw fail("cannot set the owner of", errno);
  if (::fchmod(fd, m_mode) != 0) throw fail("cannot set the mode of", errno);
  if (::fsync(fd) != 0) throw fail("cannot sync", errno);
  if (m_buffer->close() != 0) throw fail("cannot close", errno);
  if (::rename(m_temp.c_str(), m_resolved.c_str()) != 0) throw fail("cannot replace", errno);
  m_committed = true;
  const auto dir = m_resolved.has_parent_path() ? m_resolved.parent_path() : fs::path(".");
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());  // best effort: the data itself is already durable
}

void write_file_atomic(const fs::path& path, std::string_view data, mode_t mode_for_new,
                       std::optional<mode_t> mode) {
  AtomicFile file(path, mode_for_new, mode);
  file.write(data);
  file.commit();
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
