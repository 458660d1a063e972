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

#include "core/fs.hpp"
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

// Staged outputs of a multi-file command (core::AtomicFile: symlinks followed, temp file
// beside the real target, mode kept); committed once every output was produced.
using AtomicFile = core::AtomicFile;
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

// The password to encrypt new content with (the one rule for every command that encrypts new
// content: encrypt, encrypt-string, create, rekey's new password, edit of a file without one):
// the one labelled `label` when given, else the only one. Error(Exit::usage) when no password
// has that label, or when several were given and no label chooses (as ansible-vault).
const VaultPassword& encryption_password(const std::vector<VaultPassword>& passwords,
                                         const std::optional<std::string>& label);

}  // namespace mctl::vault
