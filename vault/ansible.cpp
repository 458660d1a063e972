#include "vault/ansible.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "vault/codec.hpp"
#include "vault/pbkdf2.hpp"

namespace mctl::vault::ansible {
namespace {

constexpr std::string_view k_marker = "$ANSIBLE_VAULT";
constexpr unsigned k_iterations = 10000;
constexpr std::size_t k_salt_bytes = 32;
constexpr std::size_t k_key_bytes = 32;
constexpr std::size_t k_iv_bytes = 16;
constexpr std::size_t k_line = 80;
// The header line and the salt/HMAC parts are short; more is not a vault.
constexpr std::size_t k_max_header = 4096;

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

Error malformed(const std::string& why) {
  return Error(fmt::format("malformed Ansible vault data: {} (truncated or modified file)", why), Exit::auth);
}

// PBKDF2 output split as Ansible does: AES key, HMAC key, CTR initial counter block.
struct DerivedKeys {
  Key<k_key_bytes * 2 + k_iv_bytes> bytes;
  const unsigned char* aes() const { return bytes.data(); }
  const unsigned char* mac() const { return bytes.data() + k_key_bytes; }
  const unsigned char* iv() const { return bytes.data() + 2 * k_key_bytes; }
};

void derive(DerivedKeys& keys, std::string_view password, std::string_view salt) {
  pbkdf2_hmac_sha256(password, salt, k_iterations, keys.bytes.data(), keys.bytes.size());
}

std::string hmac_sha256(const unsigned char* key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(k_key_bytes), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out, &len) == nullptr) {
    throw Error("Ansible vault: HMAC-SHA256 failed");
  }
  return {reinterpret_cast<const char*>(out), len};
}

