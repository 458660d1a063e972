#pragma once
// File system helpers: whole-file reads and atomic writes.
//
// Every in-place write of mctl goes through AtomicFile (write_file_atomic is a one-shot
// wrapper). The rules live there, once:
//   - Symbolic links are followed to the real file (chains and relative links, relative to
//     the link's own directory; at most 40 hops). The link stays a link; the file it points
//     to is replaced. A dangling link is followed too: its target is created (as a shell
//     redirection or an editor would), so a link never silently turns into a regular file.
//   - The temp file lives beside the *resolved* target (same directory, so rename(2) is
//     atomic), is named ".<name>.mctl-tmp.<pid>.XXXXXX", is 0600 while written, and gets the
//     target's mode (and owner/group when running as root) before the rename.
//   - Refused with Error(Exit::usage), nothing written: a target that exists but is not a
//     regular file (directory, FIFO, device, socket), a link loop, a directory that is
//     missing or not writable.
//   - Temp files left by a killed mctl (SIGKILL, power loss) are removed the next time mctl
//     writes the same target: those whose <pid> is no longer running.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace mctl::core {

// Reads a whole file. Throws Error(Exit::usage) naming the path and errno text: every input
// file of mctl is read here, and a missing or unreadable input is bad input.
std::string read_file(const std::filesystem::path& path);

// The file an in-place write of `path` must replace: symbolic links followed (see above).
// Throws Error(Exit::usage) for a link loop or too many hops.
std::filesystem::path resolve_for_write(const std::filesystem::path& path);

// A streaming atomic write: data goes to a temp file beside the resolved target; commit()
// flushes, fsyncs, sets mode (and owner when root), renames over the target and fsyncs the
// directory. Without commit() (an exception, an early return) the temp file is removed and
// the target is untouched. The stream buffer is wiped when the object is destroyed (it may
// hold plaintext).
class AtomicFile {
 public:
  // The target keeps its mode when it exists; a new file gets `mode_for_new` (0600 by
  // default: secrets are the common case). `mode` forces a mode.
  explicit AtomicFile(const std::filesystem::path& target, mode_t mode_for_new = 0600,
                      std::optional<mode_t> mode = std::nullopt);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream();
  void write(std::string_view data);
  // The path as given (for messages) and the file that is replaced.
  const std::filesystem::path& target() const { return m_target; }
  const std::filesystem::path& resolved() const { return m_resolved; }
  // Throws Error naming the target; the temp file is removed on failure.
  void commit();

 private:
  class Buffer;
  std::filesystem::path m_target;
  std::filesystem::path m_resolved;
  std::filesystem::path m_temp;
  std::unique_ptr<Buffer> m_buffer;
  std::unique_ptr<std::ostream> m_stream;
  mode_t m_mode = 0600;
  std::optional<std::pair<uid_t, gid_t>> m_owner;
  bool m_committed = false;
};

// Writes `data` to `path` atomically with AtomicFile (same rules).
void write_file_atomic(const std::filesystem::path& path, std::string_view data,
                       mode_t mode_for_new = 0600, std::optional<mode_t> mode = std::nullopt);

// Finds `name` in `start` or any parent directory.
std::optional<std::filesystem::path> find_upward(const std::filesystem::path& start,
                                                 std::string_view name);

}  // namespace mctl::core
