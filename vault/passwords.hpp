#pragma once
// Where vault passwords come from: files, executable scripts, prompts. Never argv.
#include <functional>
#include <string>
#include <vector>

#include "core/settings.hpp"
#include "vault/secrets.hpp"

namespace mctl::vault {

// Asks for a hidden line on the terminal (core::prompt_hidden in production, a fake in tests).
using PromptFn = std::function<std::string(const std::string& question)>;

// Password sources named on the command line.
struct PasswordRequest {
  std::vector<std::string> password_files;  // --vault-password-file FILE (label "default")
  std::vector<std::string> vault_ids;       // --vault-id [label@]FILE|prompt
  bool ask = false;                         // --ask-vault-password
};

// Reads one password. `source` is "prompt" or a path: an executable file is run (its stdout
// is the password; a name ending in "-client" gets `--vault-id LABEL` as Ansible does), any
// other file is read. One trailing newline is stripped. `confirm`: prompts ask twice.
// Throws Error(Exit::usage) for a missing/empty source or a failing script.
VaultPassword read_password(const std::string& label, const std::string& source, const PromptFn& prompt,
                            bool confirm = false);

// Splits "label@source" (no '@': label "default").
std::pair<std::string, std::string> split_vault_id(const std::string& vault_id);

// The passwords for a command: the flags when any are given, else the configuration
// (vault.id entries, then vault.password_file, which MCTL_VAULT_PASSWORD_FILE and
// ANSIBLE_VAULT_PASSWORD_FILE set), else a prompt when `allow_prompt`. Relative paths from
// mctl.yaml are resolved against the project directory. Throws Error(Exit::usage) when none.
std::vector<VaultPassword> collect_passwords(const PasswordRequest& request, const core::VaultSettings& settings,
                                             bool allow_prompt, const PromptFn& prompt, bool confirm = false);

// "prod (file .vault-pass), default (prompt)": for error messages.
std::string describe_passwords(const std::vector<VaultPassword>& passwords);

// The new password of a rekey: from the one source `request` names (none: a prompt, asked
// twice). Throws Error(Exit::usage) for more than one source, and when the new password is one
// of `old` (the same file or script, or the same text from elsewhere): a rekey that changes
// nothing would look like a rotated secret.
VaultPassword rekey_password(PasswordRequest request, const core::VaultSettings& settings, const PromptFn& prompt,
                             const std::vector<VaultPassword>& old);

}  // namespace mctl::vault
