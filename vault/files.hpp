#pragma once
// Whole-file vault operations on paths and streams, shared by the vault commands.
// Multi-file commands stage every output in a temporary file next to its target and only
// rename them all once every file succeeded (AtomicFile + commit_all).
#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vault/envelope.hpp"
#include "vault/secrets.hpp"

namespace mctl::vault {

// What a file holds, judged from its content.
enum class Content { ansible, mctl, inline_yaml, plain };
Content classify(std::string_view head_or_text);
// Reads enough of a file to classify it: its head, then the rest in blocks looking for the
// !vault tag, the whole file only when it has one. Throws Error(Exit::usage) when unreadable.
Content classify_file(const std::filesystem::path& file);
// The vault format of a file judged from its head only (nullopt: not a whole-file vault).
std::optional<Format> detect_file_format(const std::filesystem::path& file);

// A temporary file next to `target`, renamed over it by commit(); removed if never committed.
// The target's mode is kept; a new file gets `mode_for_new`.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target, mode_t mode_for_new = 0600);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ostream& stream() { return m_out; }
  const std::filesystem::path& target() const { return m_target; }
  void commit();  // flush + fsync + rename + fsync(dir). Throws Error naming the target.

 private:
  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  std::ofstream m_out;
  mode_t m_mode;
  bool m_committed = false;
};

// Commits every staged file (all outputs were produced successfully).
void commit_all(std::vector<std::unique_ptr<AtomicFile>>& files);

struct Opened {
  Content content = Content::plain;
  Format format = Format::mctl;
  std::string label = "default";
  std::size_t password_index = 0;
};

// Decrypts `file` (whole-file vault of either format, or YAML with !vault values rendered
// as plain strings) into `out`; native files stream in bounded memory.
// Errors: Exit::usage for a file that is not a vault, Exit::auth for a wrong password or a
// modified file (message names the file and the vault ids tried).
Opened decrypt_file(const std::filesystem::path& file, const std::string& name,
                    const std::vector<VaultPassword>& passwords, std::ostream& out);
// `size_hint`: the input's size when known (an Ansible file's ciphertext is allocated once).
Opened decrypt_stream(std::istream& in, const std::string& name, const std::vector<VaultPassword>& passwords,
                      std::ostream& out, std::size_t size_hint = 0);

// Encrypts `in` into `out` (native: streaming).
void encrypt_stream(std::istream& in, std::ostream& out, Format format, const VaultPassword& password,
                    const std::string& label, const native::Params& params);

// The password to encrypt new content with: the one labelled `label` when given (Error if
// none is), else the first.
const VaultPassword& encryption_password(const std::vector<VaultPassword>& passwords,
                                         const std::optional<std::string>& label);

}  // namespace mctl::vault