// AES-256-CTR is its own inverse; `out` must have in.size() bytes.
void aes_ctr(const DerivedKeys& keys, std::string_view in, char* out) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_ctr(), nullptr, keys.aes(), keys.iv()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out), &len,
                        reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out) + len, &len) != 1) {
    throw Error("Ansible vault: AES-256-CTR failed");
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = codec::hex_value(hex[2 * i]), lo = codec::hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

bool looks_like(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  return text.substr(0, k_marker.size() + 1) == "$ANSIBLE_VAULT;";
}

Envelope parse(std::string_view text) {
  Parser parser(text.size());
  parser.feed(text);
  return parser.finish();
}

Parser::Parser(std::size_t text_size) {
  // The body is hex of hex: the ciphertext is about a quarter of the text.
  if (text_size > 0) m_env.ciphertext.reserve(text_size / 4 + 64);
}

void Parser::feed(std::string_view text) {
  while (!text.empty() && m_stage != Stage::body) {
    const char c = text.front();
    text.remove_prefix(1);
    if (m_stage == Stage::leading) {
      if (c == ' ' || c == '\t' || c == '\n') continue;
      m_stage = Stage::header;
    }
    if (c == '\n') {
      end_header();
      m_stage = Stage::body;
    } else if (m_header.size() >= k_max_header) {
      throw malformed("the header line is too long");
    } else {
      m_header += c;
    }
  }
  if (!text.empty()) feed_body(text);
}

// Header fields: marker;version;cipher[;label]
void Parser::end_header() {
  const auto header = trim(m_header);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto semi = header.find(';', start);
    parts.push_back(trim(header.substr(start, semi == std::string_view::npos ? semi : semi - start)));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (parts.size() < 3 || parts[0] != k_marker) throw malformed("the header is not '$ANSIBLE_VAULT;<version>;AES256'");
  if (parts[1] != "1.1" && parts[1] != "1.2") {
    throw Error(fmt::format("unsupported Ansible vault version '{}' (mctl reads 1.1 and 1.2)", parts[1]), Exit::usage);
  }
  if (parts[2] != "AES256") {
    throw Error(fmt::format("unsupported Ansible vault cipher '{}' (mctl reads AES256)", parts[2]), Exit::usage);
  }
  m_env.version = parts[1];
  if (parts.size() >= 4) m_env.label = parts[3];
}

// The outer hex: lines trimmed of blanks at both ends, then concatenated. Runs of hex pairs
// take the fast path; line ends and blanks go through the per-character states.
void Parser::feed_body(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  char inner[16384];
  std::size_t n = 0;
  const auto flush = [&] {
    feed_inner(inner, n);
    n = 0;
  };
  const unsigned char* line_end = end;  // the next "\n" at or after p (or end), once known
  bool line_end_known = false;
  while (p < end) {
    if (m_line == Line::leading && m_outer_nibble < 0) {
      // What ansible-vault writes: whole lines of 80 digits, decoded many at a time.
      if (sizeof inner - n < 40) flush();
      const auto used = codec::hex_decode_lines(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p),
                                                inner + n, sizeof inner - n);
      if (used != 0) {
        p += used;
        n += used / 81 * 40;
        continue;
      }
    }
    if (m_line != Line::trailing && m_outer_nibble < 0) {
      const auto* const run = p;
      // Whole pairs up to the line end (so the decoder sees one clean run), as many as fit.
      if (!line_end_known || line_end < p) {
        const auto* nl = static_cast<const unsigned char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        line_end = nl != nullptr ? nl : end;
        line_end_known = true;
      }
      while (true) {
        const auto avail = std::min(static_cast<std::size_t>(line_end - p), 2 * (sizeof inner - n));
        const auto used = codec::hex_decode(reinterpret_cast<const char*>(p), avail, inner + n);
        p += used;
        n += used / 2;
        if (n < sizeof inner) break;
        flush();
      }
      if (p != run) m_line = Line::content;
      if (p == end) break;
    }
    const unsigned char c = *p++;
    const int v = codec::hex_value(c);
    if (c == '\n') {
      m_line = Line::leading;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (m_line == Line::content) m_line = Line::trailing;
    } else if (v < 0 || m_line == Line::trailing) {
      flush();  // what came before is checked first, however the text was split
      throw malformed("the body is not hex");
    } else {
      m_line = Line::content;
      if (m_outer_nibble < 0) {
        m_outer_nibble = v;
      } else {
        inner[n++] = static_cast<char>(m_outer_nibble << 4 | v);
        m_outer_nibble = -1;
        if (n == sizeof inner) flush();
      }
    }
  }
  flush();
}

// The inner text: hex(salt) "\n" hex(hmac) "\n" hex(ciphertext), the last decoded in place.
void Parser::feed_inner(const char* chars, std::size_t n) {
  m_inner_chars += n;
  std::size_t i = 0;
  while (i < n && m_part < 2) {
    const char c = chars[i++];
    if (c == '\n') {
      ++m_part;
    } else {
      (m_part == 0 ? m_salt_hex : m_hmac_hex) += c;
      if (m_salt_hex.size() + m_hmac_hex.size() > k_max_header) throw malformed("a body part is not hex");
    }
  }
  if (i == n) return;
  const auto* p = reinterpret_cast<const unsigned char*>(chars) + i;
  const auto* const end = reinterpret_cast<const unsigned char*>(chars) + n;
  auto& out = m_env.ciphertext;
  if (m_inner_nibble >= 0) {
    const int lo = codec::hex_value(*p++);
    if (lo < 0) throw malformed("a body part is not hex");
    out.push_back(static_cast<char>(m_inner_nibble << 4 | lo));
    m_inner_nibble = -1;
  }
  const auto old = out.size();
  out.resize(old + static_cast<std::size_t>(end - p) / 2);
  char* o = out.data() + old;
  p += codec::hex_decode(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p), o);
  if (end - p >= 2) throw malformed("a body part is not hex");
  if (p < end) {
    m_inner_nibble = codec::hex_value(*p);
    if (m_inner_nibble < 0) throw malformed("a body part is not hex");
  }
}

