#pragma once
// The native mctl vault format (see vault/FORMAT.md): Argon2id + XChaCha20-Poly1305
// secretstream in chunks, ASCII-armored, header authenticated. Streams in bounded memory.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vault/secure.hpp"

namespace mctl::vault::native {

inline constexpr std::string_view k_marker = "$MCTL_VAULT";
inline constexpr std::size_t k_salt_bytes = 16;
inline constexpr std::size_t k_stream_header_bytes = 24;
inline constexpr std::size_t k_key_bytes = 32;

// Argon2id cost and chunking. Defaults: libsodium's INTERACTIVE limits, 64 KiB chunks.
struct Params {
  std::uint32_t ops = 2;             // Argon2id passes (crypto_pwhash_OPSLIMIT_INTERACTIVE)
  std::uint32_t mem_kib = 64 * 1024;  // Argon2id memory in KiB (crypto_pwhash_MEMLIMIT_INTERACTIVE)
  std::uint32_t chunk = 64 * 1024;   // plaintext bytes per secretstream message
};

// Throws Error(Exit::usage) when params are below the INTERACTIVE limits or absurdly high.
void check_params_for_writing(const Params& params);

struct Header {
  std::string label;
  Params params;
  unsigned char salt[k_salt_bytes] = {};
  unsigned char stream_header[k_stream_header_bytes] = {};
  std::string authenticated;  // the exact header bytes authenticated as additional data
};

// True when `text` starts with the native marker.
bool looks_like(std::string_view text);

// Streaming decryption. The constructor parses the header (Error(Exit::auth) when malformed).
class Reader {
 public:
  // `already_read`: bytes the caller took from the front of `in` (to detect the format).
  explicit Reader(std::istream& in, std::string_view already_read = {});
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  const Header& header() const;
  // Derives the key and authenticates the first chunk. false: the password does not fit.
  bool unlock(std::string_view password);
  bool unlock_with_key(const unsigned char* key);  // for tests and fuzzing
  // Appends the next chunk's plaintext to `out`; false once the final chunk was read.
  // Throws Error(Exit::auth) for a truncated or modified stream.
  bool next(SecretString& out);

 private:
  struct State;
  std::unique_ptr<State> m;
};

// Streaming encryption: write() any number of times, then finish().
class Writer {
 public:
  Writer(std::ostream& out, std::string_view password, std::string_view label, const Params& params);
  Writer(std::ostream& out, const unsigned char* key, std::string_view label, const Params& params,
         const unsigned char* salt);  // for tests and fuzzing: key given, no KDF
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  void write(std::string_view plaintext);
  void finish();

 private:
  struct State;
  std::unique_ptr<State> m;
};

// Whole-buffer conveniences built on Reader/Writer.
std::string encrypt(std::string_view plaintext, std::string_view password, std::string_view label,
                    const Params& params = {});
std::optional<SecretString> decrypt(std::string_view text, std::string_view password);

}  // namespace mctl::vault::native
