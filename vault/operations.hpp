#pragma once
// The vault commands' work, without any printing: cli/cmd_vault.cpp gathers options and
// passwords, calls one of these, and reports. Output streams are passed in.
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "vault/envelope.hpp"
#include "vault/native.hpp"
#include "vault/secrets.hpp"

namespace mctl::vault {

struct Settings {
  std::vector<VaultPassword> passwords;
  std::optional<std::string> encrypt_label;  // --encrypt-vault-id
  Format format = Format::mctl;              // for new content (vault.format / --format)
  bool format_given = false;                 // --format on the command line (converts on rekey/edit)
  native::Params params;
  std::string editor = "vi";
  std::vector<std::filesystem::path> workspace_dirs;
  std::vector<std::string> plain_keys;       // edit --plain KEY: new values kept in plaintext
};

// Encrypts files in place. Every file is checked (readable, not already a vault) before
// any is written. "-" (or none) means `in` -> `out`.
void encrypt_files(const std::vector<std::string>& files, const Settings& s, std::istream& in, std::ostream& out);

// Decrypts files in place, or into `output` ("-": `out`). All are decrypted into staged
// temporary files before any is renamed. "-" (or none) means `in`.
void decrypt_files(const std::vector<std::string>& files, const Settings& s, const std::optional<std::string>& output,
                   std::istream& in, std::ostream& out);

// Writes each file's plaintext to `out`.
void view_files(const std::vector<std::string>& files, const Settings& s, std::ostream& out);

// Opens the plaintext in the editor and re-encrypts when it changed (same format and vault
// id; inline !vault values re-encrypted one by one, and a value added under a key that held
// no plain value before is encrypted too unless s.plain_keys names it). false: unchanged,
// file untouched.
bool edit_file(const std::string& file, const Settings& s);

// Creates a new vault file from the editor's content (Error when the file exists).
// false: the editor left it empty, nothing created.
bool create_file(const std::string& file, const Settings& s);

// Re-encrypts files with `new_password`, keeping each file's format (or `s.format` when
// s.format_given) and label (unless new_password has a non-default label).
void rekey_files(const std::vector<std::string>& files, const Settings& s, const VaultPassword& new_password);

// encrypt-string: "name: !vault |\n          $ANSIBLE_VAULT...\n" (no name: "!vault |\n...").
std::string encrypt_string(std::string_view value, const std::string& name, const Settings& s);

// decrypt-string: `text` is a `!vault` block (with or without a key) or a bare envelope.
SecretString decrypt_string(std::string_view text, const Settings& s);

}  // namespace mctl::vault
