#pragma once
// Contract used by render (and deploy): load an environment's secrets file, whatever its
// form, into a JSON object, decrypting in memory only. Implemented by the vault module.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/settings.hpp"
#include "vault/secure.hpp"

namespace mctl::vault {

// One vault password with the vault-id label it belongs to ("default" when none).
// The password lives in a SecretString: wiped when destroyed, movable, not copyable.
struct VaultPassword {
  std::string label;
  SecretString password;
  std::string source;  // where it came from, for messages ("file .vault-pass", "prompt")
  VaultPassword(std::string l, SecretString p, std::string s)
      : label(std::move(l)), password(std::move(p)), source(std::move(s)) {}
};

// Passwords from the configuration (vault.password_file, vault.id; MCTL_VAULT_PASSWORD_FILE,
// ANSIBLE_VAULT_PASSWORD_FILE), never from argv. `allow_prompt`: ask on the terminal when
// nothing is configured. Throws Error(Exit::usage) when no source is available.
std::vector<VaultPassword> passwords_from_config(const core::VaultSettings& settings, bool allow_prompt);

// Reads `file` (an Ansible Vault file, an mctl vault file, or plain YAML with `!vault`
// values), decrypts it in memory and returns its YAML content as JSON. Throws
// Error(Exit::auth) naming the file and the vault ids tried when no password fits.
nlohmann::json load_secrets(const std::filesystem::path& file, const std::vector<VaultPassword>& passwords);

}  // namespace mctl::vault
