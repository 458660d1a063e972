#pragma once
// One `mctl up` at a time per project and Docker Engine: an exclusive flock(2) on a file named
// after both, held for the whole run and released by the kernel when the holder exits (even
// when killed), so a second `up` waits instead of racing the first for container names.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace mctl::local {

class ProjectLock {
 public:
  // Takes the lock of (`engine`, `project`) in `dir`. When another process holds it, calls
  // `on_wait(pid of the holder)` once and waits until it is free, `deadline` passes
  // (Error(Exit::timeout)) or *interrupted (Error(Exit::interrupted)). Throws Error(Exit::failure)
  // when the lock file cannot be used (not a regular file of this user, ...).
  static ProjectLock acquire(const std::filesystem::path& dir, const std::string& engine,
                             const std::string& project,
                             std::chrono::steady_clock::time_point deadline,
                             const std::atomic<bool>* interrupted,
                             const std::function<void(long pid)>& on_wait);
  ProjectLock(ProjectLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  ProjectLock& operator=(ProjectLock&&) = delete;
  ~ProjectLock();

 private:
  explicit ProjectLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

// "mctl-up-<uid>-<16 hex of SHA-256(engine, project)>.lock"
std::string lock_file_name(const std::string& engine, const std::string& project);

}  // namespace mctl::local
