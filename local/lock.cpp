#include "local/lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.hpp"
#include "local/spec.hpp"

namespace mctl::local {
namespace {

long holder_pid(int fd) {
  char text[32] = {};
  const auto n = ::pread(fd, text, sizeof text - 1, 0);
  return n > 0 ? std::strtol(text, nullptr, 10) : 0;
}

int open_lock_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(
        fmt::format("up: cannot open the lock file {}: {}", path.string(), std::strerror(errno)),
        Exit::failure);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    throw Error(
        fmt::format("up: the lock file {} is not a regular file of this user", path.string()),
        Exit::failure);
  }
  return fd;
}

}  // namespace

std::string lock_file_name(const std::string& engine, const std::string& project) {
  const auto hash = definition_hash(nlohmann::json::array({engine, project}));
  return fmt::format("mctl-up-{}-{}.lock", ::geteuid(), hash.substr(0, 16));
}

ProjectLock ProjectLock::acquire(const std::filesystem::path& dir, const std::string& engine,
                                 const std::string& project,
                                 std::chrono::steady_clock::time_point deadline,
                                 const std::atomic<bool>* interrupted,
                                 const std::function<void(long pid)>& on_wait) {
  ProjectLock lock(open_lock_file(dir / lock_file_name(engine, project)));
  bool told = false;
  while (::flock(lock.m_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      throw Error(fmt::format("up: locking project '{}': {}", project, std::strerror(errno)),
                  Exit::failure);
    }
    const long pid = holder_pid(lock.m_fd);
    if (!told && on_wait) on_wait(pid);
    told = true;
    if (interrupted && interrupted->load())
      throw Error("up: interrupted while waiting for the other mctl up", Exit::interrupted);
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(fmt::format("up: another mctl up{} still runs project '{}' on {}; stop it or "
                              "wait for it",
                              pid > 0 ? fmt::format(" (pid {})", pid) : "", project, engine),
                  Exit::timeout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock.m_fd, 0) != 0 || ::pwrite(lock.m_fd, pid.data(), pid.size(), 0) < 0) {
    // the pid only names the holder in another run's message: not fatal
  }
  return lock;
}

ProjectLock::~ProjectLock() {
  if (m_fd >= 0) ::close(m_fd);  // releases the flock
}

}  // namespace mctl::local
