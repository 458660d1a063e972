#pragma once
// Editing plaintext in $EDITOR without leaving it behind: a 0600 file in a private 0700
// directory on a memory-backed filesystem, removed on every exit path (including SIGINT,
// SIGTERM and SIGHUP, whose handlers remove it before the process dies). A workspace left by
// a process killed with SIGKILL ("mctl-vault.<pid>.XXXXXX") is removed by the next edit or
// create of the same user.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vault/secure.hpp"

namespace mctl::vault {

class PlaintextWorkspace {
 public:
  // Creates the directory in the first usable candidate (e.g. $XDG_RUNTIME_DIR, /dev/shm,
  // then a disk temp dir). `filename` keeps the original name so editors pick the syntax.
  PlaintextWorkspace(const std::vector<std::filesystem::path>& candidates, const std::string& filename);
  ~PlaintextWorkspace();
  PlaintextWorkspace(const PlaintextWorkspace&) = delete;
  PlaintextWorkspace& operator=(const PlaintextWorkspace&) = delete;

  const std::filesystem::path& file() const { return m_file; }
  void write(std::string_view plaintext);
  SecretString read() const;

 private:
  std::filesystem::path m_dir;
  std::filesystem::path m_file;
};

// Where a workspace may live, best first: $XDG_RUNTIME_DIR, /dev/shm, `fallback`.
std::vector<std::filesystem::path> workspace_candidates(const std::optional<std::string>& xdg_runtime_dir,
                                                        const std::filesystem::path& fallback);

// Runs `editor` (split on spaces, no shell) on `initial` in a workspace. Returns the new
// text, or nullopt when it is unchanged. Throws Error when the editor fails (exits non-zero).
std::optional<SecretString> edit_plaintext(std::string_view initial, const std::string& editor,
                                           const std::vector<std::filesystem::path>& candidates,
                                           const std::string& filename);

}  // namespace mctl::vault