Envelope Parser::finish() {
  if (m_stage != Stage::body) {
    if (m_stage == Stage::leading) throw malformed("the header is not '$ANSIBLE_VAULT;<version>;AES256'");
    end_header();
    m_stage = Stage::body;
  }
  if (m_inner_chars == 0 || m_outer_nibble >= 0) throw malformed("the body is not hex");
  if (m_part < 2) throw malformed("the body has no salt/HMAC/ciphertext parts");
  auto salt = from_hex(m_salt_hex);
  auto mac = from_hex(m_hmac_hex);
  if (!salt || salt->empty() || !mac || mac->size() != 32 || m_inner_nibble >= 0) {
    throw malformed("a body part is not hex");
  }
  if (m_env.ciphertext.empty() || m_env.ciphertext.size() % k_iv_bytes != 0) {
    throw malformed("the ciphertext length is not a multiple of the AES block size");
  }
  m_env.salt = std::move(*salt);
  m_env.hmac = std::move(*mac);
  return std::move(m_env);
}

namespace {

bool mac_fits(const DerivedKeys& keys, const Envelope& envelope) {
  const auto expected = hmac_sha256(keys.mac(), envelope.ciphertext.view());
  return expected.size() == envelope.hmac.size() &&
         CRYPTO_memcmp(expected.data(), envelope.hmac.data(), expected.size()) == 0;
}

void unpad(SecretString& padded) {
  const auto pad = static_cast<unsigned char>(padded.back());
  if (pad == 0 || pad > k_iv_bytes || pad > padded.size()) throw malformed("invalid PKCS#7 padding");
  for (std::size_t i = padded.size() - pad; i < padded.size(); ++i) {
    if (static_cast<unsigned char>(padded[i]) != pad) throw malformed("invalid PKCS#7 padding");
  }
  padded.resize(padded.size() - pad);
}

}  // namespace

std::optional<SecretString> decrypt(const Envelope& envelope, std::string_view password) {
  Envelope copy{envelope.version, envelope.label, envelope.salt, envelope.hmac, envelope.ciphertext.copy()};
  return decrypt_in_place(copy, password);
}

std::optional<SecretString> decrypt_in_place(Envelope& envelope, std::string_view password) {
  DerivedKeys keys;
  derive(keys, password, envelope.salt);
  if (!mac_fits(keys, envelope)) return std::nullopt;
  SecretString& buffer = envelope.ciphertext;
  aes_ctr(keys, buffer.view(), buffer.data());  // CTR mode: in place is fine
  unpad(buffer);
  return std::move(buffer);
}

std::string encrypt(std::string_view plaintext, std::string_view password, std::string_view label,
                    std::string_view salt) {
  std::string salt_bytes(salt);
  if (salt_bytes.empty()) {
    salt_bytes.resize(k_salt_bytes);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt_bytes.data()), static_cast<int>(k_salt_bytes)) != 1) {
      throw Error("Ansible vault: no random bytes for the salt");
    }
  }
  DerivedKeys keys;
  derive(keys, password, salt_bytes);
  const std::size_t pad = k_iv_bytes - plaintext.size() % k_iv_bytes;
  SecretString padded(plaintext);
  padded.resize(plaintext.size() + pad);
  std::fill(padded.data() + plaintext.size(), padded.data() + padded.size(), static_cast<char>(pad));
  std::string ciphertext(padded.size(), '\0');
  aes_ctr(keys, padded.view(), ciphertext.data());
  const auto mac = hmac_sha256(keys.mac(), ciphertext);
  const auto body = to_hex(to_hex(salt_bytes) + "\n" + to_hex(mac) + "\n" + to_hex(ciphertext));

  const bool v12 = !label.empty() && label != "default";
  std::string out = v12 ? fmt::format("{};1.2;AES256;{}\n", k_marker, label) : fmt::format("{};1.1;AES256\n", k_marker);
  for (std::size_t i = 0; i < body.size(); i += k_line) {
    out.append(body, i, k_line);
    out += '\n';
  }
  return out;
}

}  // namespace mctl::vault::ansible
