#pragma once
// One entry point over both vault formats: detect, decrypt with a list of passwords (the
// file's own vault-id label first, as Ansible does), encrypt.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "vault/ansible.hpp"
#include "vault/native.hpp"
#include "vault/secrets.hpp"
#include "vault/secure.hpp"

namespace mctl::vault {

enum class Format { ansible, mctl };

std::optional<Format> detect_format(std::string_view text);
// "ansible" or "mctl"; throws Error(Exit::usage) otherwise.
Format parse_format(const std::string& name);

struct Decrypted {
  SecretString plaintext;
  Format format = Format::mctl;
  std::string label;             // the envelope's vault-id label ("default" when none)
  std::size_t password_index = 0;  // which password fitted
};

// Decrypts a whole envelope. `name` (a file name, "stdin", "file.yml:12") prefixes errors.
// Throws Error(Exit::auth) "<name>: wrong password or modified file (tried vault ids: ...)",
// or for malformed data; Error(Exit::usage) when the text is not a vault at all.
Decrypted decrypt_envelope(std::string_view text, const std::vector<VaultPassword>& passwords,
                           const std::string& name);

// Decrypts an already parsed Ansible envelope (the streaming path for large files); errors
// as decrypt_envelope.
Decrypted decrypt_parsed(ansible::Envelope&& envelope, const std::vector<VaultPassword>& passwords,
                         const std::string& name);

// Encrypts `plaintext` with `password` under `label` ("default": none for Ansible 1.1).
std::string encrypt_envelope(std::string_view plaintext, Format format, std::string_view password,
                             std::string_view label, const native::Params& params = {});

// Indexes of `passwords` in the order to try them: those labelled `label` first.
std::vector<std::size_t> try_order(const std::vector<VaultPassword>& passwords, const std::string& label);

// The one-line error for a vault no password opens.
Error wrong_password(const std::string& name, const std::vector<VaultPassword>& passwords);

}  // namespace mctl::vault
