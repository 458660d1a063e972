#include "vault/native.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <istream>
#include <ostream>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "vault/native_detail.hpp"

namespace mctl::vault::native {
namespace detail {

Error malformed(const std::string& why) {
  return Error(fmt::format("malformed mctl vault data: {} (truncated or modified file)", why), Exit::auth);
}

void put_u32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint32_t get_u32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::string header_line(std::string_view label) {
  return fmt::format("{};1;ARGON2ID-XCHACHA20POLY1305;{}", k_marker, label.empty() ? "default" : label);
}

void derive_key(Key<k_key_bytes>& key, std::string_view password, const Header& h) {
  const auto start = std::chrono::steady_clock::now();
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), h.salt, h.params.ops,
                    static_cast<std::size_t>(h.params.mem_kib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(fmt::format("mctl vault: Argon2id key derivation failed (out of memory for {} MiB?)",
                            h.params.mem_kib / 1024));
  }
  // libsodium has unmapped the Argon2id memory by now; bench/vault.sh samples RSS after this line.
  core::log::debug("vault: Argon2id key derivation ({} passes, {} MiB) took {:.1f} ms", h.params.ops,
                   h.params.mem_kib / 1024,
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace detail

using namespace detail;

void check_params_for_writing(const Params& p) {
  if (p.ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || p.ops > k_max_ops) {
    throw Error(fmt::format("Argon2id passes must be between {} and {}", crypto_pwhash_OPSLIMIT_INTERACTIVE, k_max_ops),
                Exit::usage);
  }
  if (p.mem_kib < crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024 || p.mem_kib > k_max_mem_kib) {
    throw Error(fmt::format("Argon2id memory must be between {} MiB and {} MiB",
                            crypto_pwhash_MEMLIMIT_INTERACTIVE / (1024 * 1024), k_max_mem_kib / 1024),
                Exit::usage);
  }
  if (p.chunk == 0 || p.chunk > k_max_chunk) throw Error("mctl vault chunk size must be 1 B to 16 MiB", Exit::usage);
}

bool looks_like(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  return text.substr(0, k_marker.size() + 1) == "$MCTL_VAULT;";
}

std::string encrypt(std::string_view plaintext, std::string_view password, std::string_view label,
                    const Params& params) {
  std::ostringstream out;
  Writer writer(out, password, label, params);
  writer.write(plaintext);
  writer.finish();
  return std::move(out).str();
}

std::optional<SecretString> decrypt(std::string_view text, std::string_view password) {
  std::istringstream in{std::string(text)};
  Reader reader(in);
  if (!reader.unlock(password)) return std::nullopt;
  SecretString out;
  while (reader.next(out)) {
  }
  return out;
}

}  // namespace mctl::vault::native
