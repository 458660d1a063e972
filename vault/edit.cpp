#include "vault/edit.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"

namespace mctl::vault {
namespace fs = std::filesystem;
namespace {

// Paths the signal handler removes: fixed buffers, async-signal-safe to read.
char g_file[4096];
char g_dir[4096];
constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_old[4];

extern "C" void remove_and_die(int sig) {
  if (g_file[0] != '\0') ::unlink(g_file);
  if (g_dir[0] != '\0') ::rmdir(g_dir);
  (void)::signal(sig, SIG_DFL);  // in a handler, on the way out: nothing to do if it fails
  (void)::raise(sig);
}

void install_handlers(const fs::path& file, const fs::path& dir) {
  // A path that does not fit is left unarmed: the handler would remove a truncated, other path.
  const auto arm = [](char* to, std::size_t room, const fs::path& p) {
    const int n = std::snprintf(to, room, "%s", p.c_str());
    if (n < 0 || static_cast<std::size_t>(n) >= room) to[0] = '\0';
  };
  arm(g_file, sizeof g_file, file);
  arm(g_dir, sizeof g_dir, dir);
  struct sigaction sa {};
  sa.sa_handler = remove_and_die;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < std::size(k_signals); ++i) ::sigaction(k_signals[i], &sa, &g_old[i]);
}

void remove_handlers() {
  for (std::size_t i = 0; i < std::size(k_signals); ++i) ::sigaction(k_signals[i], &g_old[i], nullptr);
  g_file[0] = g_dir[0] = '\0';
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> argv;
  std::istringstream in(command);
  for (std::string word; in >> word;) argv.push_back(word);
  return argv;
}

constexpr std::string_view k_prefix = "mctl-vault.";

// Removes the workspaces of mctl processes that died without cleaning up (SIGKILL, power
// loss): directories "mctl-vault.<pid>.XXXXXX" of this user whose <pid> is not running.
void remove_stale_workspaces(const fs::path& base) {
  std::error_code ec;
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.rfind(k_prefix, 0) != 0) continue;
    const auto pid = std::strtol(name.c_str() + k_prefix.size(), nullptr, 10);
    struct stat st {};
    if (pid <= 0 || ::lstat(it->path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

}  // namespace

std::vector<fs::path> workspace_candidates(const std::optional<std::string>& xdg_runtime_dir, const fs::path& fallback) {
  std::vector<fs::path> out;
  if (xdg_runtime_dir && !xdg_runtime_dir->empty()) out.emplace_back(*xdg_runtime_dir);
  out.emplace_back("/dev/shm");
  out.push_back(fallback);
  return out;
}

PlaintextWorkspace::PlaintextWorkspace(const std::vector<fs::path>& candidates, const std::string& filename) {
  for (const auto& base : candidates) remove_stale_workspaces(base);
  for (const auto& base : candidates) {
    std::string tmpl = (base / fmt::format("{}{}.XXXXXX", k_prefix, ::getpid())).string();
    if (::mkdtemp(tmpl.data()) == nullptr) continue;  // mkdtemp makes it 0700
    m_dir = tmpl;
    break;
  }
  if (m_dir.empty()) throw Error("cannot create a private directory for the plaintext (tried $XDG_RUNTIME_DIR, /dev/shm, temp)");
  m_file = m_dir / (filename.empty() ? "vault" : filename);
  install_handlers(m_file, m_dir);
  const int fd = ::open(m_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    ::rmdir(m_dir.c_str());
    remove_handlers();
    throw Error(fmt::format("cannot create {}: {}", m_file.string(), std::strerror(err)));
  }
  ::close(fd);
}

PlaintextWorkspace::~PlaintextWorkspace() {
  // Overwrite before unlinking: on a disk fallback the blocks would otherwise keep the text.
  std::error_code ec;
  const auto size = fs::file_size(m_file, ec);
  if (!ec && size > 0) {
    const int fd = ::open(m_file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      std::string zeros(std::min<std::uintmax_t>(size, 1 << 20), '\0');
      for (std::uintmax_t done = 0; done < size;) {
        const auto n = ::write(fd, zeros.data(), std::min<std::uintmax_t>(zeros.size(), size - done));
        if (n <= 0) break;
        done += static_cast<std::uintmax_t>(n);
      }
      ::fsync(fd);
      ::close(fd);
    }
  }
  // Editors may leave backups/swap files: remove everything in the private directory.
  fs::remove_all(m_dir, ec);
  remove_handlers();
}

void PlaintextWorkspace::write(std::string_view plaintext) {
  const int fd = ::open(m_file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) throw Error(fmt::format("cannot write {}: {}", m_file.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < plaintext.size()) {
    const auto n = ::write(fd, plaintext.data() + done, plaintext.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw Error(fmt::format("cannot write {}: {}", m_file.string(), std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

SecretString PlaintextWorkspace::read() const {
  std::string text = core::read_file(m_file);
  return adopt_secret(text);
}

std::optional<SecretString> edit_plaintext(std::string_view initial, const std::string& editor,
                                           const std::vector<fs::path>& candidates, const std::string& filename) {
  auto argv = split_command(editor.empty() ? "vi" : editor);
  if (argv.empty()) argv.emplace_back("vi");
  PlaintextWorkspace workspace(candidates, filename);
  workspace.write(initial);
  argv.push_back(workspace.file().string());
  const int rc = core::run_interactive(argv);
  if (rc != 0) {
    throw Error(fmt::format("editor '{}' exited with code {}; nothing was changed", argv.front(), rc));
  }
  auto edited = workspace.read();
  if (edited.view() == initial) return std::nullopt;
  return edited;
}

}  // namespace mctl::vault
