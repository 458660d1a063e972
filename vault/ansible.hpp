#pragma once
// Ansible Vault 1.1 / 1.2 (AES256): byte-compatible reading and writing.
//   $ANSIBLE_VAULT;1.1;AES256            or  $ANSIBLE_VAULT;1.2;AES256;<vault-id label>
//   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), wrapped at 80 columns, "\n" at the end
// Keys: PBKDF2-HMAC-SHA256(password, salt, 10000) -> 80 bytes = AES key | HMAC key | CTR IV.
// Ciphertext: AES-256-CTR over the PKCS#7-padded plaintext; HMAC-SHA256 over the ciphertext.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/strings.hpp"
#include "vault/secure.hpp"

namespace mctl::vault::ansible {

struct Envelope {
  std::string version;     // "1.1" or "1.2"
  std::string label;       // vault-id label ("" for 1.1)
  std::string salt;        // raw bytes
  std::string hmac;        // raw bytes (32)
  SecretString ciphertext;  // raw bytes; decrypt(Envelope&&) turns it into the plaintext in place
};

// True when `text` starts with the Ansible Vault header marker.
bool looks_like(std::string_view text);

// Parses the text envelope. Throws Error(Exit::auth) saying what is malformed (a vault that
// does not parse was modified or truncated); the caller adds the file name.
Envelope parse(std::string_view text);

// The same parser, incremental, for large files: feed() the text in pieces split anywhere,
// then finish(). One pass, the hex-in-hex body decoded straight into the ciphertext, so the
// memory used is the ciphertext's size, not the text's. Errors as parse() (from either call).
class Parser {
 public:
  // `text_size`: the whole text's size when known, to allocate the ciphertext once.
  explicit Parser(std::size_t text_size = 0);
  void feed(std::string_view text);
  Envelope finish();

 private:
  void feed_body(std::string_view text);
  void feed_inner(const char* chars, std::size_t n);
  void end_header();

  enum class Stage { leading, header, body };
  enum class Line { leading, content, trailing };  // where the outer hex line is
  Stage m_stage = Stage::leading;
  Line m_line = Line::leading;
  std::string m_header;
  int m_outer_nibble = -1;     // a hex digit waiting for its pair (pairs may span lines)
  std::size_t m_inner_chars = 0;
  int m_part = 0;              // inner part being read: 0 salt, 1 HMAC, 2 ciphertext
  std::string m_salt_hex, m_hmac_hex;
  int m_inner_nibble = -1;
  Envelope m_env;
};

// Verifies the HMAC (constant time) and decrypts. nullopt when the password does not fit.
// Throws Error(Exit::auth) when the HMAC fits but the padding is invalid.
std::optional<SecretString> decrypt(const Envelope& envelope, std::string_view password);
// The same, decrypting in the envelope's own ciphertext buffer (no second copy of a large file):
// on success the plaintext is moved out and the envelope's ciphertext is gone; when the password
// does not fit (nullopt) the envelope is unchanged, so the next password can be tried.
std::optional<SecretString> decrypt_in_place(Envelope& envelope, std::string_view password);

// Encrypts into the text envelope: 1.2 with the label when `label` is non-empty and not
// "default", else 1.1 (as ansible-vault does). `salt` (32 bytes) is random when empty.
std::string encrypt(std::string_view plaintext, std::string_view password, std::string_view label,
                    std::string_view salt = {});

// Hex helpers (lower-case output: core's; decoding accepts both cases). from_hex: nullopt if
// invalid.
using core::to_hex;
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace mctl::vault::ansible
