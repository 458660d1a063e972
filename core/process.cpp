#include "core/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace mctl::core {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  ~Pipe() { close_both(); }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_both() { close_end(0); close_end(1); }
};

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<char*> make_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Pumps stdin/stdout/stderr until both outputs close; returns false on timeout.
bool pump(Pipe& in, Pipe& out, Pipe& err, const ProcessOptions& options, ProcessResult& result) {
  std::size_t written = 0;
  const std::string input = options.input.value_or("");
  if (input.empty()) in.close_end(1);
  const auto deadline = options.timeout
                            ? std::chrono::steady_clock::now() + *options.timeout
                            : std::chrono::steady_clock::time_point::max();
  char buf[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
    int wait_ms = -1;
    if (options.timeout) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      wait_ms = static_cast<int>(left.count());
    }
    const int n = ::poll(fds, 3, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(fmt::format("cannot wait for a child process: {}", std::strerror(errno)));
    if (n == 0) return false;
    if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
      const ssize_t w = ::write(in.fd[1], input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 || written == input.size()) in.close_end(1);
    }
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Pipe& p = i == 0 ? out : err;
      const ssize_t r = ::read(p.fd[0], buf, sizeof buf);
      if (r > 0) (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      else if (r == 0 || errno != EINTR) p.close_end(0);
    }
  }
  return true;
}

// While alive, a write to a pipe whose reader is gone fails with EPIPE instead of killing the
// process: SIGPIPE is blocked on this thread only, and one it raised is consumed before the
// old mask comes back (the process-wide disposition is never touched).
class ScopedPipeSignal {
 public:
  ScopedPipeSignal() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    m_was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &m_old);
  }
  ~ScopedPipeSignal() {
    sigset_t pending;
    sigpending(&pending);
    if (!m_was_pending && sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      const timespec now{0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &now) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
  }
  ScopedPipeSignal(const ScopedPipeSignal&) = delete;
  ScopedPipeSignal& operator=(const ScopedPipeSignal&) = delete;
  ScopedPipeSignal(ScopedPipeSignal&&) = delete;
  ScopedPipeSignal& operator=(ScopedPipeSignal&&) = delete;

 private:
  sigset_t m_old{};
  bool m_was_pending = false;
};

// posix_spawn's file actions: what the child does between its start and exec.
class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&m_actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&m_actions); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  SpawnActions(SpawnActions&&) = delete;
  SpawnActions& operator=(SpawnActions&&) = delete;
  // Also when from == to: glibc then clears close-on-exec, which a plain dup2 would not.
  void dup2(int from, int to) { check(posix_spawn_file_actions_adddup2(&m_actions, from, to)); }
  void chdir(const std::filesystem::path& dir) {
    check(posix_spawn_file_actions_addchdir_np(&m_actions, dir.c_str()));
    m_dir = dir.string();
  }
  const posix_spawn_file_actions_t* get() const { return &m_actions; }
  const std::string& dir() const { return m_dir; }

 private:
  static void check(int rc) {
    if (rc != 0) throw Error(fmt::format("cannot prepare a child process: {}", std::strerror(rc)));
  }
  posix_spawn_file_actions_t m_actions{};
  std::string m_dir;
};

// Starts argv[0] (searched in PATH) with `actions` and no signal blocked. posix_spawn, not
// fork: the child shares our memory until exec (vfork-like), so starting git while other
// threads load libcurl or hold large buffers copies no page tables and makes those threads
// take no copy-on-write faults. nullopt when there is no such program (or it is not
// executable) and argv[0] was searched in PATH; a path that cannot run, or a working
// directory that cannot be entered, is an Error naming it.
std::optional<pid_t> spawn(const std::vector<std::string>& argv, const SpawnActions& actions) {
  auto args = make_argv(argv);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], actions.get(), &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc == 0) return pid;
  if (!actions.dir().empty() && ::access(actions.dir().c_str(), X_OK) != 0) {
    throw Error(fmt::format("cannot run {} in {}: {}", argv[0], actions.dir(), std::strerror(errno)));
  }
  if (argv[0].find('/') != std::string::npos || (rc != ENOENT && rc != EACCES)) {
    throw Error(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
  }
  return std::nullopt;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw Error("cannot run a program: empty command", Exit::usage);
  Pipe in, out, err;
  SpawnActions actions;
  actions.dup2(in.fd[0], 0);
  actions.dup2(out.fd[1], 1);
  if (options.capture_stderr) actions.dup2(err.fd[1], 2);
  if (options.cwd) actions.chdir(*options.cwd);
  const auto pid = spawn(argv, actions);
  ProcessResult result;
  if (!pid) {  // not started: as a shell says it, 127 with nothing on stdout
    result.exit_code = 127;
    return result;
  }
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);
  if (!options.capture_stderr) err.close_end(0);
  bool finished = false;
  {
    const ScopedPipeSignal no_sigpipe;  // the child may exit before reading all its input
    finished = pump(in, out, err, options, result);
  }
  if (!finished) ::kill(*pid, SIGKILL);
  const int status = wait_for(*pid);
  if (!finished) {
    throw Error(fmt::format("{} did not finish within {} ms and was stopped", argv[0],
                            options.timeout->count()),
                Exit::timeout);
  }
  result.exit_code = decode_status(status);
  return result;
}

int run_interactive(const std::vector<std::string>& argv) {
  if (argv.empty()) throw Error("cannot run a program: empty command", Exit::usage);
  SpawnActions none;
  const auto pid = spawn(argv, none);
  return pid ? decode_status(wait_for(*pid)) : 127;
}

}  // namespace mctl::core
