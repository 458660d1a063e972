// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but the EVP path is
// what makes per-iteration HMACs slow; the low-level API is still supported in 3.x.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "vault/pbkdf2.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace mctl::vault {
namespace {

constexpr std::size_t k_block = SHA256_CBLOCK;          // 64
constexpr std::size_t k_digest = SHA256_DIGEST_LENGTH;  // 32

// The HMAC key schedule: SHA-256 states after absorbing key^ipad and key^opad.
struct HmacPads {
  SHA256_CTX inner;
  SHA256_CTX outer;
  ~HmacPads() { OPENSSL_cleanse(this, sizeof(*this)); }
};

void init_pads(HmacPads& pads, std::string_view password) {
  unsigned char key[k_block] = {};
  if (password.size() > k_block) {
    SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), key);
  } else if (!password.empty()) {
    std::memcpy(key, password.data(), password.size());
  }
  unsigned char pad[k_block];
  for (std::size_t i = 0; i < k_block; ++i) pad[i] = static_cast<unsigned char>(key[i] ^ 0x36);
  SHA256_Init(&pads.inner);
  SHA256_Update(&pads.inner, pad, k_block);
  for (std::size_t i = 0; i < k_block; ++i) pad[i] = static_cast<unsigned char>(key[i] ^ 0x5c);
  SHA256_Init(&pads.outer);
  SHA256_Update(&pads.outer, pad, k_block);
  OPENSSL_cleanse(key, sizeof key);
  OPENSSL_cleanse(pad, sizeof pad);
}

// HMAC(key, message) where the key schedule is already in `pads`.
void hmac(const HmacPads& pads, const unsigned char* a, std::size_t a_len, const unsigned char* b, std::size_t b_len,
          unsigned char* out) {
  SHA256_CTX ctx = pads.inner;
  SHA256_Update(&ctx, a, a_len);
  if (b_len != 0) SHA256_Update(&ctx, b, b_len);
  SHA256_Final(out, &ctx);
  ctx = pads.outer;
  SHA256_Update(&ctx, out, k_digest);
  SHA256_Final(out, &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
}

}  // namespace

void pbkdf2_hmac_sha256(std::string_view password, std::string_view salt, unsigned iterations, unsigned char* out,
                        std::size_t out_len) {
  HmacPads pads;
  init_pads(pads, password);
  unsigned char u[k_digest];
  unsigned char t[k_digest];
  for (std::uint32_t block = 1; out_len != 0; ++block) {
    const unsigned char index[4] = {static_cast<unsigned char>(block >> 24), static_cast<unsigned char>(block >> 16),
                                    static_cast<unsigned char>(block >> 8), static_cast<unsigned char>(block)};
    hmac(pads, reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), index, sizeof index, u);
    std::memcpy(t, u, k_digest);
    for (unsigned i = 1; i < iterations; ++i) {
      hmac(pads, u, k_digest, nullptr, 0, u);
      for (std::size_t j = 0; j < k_digest; ++j) t[j] ^= u[j];
    }
    const std::size_t n = std::min(out_len, k_digest);
    std::memcpy(out, t, n);
    out += n;
    out_len -= n;
  }
  OPENSSL_cleanse(u, sizeof u);
  OPENSSL_cleanse(t, sizeof t);
}

}  // namespace mctl::vault
